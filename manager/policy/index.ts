/**
 * Heat and power policy (issue 6): pure state machines, no I/O, time from an injected clock.
 *
 * Wiring (manager):
 *   const policy = new PolicyEngine({ now: clock.now, sustainMs, powerStableMs, tasksOnNode });
 *   scheduler/orchestrator:  placementPolicy: policy.placementPolicy()
 *   on telemetry:            act(policy.observeTelemetry(nodeId, telemetry, facts.thermalLimits))
 *   on status online/facts:  act(policy.observeOnline(nodeId, facts.bootId))   (before its telemetry)
 *   on offline:              act(policy.observeOffline(nodeId, clean))  clean = orderly shutdown,
 *                            false = will message or telemetry timeout
 *   timer:                   act(policy.tick()) at policy.nextDeadline() (or every second)
 *   `kelvin node update --thermal-*`: policy.setLimitOverrides(nodeId, { warnC, throttleC, criticalC, ambient*C })
 *                            throws one line naming the bad limit; resolveThermalLimits(profile, o) checks
 *                            the same without an engine. Call it again on start with the stored overrides.
 *   dispatcher:              task.throttle = policy.throttleFor(nodeId, task cpu limit | null, facts.cpu.cores)
 *   orchestrator, migrating: a task that cannot move -> act(policy.noTarget(nodeId, taskId, reason))
 *   API:                     policy.view(nodeId) -> { thermal, power, quarantined, quarantinedUntil, refusal }
 *   `kelvin node rm`:        policy.removeNode(nodeId)
 *
 * act(events) handles each PolicyEvent:
 *   alert             publish it (one per state transition, never per sample)
 *   throttle-changed  re-send the node's desired task set with throttleFor values
 *   migrate           move the node's movable tasks (start new, then stop old); emitted once per hot episode
 *   placement-changed re-run placement of pending tasks (refuse/penalty answers changed)
 *
 * Rules: normal -> warm (penalty) -> hot (refused `node too hot: 78.2 C >= 75 C`, throttled, alert
 * thermal.throttle) -> critical (throttled harder, migrate at once). Hot for `sustainMs` also migrates
 * (alert thermal.failover). Up is immediate; down needs (threshold - hysteresis) held for `holdMs`.
 * Leaving hot/critical (to warm or normal) ends the episode: unthrottle, take work, thermal.recovered;
 * nothing is moved back. Under-voltage: refused until clean for `powerStableMs`. Unclean drops:
 * node.down; back with a new boot id = node.reboot or node.brownout; 3 drops in 10 min = quarantine
 * with doubling backoff (node.flapping).
 */
export { PolicyEngine } from './engine.js';
export { ambientLimitsProblem } from './ambient-limits.js';
export { overlayLimits, resolveThermalLimits, thermalLimitsProblem, type ThermalLimitOverrides } from './limits.js';
export { type PolicyOptions } from './options.js';
export { type PowerState } from './power.js';
export { THERMAL_STATES, type ThermalState } from './thermal.js';
export { type NodePolicyView, type PolicyEvent } from './types.js';
