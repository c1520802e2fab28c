/** What a scenario is given and what it declares before the fleet starts. */
import type { Prng } from '../prng.js';
import type { SimNode } from '../sim-node.js';

export const SCENARIO_NAMES = ['steady', 'heat-wave', 'brownout-storm', 'flapping'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface ScenarioParams {
  /** heat-wave: fraction of boards that lose cooling, over how long, and how badly. */
  heatShare: number;
  heatWithinMs: number;
  heatResistanceFactor: number;
  heatAmbientRiseC: number;
  /** brownout-storm: fraction dropped at once, when, and for how long. */
  brownoutShare: number;
  brownoutAtMs: number;
  brownoutDownMs: number;
  /** flapping: how many boards, up and down times of each cycle. */
  flapBoards: number;
  flapUpMs: number;
  flapDownMs: number;
}

export interface ScenarioContext {
  nodes: SimNode[];
  /** Runs `action` `delayMs` from now, unless the run has ended; failures are logged, not thrown. */
  at(delayMs: number, action: () => void | Promise<void>): void;
  /** One line on the status stream. */
  note(text: string): void;
}

export interface Scenario {
  readonly name: ScenarioName;
  /** Indices of the boards the scenario drops: they connect through a relay that can cut them. */
  readonly dropped: readonly number[];
  start(ctx: ScenarioContext): void;
}

export type ScenarioFactory = (params: ScenarioParams, random: Prng, boards: number) => Scenario;

/** A share of `n`, at least one board when the share is above zero. */
export function shareOf(n: number, share: number): number {
  return share <= 0 ? 0 : Math.min(n, Math.max(1, Math.round(n * share)));
}
