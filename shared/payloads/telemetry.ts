import { z } from 'zod';
import { epochMs, wireVersion } from './common.js';

/** Readings the board cannot give are null, never 0. */
export const powerReading = z.object({
  underVoltageNow: z.boolean().nullable(),
  underVoltageOccurred: z.boolean().nullable(),
  throttledNow: z.boolean().nullable(),
  freqCappedNow: z.boolean().nullable(),
  softTempLimitNow: z.boolean().nullable(),
  inputVolts: z.number().nullable(),
});
export type PowerReading = z.infer<typeof powerReading>;

export const gpuReading = z.object({
  index: z.number().int().nonnegative(),
  tempC: z.number().nullable(),
  utilPct: z.number().nullable(),
  memUsedBytes: z.number().nullable(),
  thermalSlowdown: z.boolean().nullable(),
});
export type GpuReading = z.infer<typeof gpuReading>;

/** How a board *feels*: published every interval with QoS 0. */
export const telemetry = z.object({
  v: wireVersion,
  ts: epochMs,
  /** Increments by one per sample from agent start, so a receiver can count losses. */
  seq: z.number().int().nonnegative(),
  /** The hottest CPU-relevant sensor of the board's profile; null if none can be read. */
  cpuTempC: z.number().nullable(),
  temps: z.array(z.object({ sensor: z.string(), tempC: z.number() })),
  voltages: z.array(z.object({ rail: z.string(), volts: z.number() })),
  power: powerReading,
  gpus: z.array(gpuReading),
  /** True when GPU readings are older than expected (nvidia-smi hung or missing). */
  gpuStale: z.boolean(),
  load1: z.number().nullable(),
  memUsedBytes: z.number().nullable(),
});
export type Telemetry = z.infer<typeof telemetry>;
