import { z } from 'zod';
import { epochMs, wireVersion } from './common.js';

/** Bounds on `staleSensors`: the agent cuts its list to fit, so a board with many broken files still reports. */
export const MAX_STALE_SENSORS = 64;
export const MAX_STALE_SENSOR_PATH = 256;

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

/** Bounds on `ambient`: a shelf has a few probes; more are cut by the agent. */
export const MAX_AMBIENT_SENSORS = 16;
export const MAX_AMBIENT_SENSOR_NAME = 64;

/** A temperature sensor fitted to the board for its enclosure or room (1-wire DS18B20, IIO BME280...). */
export const ambientReading = z.object({
  sensor: z.string().max(MAX_AMBIENT_SENSOR_NAME),
  tempC: z.number(),
  /** Relative humidity where the sensor measures it (BME280, SHT3x, HDC100x); null otherwise. */
  humidityPct: z.number().min(0).max(100).nullable(),
});
export type AmbientReading = z.infer<typeof ambientReading>;

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
  /** Ambient sensors fitted to the board. Absent on boards without any, and from older agents. */
  ambient: z.array(ambientReading).max(MAX_AMBIENT_SENSORS).optional(),
  /**
   * Sensor files (relative to the host root) the board has but this sample could not read: hung
   * past the read deadline, not a regular file, too large, or an I/O or permission error. Their
   * readings are missing. Absent when there are none, and from agents older than this field.
   */
  staleSensors: z.array(z.string().max(MAX_STALE_SENSOR_PATH)).max(MAX_STALE_SENSORS).optional(),
  /**
   * The sample missed its deadline: the board went this many ms past one interval without a fresh
   * reading (a slow sample, a blocked event loop, or sensing that has not answered; in the last
   * case every reading is null). Absent when on time.
   */
  sampleLateMs: z.number().int().nonnegative().optional(),
});
export type Telemetry = z.infer<typeof telemetry>;
