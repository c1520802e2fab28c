/**
 * Which task a new connection goes to. Smooth weighted round-robin (nginx's) over the endpoints
 * that are not draining and not marked failing, in tiers by their board's state: boards that are
 * hot, critical or under-voltage get no new connections while a cooler endpoint exists; warm
 * boards get a smaller share than normal ones. A failed connect marks an endpoint failing for
 * FAIL_HOLD_MS, so the next connections skip it at once; after that one connection tries it again.
 * Pure: the clock is injected.
 */
export type Heat = 'normal' | 'warm' | 'hot' | 'critical';

export interface Endpoint {
  /** The task id. */
  key: string;
  host: string;
  port: number;
  heat: Heat;
  power: 'stable' | 'unstable';
}

/** Shares of new connections: a warm board gets one for every four a normal one gets. */
export const NORMAL_WEIGHT = 4;
export const WARM_WEIGHT = 1;
export const FAIL_HOLD_MS = 2000;

function weightOf(e: Endpoint): number {
  if (e.power === 'unstable' || e.heat === 'hot' || e.heat === 'critical') return 0;
  return e.heat === 'warm' ? WARM_WEIGHT : NORMAL_WEIGHT;
}

export class Balancer {
  private endpoints: Endpoint[] = [];
  private readonly current = new Map<string, number>();
  private readonly failingUntil = new Map<string, number>();
  private readonly draining = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  setEndpoints(endpoints: Endpoint[]): void {
    this.endpoints = endpoints;
    const keys = new Set(endpoints.map((e) => e.key));
    for (const map of [this.current, this.failingUntil]) for (const k of map.keys()) if (!keys.has(k)) map.delete(k);
    for (const k of this.draining) if (!keys.has(k)) this.draining.delete(k);
  }

  get size(): number {
    return this.endpoints.length;
  }

  /** No new connections for this task (it is about to stop). */
  drain(key: string): void {
    this.draining.add(key);
  }

  failed(key: string): void {
    this.failingUntil.set(key, this.now() + FAIL_HOLD_MS);
  }

  succeeded(key: string): void {
    this.failingUntil.delete(key);
  }

  /**
   * The endpoints to try for one new connection, best first: the round-robin pick, then the rest
   * of its tier, then hotter boards, then ones marked failing (better a retry than no answer).
   */
  order(): Endpoint[] {
    const now = this.now();
    const open = this.endpoints.filter((e) => !this.draining.has(e.key));
    const healthy = open.filter((e) => (this.failingUntil.get(e.key) ?? 0) <= now);
    const failing = open.filter((e) => (this.failingUntil.get(e.key) ?? 0) > now);
    const cool = healthy.filter((e) => weightOf(e) > 0);
    const hot = healthy.filter((e) => weightOf(e) === 0);
    const tier = cool.length > 0 ? cool : hot;
    const first = this.pick(tier, cool.length > 0);
    const rest = (list: Endpoint[]): Endpoint[] => list.filter((e) => e !== first);
    return [...(first ? [first] : []), ...rest(tier), ...(tier === cool ? hot : []), ...failing];
  }

  private pick(tier: Endpoint[], weighted: boolean): Endpoint | undefined {
    let total = 0;
    let best: Endpoint | undefined;
    let bestValue = -Infinity;
    for (const e of tier) {
      const w = weighted ? weightOf(e) : 1;
      const value = (this.current.get(e.key) ?? 0) + w;
      this.current.set(e.key, value);
      total += w;
      if (value > bestValue) {
        best = e;
        bestValue = value;
      }
    }
    if (best) this.current.set(best.key, bestValue - total);
    return best;
  }
}
