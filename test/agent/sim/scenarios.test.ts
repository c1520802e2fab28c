import { describe, expect, it } from 'vitest';
import { BOARD_TYPES, loadThermalLimits } from '../../../agent/sim/board-types.js';
import { createPrng } from '../../../agent/sim/prng.js';
import { SCENARIOS, type ScenarioParams } from '../../../agent/sim/scenarios/index.js';
import { SimBoard } from '../../../agent/sim/sim-board.js';
import { newCounters, SimNode } from '../../../agent/sim/sim-node.js';
import { silentLogger } from '../../../shared/logger.js';

const params: ScenarioParams = {
  heatShare: 0.1,
  heatWithinMs: 10_000,
  heatResistanceFactor: 2.5,
  heatAmbientRiseC: 10,
  brownoutShare: 0.05,
  brownoutAtMs: 5000,
  brownoutDownMs: 20_000,
  flapBoards: 3,
  flapUpMs: 5000,
  flapDownMs: 2000,
};

/** Boards that are never powered on: enough for a scenario to act on their thermal state. */
function fleet(n: number, now: () => number): SimNode[] {
  const limits = loadThermalLimits().pi4;
  return Array.from({ length: n }, (_, i) => {
    const nodeId = `t-pi4-${i}`;
    const board = new SimBoard({ nodeId, type: BOARD_TYPES.pi4, limits, random: createPrng(i), now });
    return new SimNode({ board, brokerUrl: 'mqtt://127.0.0.1:1', ca: null, token: 't', nodeSecret: 's', keepaliveS: 10, logger: silentLogger(), counters: newCounters(), relay: null, now });
  });
}

describe('scenarios', () => {
  it('heat-wave takes cooling from its share of boards within the window, the same boards for the same seed', () => {
    let now = 0;
    const nodes = fleet(50, () => now);
    const delays: number[] = [];
    SCENARIOS['heat-wave'](params, createPrng(9), nodes.length).start({
      nodes,
      at: (ms, action) => {
        delays.push(ms);
        void action();
      },
      note: () => undefined,
    });
    const hit = nodes.filter((n) => n.board.cooling.resistanceCPerCore > BOARD_TYPES.pi4.cpuThermal.resistanceCPerCore).map((n) => n.nodeId);
    expect(hit).toHaveLength(5);
    expect(delays.every((d) => d >= 0 && d < 10_000)).toBe(true);
    const victim = nodes.find((n) => n.nodeId === hit[0]);
    expect(victim?.board.cooling).toMatchObject({ resistanceCPerCore: 25, ambientC: 40 });
    // Powered off, the victim cools toward its new, hotter ambient with its time constant.
    now = 600_000;
    expect(victim?.board.cpuTempC()).toBeCloseTo(40, 1);

    const again = fleet(50, () => 0);
    SCENARIOS['heat-wave'](params, createPrng(9), again.length).start({ nodes: again, at: (_ms, action) => void action(), note: () => undefined });
    expect(again.filter((n) => n.board.cooling.ambientC === 40).map((n) => n.nodeId)).toEqual(hit);
  });

  it('brownout-storm and flapping declare the boards they drop up front, so those get a relay', () => {
    expect(SCENARIOS['brownout-storm'](params, createPrng(1), 20).dropped).toHaveLength(1);
    expect(SCENARIOS['brownout-storm']({ ...params, brownoutShare: 0.1 }, createPrng(1), 20).dropped).toHaveLength(2);
    expect(SCENARIOS.flapping(params, createPrng(1), 20).dropped).toHaveLength(3);
    expect(SCENARIOS.steady(params, createPrng(1), 20).dropped).toHaveLength(0);
    expect(SCENARIOS['heat-wave'](params, createPrng(1), 20).dropped).toHaveLength(0);
  });
});
