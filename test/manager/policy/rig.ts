/** A PolicyEngine on a hand-driven clock, with builders for telemetry samples and event filters. */
import { PolicyEngine, type PolicyEvent, type PolicyOptions } from '../../../manager/policy/index.js';
import type { Alert } from '../../../shared/payloads/alert.js';
import type { ThermalLimits } from '../../../shared/payloads/facts.js';
import { telemetry, type AmbientReading, type GpuReading, type PowerReading, type Telemetry } from '../../../shared/payloads/telemetry.js';

/** Pi-like limits, so that 78.2 C is hot: warn 70, throttle 75, critical 85, hysteresis 5. */
export const LIMITS: ThermalLimits = { warnC: 70, throttleC: 75, criticalC: 85, hysteresisC: 5 };

export interface SampleOptions {
  gpus?: Partial<GpuReading>[];
  power?: Partial<PowerReading>;
  ambient?: AmbientReading[];
}

let seq = 0;

/** A schema-valid telemetry sample. */
export function sample(cpuTempC: number | null, options: SampleOptions = {}): Telemetry {
  return telemetry.parse({
    v: 1,
    ts: 1_700_000_000_000,
    seq: seq++,
    cpuTempC,
    temps: [],
    voltages: [],
    power: {
      underVoltageNow: false,
      underVoltageOccurred: false,
      throttledNow: false,
      freqCappedNow: false,
      softTempLimitNow: false,
      inputVolts: null,
      ...options.power,
    },
    gpus: (options.gpus ?? []).map((g, index) => ({ index, tempC: null, utilPct: null, memUsedBytes: null, thermalSlowdown: false, ...g })),
    gpuStale: false,
    load1: 0.5,
    memUsedBytes: null,
    ...(options.ambient ? { ambient: options.ambient } : {}),
  });
}

export class Rig {
  t = 1_700_000_000_000;
  readonly engine: PolicyEngine;

  constructor(options: Partial<PolicyOptions> = {}) {
    this.engine = new PolicyEngine({ now: () => this.t, tasksOnNode: () => 3, ...options });
  }

  advance(ms: number): void {
    this.t += ms;
  }

  /** One telemetry sample of `nodeId` at the current time. */
  feed(nodeId: string, cpuTempC: number | null, options: SampleOptions = {}, limits = LIMITS): PolicyEvent[] {
    return this.engine.observeTelemetry(nodeId, sample(cpuTempC, options), limits);
  }

  /** One sample a second for `seconds` samples, the first a second from now: n samples span n - 1 seconds. */
  hold(nodeId: string, seconds: number, cpuTempC: number | null | ((i: number) => number | null), options: SampleOptions = {}): PolicyEvent[] {
    const events: PolicyEvent[] = [];
    for (let i = 0; i < seconds; i++) {
      this.advance(1000);
      events.push(...this.feed(nodeId, typeof cpuTempC === 'function' ? cpuTempC(i) : cpuTempC, options));
    }
    return events;
  }
}

export function alerts(events: PolicyEvent[]): Alert[] {
  return events.flatMap((e) => (e.type === 'alert' ? [e.alert] : []));
}

export function kinds(events: PolicyEvent[]): string[] {
  return alerts(events).map((a) => a.kind);
}

/** Event types in order, alerts as `alert:<kind>`. */
export function summary(events: PolicyEvent[]): string[] {
  return events.map((e) => (e.type === 'alert' ? `alert:${e.alert.kind}` : e.type));
}
