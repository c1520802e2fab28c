/**
 * brownout-storm: a share of the boards lose power at the same moment. Each first reports
 * under-voltage in one last telemetry sample, then its connection dies without a goodbye (the
 * broker publishes its will), and it boots again later with a new boot id and no tasks.
 */
import { pickIndices } from '../prng.js';
import { shareOf, type ScenarioFactory } from './types.js';

/** Time for the last sample, flagged under-voltage, to leave before the socket dies. */
export const LAST_SAMPLE_MS = 200;

export const brownoutStorm: ScenarioFactory = (params, random, boards) => {
  const victims = pickIndices(random, boards, shareOf(boards, params.brownoutShare));
  return {
    name: 'brownout-storm',
    dropped: victims,
    start(ctx) {
      ctx.at(params.brownoutAtMs, () => {
        const nodes = victims.flatMap((i) => (ctx.nodes[i] ? [ctx.nodes[i]] : []));
        ctx.note(`brownout-storm: ${nodes.length} boards lose power`);
        for (const node of nodes) {
          node.board.setUnderVoltage(true);
          void node.sampleTelemetry();
          ctx.at(LAST_SAMPLE_MS, () => node.powerOff(false));
          ctx.at(LAST_SAMPLE_MS + params.brownoutDownMs, () => node.powerOn());
        }
      });
    },
  };
};
