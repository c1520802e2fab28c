/**
 * The agent's own heat protection (issue 6): at `critical` it caps its tasks' CPU even when it
 * cannot reach the manager, so a board that lost its manager still does not cook itself.
 *
 * - Critical: the hottest CPU or GPU temperature at or over the board's criticalC. Going critical is
 *   immediate (as in the manager's policy); leaving it needs every reading below
 *   (criticalC - hysteresisC) for `holdMs`, so noise around the limit does not flap the cap. A reading
 *   without any temperature breaks that run: unknown never counts as cool.
 * - The cap is engaged only while critical AND the manager is unreachable. Once the session is back,
 *   the manager's desired set governs the throttle (it throttles a critical node and moves its work),
 *   so the local cap is lifted.
 * - The cap is one number for the whole node (the reconciler's local throttle): a quarter of the
 *   board's cores, the manager's `critical` share for a task without its own CPU limit. A task with a
 *   smaller limit of its own is therefore capped less tightly than the manager would cap it.
 */
import type { Logger } from '../shared/logger.js';
import type { ThermalLimits } from '../shared/payloads/facts.js';
import type { Reading } from './sensing.js';

/** The share of its CPU a task keeps at `critical` (manager/policy/throttle.ts uses the same). */
export const CRITICAL_CPU_SHARE = 0.25;
/** Docker's smallest `--cpus`; the cgroup limiter accepts it too. */
const MIN_CPUS = 0.01;

export interface ProtectedBoard {
  thermalLimits: ThermalLimits;
  cpu: { cores: number };
}

export interface LocalProtectionOptions {
  /** The board's limits and size now (facts are re-read, so asked for at each reading). */
  board: () => ProtectedBoard;
  /** Sets (cpus) or lifts (null) the CPU cap on every task of this node. */
  apply: (cpus: number | null) => Promise<void>;
  /** Cooling must hold below criticalC - hysteresisC this long before the board counts as safe. */
  holdMs: number;
  logger: Logger;
  now?: () => number;
}

/** The cap for every task of a critical node with `cores` cores, to a thousandth of a core. */
export function localCapCpus(cores: number): number {
  const usable = Number.isFinite(cores) && cores > 0 ? cores : 1;
  return Math.max(MIN_CPUS, Math.round(usable * CRITICAL_CPU_SHARE * 1000) / 1000);
}

/** The hottest readable CPU or GPU temperature; null when none could be read. */
export function hottestTempC(reading: Pick<Reading, 'cpuTempC' | 'gpus'>): number | null {
  const temps = [reading.cpuTempC, ...reading.gpus.map((g) => g.tempC)].filter((t): t is number => t !== null);
  return temps.length > 0 ? Math.max(...temps) : null;
}

export class LocalProtection {
  private critical = false;
  /** Since when every reading has been below criticalC - hysteresisC; null when not calm now. */
  private calmSince: number | null = null;
  private reachable = false;
  /** The cap handed to `apply` last; null when none is set. */
  private appliedCpus: number | null = null;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly options: LocalProtectionOptions) {
    this.now = options.now ?? Date.now;
    this.log = options.logger.child({ component: 'local-protection' });
  }

  /** True while the agent caps its tasks on its own. */
  get engaged(): boolean {
    return this.appliedCpus !== null;
  }

  /** One telemetry reading. */
  observe(reading: Pick<Reading, 'cpuTempC' | 'gpus'>): void {
    const { thermalLimits: limits } = this.options.board();
    const tempC = hottestTempC(reading);
    const now = this.now();
    const calm = tempC !== null && tempC < limits.criticalC - limits.hysteresisC;
    this.calmSince = calm ? (this.calmSince ?? now) : null;
    if (!this.critical && tempC !== null && tempC >= limits.criticalC) {
      this.critical = true;
      this.log.warn({ tempC, criticalC: limits.criticalC }, 'board is critical');
    } else if (this.critical && this.calmSince !== null && now - this.calmSince >= this.options.holdMs) {
      this.critical = false;
      this.log.info({ tempC, belowC: limits.criticalC - limits.hysteresisC, heldMs: now - this.calmSince }, 'board cooled below critical');
    }
    this.sync();
  }

  /** The MQTT session's state: connected means the manager's desired set governs the throttle. */
  setManagerReachable(reachable: boolean): void {
    if (reachable === this.reachable) return;
    this.reachable = reachable;
    this.sync();
  }

  private sync(): void {
    const want = this.critical && !this.reachable ? localCapCpus(this.options.board().cpu.cores) : null;
    if (want === this.appliedCpus) return;
    this.appliedCpus = want;
    if (want !== null) this.log.warn({ cpus: want }, 'board critical and manager unreachable: capping every task on my own');
    else if (this.reachable) this.log.info('manager reachable again: lifting my own CPU cap, its desired set governs');
    else this.log.info('board no longer critical: lifting my own CPU cap');
    this.options.apply(want).catch((err: unknown) => this.log.error({ err, cpus: want }, 'could not change the local CPU cap'));
  }
}
