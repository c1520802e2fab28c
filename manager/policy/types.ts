/** What the policy engine hands the manager: decisions to act on, and a node's current view. */
import type { Alert } from '../../shared/payloads/alert.js';
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { PowerState } from './power.js';
import type { ThermalState } from './thermal.js';

export type PolicyEvent =
  /** Publish on the `alerts` topic (and the other sinks). */
  | { type: 'alert'; alert: Alert }
  /** Re-send the node's desired task set with each task's `throttle` from `throttleFor`. */
  | { type: 'throttle-changed'; nodeId: string }
  /** Move the node's movable tasks away (start new, then stop old); pinned ones go to `noTarget`. */
  | { type: 'migrate'; nodeId: string; reason: string }
  /** `refuse`/`penalty` answers for the node changed: re-run placement of pending tasks. */
  | { type: 'placement-changed'; nodeId: string };

export interface NodePolicyView {
  thermal: {
    state: ThermalState;
    cpuTempC: number | null;
    /** Effective limits (profile overlaid by overrides); null before the first telemetry. */
    limits: ThermalLimits | null;
  };
  power: { state: PowerState; underVoltageNow: boolean | null; brownouts: number };
  quarantined: boolean;
  /** Epoch ms when the flapping quarantine ends; null when not quarantined. */
  quarantinedUntil: number | null;
  /** Why the node takes no new work now (the scheduler's refuse reason); null when it does. */
  refusal: string | null;
}
