/**
 * flapping: a few boards drop without a goodbye and come back, over and over (a loose power
 * connector), each on its own phase so they do not flap in step.
 */
import { pickIndices } from '../prng.js';
import type { SimNode } from '../sim-node.js';
import type { ScenarioContext, ScenarioFactory } from './types.js';

export const flapping: ScenarioFactory = (params, random, boards) => {
  const victims = pickIndices(random, boards, Math.min(boards, params.flapBoards));
  const phases = victims.map(() => random.next() * params.flapUpMs);
  const cycle = (ctx: ScenarioContext, node: SimNode, delayMs: number): void => {
    ctx.at(delayMs, async () => {
      await node.powerOff(false);
      ctx.at(params.flapDownMs, async () => {
        await node.powerOn();
        cycle(ctx, node, params.flapUpMs);
      });
    });
  };
  return {
    name: 'flapping',
    dropped: victims,
    start(ctx) {
      victims.forEach((index, i) => {
        const node = ctx.nodes[index];
        if (node) cycle(ctx, node, params.flapUpMs + (phases[i] ?? 0));
      });
    },
  };
};
