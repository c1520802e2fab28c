/**
 * heat-wave: a share of the boards lose cooling (fan dies, enclosure in the sun) at random moments
 * within the first seconds: their thermal resistance jumps and their ambient rises. Their
 * temperature then climbs with the board's time constant, which is what the heat policy must see
 * coming and act on.
 */
import { pickIndices } from '../prng.js';
import { shareOf, type ScenarioFactory } from './types.js';

export const heatWave: ScenarioFactory = (params, random, boards) => {
  const victims = pickIndices(random, boards, shareOf(boards, params.heatShare));
  const delays = victims.map(() => random.next() * params.heatWithinMs);
  return {
    name: 'heat-wave',
    dropped: [],
    start(ctx) {
      victims.forEach((index, i) => {
        const node = ctx.nodes[index];
        if (!node) return;
        ctx.at(delays[i] ?? 0, () => {
          const before = node.board.cooling;
          node.board.changeCooling({
            resistanceCPerCore: before.resistanceCPerCore * params.heatResistanceFactor,
            ambientC: before.ambientC + params.heatAmbientRiseC,
          });
          ctx.note(`heat-wave: ${node.nodeId} lost cooling`);
        });
      });
    },
  };
};
