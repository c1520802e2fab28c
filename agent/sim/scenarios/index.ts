/** The scenarios by name; `steady` changes nothing and shows the fleet's baseline. */
import { brownoutStorm } from './brownout-storm.js';
import { flapping } from './flapping.js';
import { heatWave } from './heat-wave.js';
import type { ScenarioFactory, ScenarioName } from './types.js';

const steady: ScenarioFactory = () => ({ name: 'steady', dropped: [], start: () => undefined });

export const SCENARIOS: Record<ScenarioName, ScenarioFactory> = {
  steady,
  'heat-wave': heatWave,
  'brownout-storm': brownoutStorm,
  flapping,
};

export { SCENARIO_NAMES, type Scenario, type ScenarioContext, type ScenarioName, type ScenarioParams } from './types.js';
