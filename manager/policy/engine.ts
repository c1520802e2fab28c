/**
 * The heat and power policy: per node a thermal, a power and a liveness state machine, turned into
 * decisions (PolicyEvent) the manager acts on. Pure logic: no I/O; time comes from the injected clock.
 * Alerts come from state transitions only, so a node sampled every second yields one alert per change.
 */
import type { ThermalLimits } from '../../shared/payloads/facts.js';
import type { PowerReading, Telemetry } from '../../shared/payloads/telemetry.js';
import type { PlacementPolicy } from '../scheduler/types.js';
import { countOf, formatDuration, makeAlert } from './alerts.js';
import { ambientLimitsProblem } from './ambient-limits.js';
import { overlayLimits, thermalLimitsProblem, type ThermalLimitOverrides } from './limits.js';
import { LivenessTracker } from './liveness.js';
import { parsePolicyOptions, type ParsedPolicyOptions, type PolicyOptions } from './options.js';
import { PowerTracker, showsUnderVoltage, type PowerState } from './power.js';
import { describeCrossing, isHot, THERMAL_STATES, ThermalTracker, type ThermalChange } from './thermal.js';
import { thermalSample } from './thermal-sample.js';
import { throttleCpus } from './throttle.js';
import type { NodePolicyView, PolicyEvent } from './types.js';

interface NodeRecord {
  thermal: ThermalTracker;
  power: PowerTracker;
  liveness: LivenessTracker;
  profileLimits: ThermalLimits | null;
  overrides: ThermalLimitOverrides;
  cpuTempC: number | null;
  /** The current hot-or-critical stretch; null while the node is normal or warm. */
  episode: { since: number; migrated: boolean } | null;
  /** Tasks already reported as having nowhere cooler to go, for the latest episode. */
  noTargetSent: Set<string>;
  /** Power in the last telemetry before an unclean drop (the new boot's samples may come before its status). */
  powerAtDrop: PowerReading | null;
}

export class PolicyEngine {
  private readonly o: ParsedPolicyOptions;
  private readonly nodes = new Map<string, NodeRecord>();

  constructor(options: PolicyOptions) {
    this.o = parsePolicyOptions(options);
  }

  /** A telemetry sample; `profileLimits` are the node's NodeFacts.thermalLimits. */
  observeTelemetry(nodeId: string, telemetry: Telemetry, profileLimits: ThermalLimits): PolicyEvent[] {
    const now = this.o.now();
    const node = this.node(nodeId);
    node.profileLimits = profileLimits;
    node.cpuTempC = telemetry.cpuTempC;
    const limits = this.limitsOf(node) ?? profileLimits;
    const sample = thermalSample(telemetry, { cpu: limits, overrides: node.overrides });
    const events: PolicyEvent[] = [];
    const change = node.thermal.observe(sample, limits, now);
    if (change) events.push(...this.thermalChanged(nodeId, node, change, sample?.tempC ?? null, limits, now));
    events.push(...this.migrateIfDue(nodeId, node, now));
    const power = node.power.observe(telemetry.power, now);
    if (power) events.push(...this.powerChanged(nodeId, node, power, now));
    return events;
  }

  /** The node connected (status online / facts) with this boot id. Call it before its first telemetry. */
  observeOnline(nodeId: string, bootId: string): PolicyEvent[] {
    const now = this.o.now();
    const node = this.node(nodeId);
    const droppedAt = node.liveness.droppedAt;
    const before = droppedAt === null ? node.power.last : node.powerAtDrop;
    node.powerAtDrop = null;
    const back = node.liveness.cameOnline(bootId);
    if (back.kind !== 'reboot') return [];
    const downFor = droppedAt === null ? '' : ` after ${formatDuration(now - droppedAt)} down`;
    const details = { bootId, previousBootId: back.previousBootId, downForMs: droppedAt === null ? null : now - droppedAt };
    if (!showsUnderVoltage(before)) {
      return [this.alert('node.reboot', 'warning', nodeId, `${nodeId} rebooted${downFor}`, now, details)];
    }
    const powerChange = node.power.brownedOut(droppedAt ?? now, before?.underVoltageNow === true);
    const message =
      `${nodeId} rebooted after under-voltage${downFor}: a brownout (${countOf(node.power.brownouts, 'brownout')} so far); ` +
      `no new work until power is clean for ${formatDuration(this.o.powerStableMs)}`;
    const events = [this.alert('node.brownout', 'critical', nodeId, message, now, { ...details, brownouts: node.power.brownouts })];
    if (powerChange) events.push({ type: 'placement-changed', nodeId });
    return events;
  }

  /** The node went offline: `clean` for an orderly shutdown, false when it vanished (will message, timeout). */
  observeOffline(nodeId: string, clean: boolean): PolicyEvent[] {
    const now = this.o.now();
    const node = this.node(nodeId);
    const drop = node.liveness.wentOffline(clean, now);
    if (!drop || clean) return [];
    node.powerAtDrop = node.power.last;
    const q = drop.quarantine;
    const events = [
      this.alert('node.down', 'warning', nodeId, `${nodeId} is down: it vanished without a clean shutdown`, now, {
        recentDrops: drop.recentDrops,
        quarantinedUntil: q?.until ?? null,
      }),
    ];
    if (q && !q.extended) {
      const message =
        `${nodeId} dropped ${drop.recentDrops} times in ${formatDuration(this.o.flapWindowMs)}: ` +
        `quarantined for ${formatDuration(q.durationMs)}, no new work until then`;
      events.push(
        this.alert('node.flapping', 'warning', nodeId, message, now, {
          recentDrops: drop.recentDrops,
          windowMs: this.o.flapWindowMs,
          quarantineMs: q.durationMs,
          until: q.until,
        }),
        { type: 'placement-changed', nodeId },
      );
    }
    return events;
  }

  /** Time-based transitions: migrate after the sustain time, quarantine ends. Call at nextDeadline() or often. */
  tick(): PolicyEvent[] {
    const now = this.o.now();
    const events: PolicyEvent[] = [];
    for (const [nodeId, node] of this.nodes) {
      events.push(...this.migrateIfDue(nodeId, node, now));
      if (node.liveness.quarantineEnded(now)) events.push({ type: 'placement-changed', nodeId });
    }
    return events;
  }

  /** Earliest time at which tick() has something to do; null when nothing is waiting. */
  nextDeadline(): number | null {
    let next: number | null = null;
    const consider = (t: number | null): void => {
      if (t !== null && (next === null || t < next)) next = t;
    };
    for (const node of this.nodes.values()) {
      if (node.episode && !node.episode.migrated) consider(node.episode.since + this.o.sustainMs);
      consider(node.liveness.quarantinedUntil);
    }
    return next;
  }

  /** For the scheduler: refuse hot, power-unstable and quarantined nodes; prefer cooler ones. */
  placementPolicy(): PlacementPolicy {
    return {
      refuse: (n) => this.refusal(n.subject.id),
      penalty: (n) => THERMAL_STATES.indexOf(this.nodes.get(n.subject.id)?.thermal.state ?? 'normal'),
    };
  }

  /** Why the node must take no new work now, or null. */
  refusal(nodeId: string): string | null {
    const node = this.nodes.get(nodeId);
    if (!node) return null;
    const now = this.o.now();
    const crossing = node.thermal.crossing;
    if (isHot(node.thermal.state) && crossing) return `node too hot: ${describeCrossing(crossing)}`;
    if (node.power.state === 'unstable') {
      return `power unstable: under-voltage ${formatDuration(now - (node.power.lastDipAt ?? now))} ago`;
    }
    const until = node.liveness.quarantinedUntil;
    if (until !== null && node.liveness.isQuarantined(now)) return `node flapping: quarantined for another ${formatDuration(until - now)}`;
    return null;
  }

  /** TaskSpec `throttle` for one of the node's tasks (see throttle.ts for the rule); null = unthrottled. */
  throttleFor(nodeId: string, taskCpuLimit: number | null, nodeCores: number): { cpus: number } | null {
    return throttleCpus(this.nodes.get(nodeId)?.thermal.state ?? 'normal', taskCpuLimit, nodeCores);
  }

  /** A task on a hot node has nowhere cooler to go (pinned, or no cooler node matches): one alert per task per episode. */
  noTarget(nodeId: string, taskId: string, reason: string): PolicyEvent[] {
    const node = this.node(nodeId);
    if (node.noTargetSent.has(taskId)) return [];
    node.noTargetSent.add(taskId);
    const now = this.o.now();
    const message = `task ${taskId} cannot leave hot node ${nodeId}: ${reason}`;
    return [this.alert('thermal.no-target', 'warning', nodeId, message, now, { taskId, reason, state: node.thermal.state })];
  }

  /** Sets (replaces) the node's manager-set limits; throws one line naming the limit out of order. */
  setLimitOverrides(nodeId: string, overrides: ThermalLimitOverrides): void {
    const node = this.node(nodeId);
    // Before the node's profile is known, the given overrides are checked among themselves.
    const problem = thermalLimitsProblem(node.profileLimits ? overlayLimits(node.profileLimits, overrides) : overrides) ?? ambientLimitsProblem(overrides);
    if (problem) throw new Error(problem);
    node.overrides = { ...overrides };
  }

  view(nodeId: string): NodePolicyView {
    const node = this.node(nodeId);
    const until = node.liveness.quarantinedUntil;
    const quarantined = node.liveness.isQuarantined(this.o.now());
    return {
      thermal: { state: node.thermal.state, cpuTempC: node.cpuTempC, limits: this.limitsOf(node) },
      power: { state: node.power.state, underVoltageNow: node.power.last?.underVoltageNow ?? null, brownouts: node.power.brownouts },
      quarantined,
      quarantinedUntil: quarantined ? until : null,
      refusal: this.refusal(nodeId),
    };
  }

  /** Forget a node removed from the cluster. */
  removeNode(nodeId: string): void {
    this.nodes.delete(nodeId);
  }

  private node(nodeId: string): NodeRecord {
    let node = this.nodes.get(nodeId);
    if (!node) {
      node = {
        thermal: new ThermalTracker(this.o.holdMs),
        power: new PowerTracker(this.o.powerStableMs),
        liveness: new LivenessTracker({
          windowMs: this.o.flapWindowMs,
          flapCount: this.o.flapCount,
          quarantineBaseMs: this.o.quarantineBaseMs,
          quarantineMaxMs: this.o.quarantineMaxMs,
        }),
        profileLimits: null,
        overrides: {},
        cpuTempC: null,
        episode: null,
        noTargetSent: new Set(),
        powerAtDrop: null,
      };
      this.nodes.set(nodeId, node);
    }
    return node;
  }

  /** Overrides that no longer fit a changed profile are set aside rather than applied out of order. */
  private limitsOf(node: NodeRecord): ThermalLimits | null {
    if (!node.profileLimits) return null;
    const limits = overlayLimits(node.profileLimits, node.overrides);
    return thermalLimitsProblem(limits) ? node.profileLimits : limits;
  }

  private thermalChanged(
    nodeId: string,
    node: NodeRecord,
    change: ThermalChange,
    tempC: number | null,
    limits: ThermalLimits,
    now: number,
  ): PolicyEvent[] {
    const wasHot = isHot(change.from);
    const hot = isHot(change.to);
    const crossing = node.thermal.crossing;
    const details = { from: change.from, to: change.to, tempC, cpuTempC: node.cpuTempC, crossing, limits };
    const placement: PolicyEvent = { type: 'placement-changed', nodeId };
    const throttle: PolicyEvent = { type: 'throttle-changed', nodeId };
    if (hot && crossing && (!wasHot || change.to === 'critical')) {
      if (!wasHot) {
        node.episode = { since: now, migrated: false };
        node.noTargetSent.clear();
      }
      const tasks = this.o.tasksOnNode ? countOf(this.o.tasksOnNode(nodeId), 'task') : 'its tasks';
      const message = `${nodeId} is ${change.to}: ${describeCrossing(crossing)}, throttling ${tasks}`;
      const severity = change.to === 'critical' ? 'critical' : 'warning';
      const events = [this.alert('thermal.throttle', severity, nodeId, message, now, details), throttle];
      return wasHot ? events : [...events, placement];
    }
    if (hot) return [throttle];
    if (wasHot) {
      node.episode = null;
      const reading = tempC === null ? '' : ` (${tempC.toFixed(1)} C)`;
      const message = `${nodeId} cooled to ${change.to}${reading}: tasks unthrottled, taking work again`;
      return [this.alert('thermal.recovered', 'info', nodeId, message, now, details), throttle, placement];
    }
    return [placement];
  }

  /** Once per episode: at once when critical, else once the node has stayed hot for the sustain time. */
  private migrateIfDue(nodeId: string, node: NodeRecord, now: number): PolicyEvent[] {
    const episode = node.episode;
    const crossing = node.thermal.crossing;
    if (!episode || episode.migrated || !crossing) return [];
    const critical = node.thermal.state === 'critical';
    if (!critical && now - episode.since < this.o.sustainMs) return [];
    episode.migrated = true;
    const what = describeCrossing(crossing);
    const hotFor = formatDuration(now - episode.since);
    const reason = critical ? `node critical: ${what}` : `node too hot for ${hotFor}: ${what}`;
    const message = `${nodeId} ${critical ? 'is critical' : `has been hot for ${hotFor}`} (${what}): moving its movable tasks to cooler nodes`;
    const details = { state: node.thermal.state, crossing, hotSince: episode.since };
    const severity = critical ? 'critical' : 'warning';
    return [this.alert('thermal.failover', severity, nodeId, message, now, details), { type: 'migrate', nodeId, reason }];
  }

  private powerChanged(nodeId: string, node: NodeRecord, state: PowerState, now: number): PolicyEvent[] {
    const placement: PolicyEvent = { type: 'placement-changed', nodeId };
    const volts = node.power.last?.inputVolts ?? null;
    const details = { underVoltageNow: node.power.last?.underVoltageNow ?? null, inputVolts: volts, brownouts: node.power.brownouts };
    if (state === 'unstable') {
      const message =
        `${nodeId} is under-voltage${volts === null ? '' : ` (${volts.toFixed(2)} V)`}: ` +
        `no new work until power is clean for ${formatDuration(this.o.powerStableMs)}`;
      return [this.alert('power.undervoltage', 'warning', nodeId, message, now, details), placement];
    }
    const clean = formatDuration(now - (node.power.lastDipAt ?? now));
    return [this.alert('power.recovered', 'info', nodeId, `${nodeId} power is stable again: no under-voltage for ${clean}`, now, details), placement];
  }

  private alert(...args: Parameters<typeof makeAlert>): PolicyEvent {
    return { type: 'alert', alert: makeAlert(...args) };
  }
}
