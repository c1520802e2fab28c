/**
 * Manager configuration, parsed with zod once at start. Also the clock the components share:
 * injected so liveness timeouts, restart delays and debounces are testable without waiting.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { nodeId } from '../shared/payloads/common.js';
import { parseOptionsOrThrow } from '../shared/zod-issue.js';
import { isValidSan } from './tls/sans.js';
import { DEFAULT_VIP_RANGE, parseVipRange } from './vip-allocator.js';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  /** Runs `fn` once after `ms`. */
  after(ms: number, fn: () => void): TimerHandle;
  /** Runs `fn` every `ms` until cancelled. */
  every(ms: number, fn: () => void): TimerHandle;
}

/** Timers are unref'd: a pending restart delay never keeps a stopping process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
};

/**
 * KELVIN_DATA_DIR when set (the manager and the CLI on its host agree on it); else
 * `/var/lib/kelvin` when running as root (a system service, as Docker's /var/lib/docker),
 * otherwise `~/.kelvin` so a user can try Kelvin without privileges.
 */
export function defaultDataDir(): string {
  const fromEnv = process.env.KELVIN_DATA_DIR?.trim();
  if (fromEnv) return fromEnv;
  return process.getuid?.() === 0 ? '/var/lib/kelvin' : join(homedir(), '.kelvin');
}

const clockSchema = z.custom<Clock>(
  (v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function' && typeof (v as Clock).after === 'function',
  'clock must provide now(), after() and every()',
);

export const managerOptions = z.object({
  dataDir: z.string().min(1).default(defaultDataDir),
  /** Embedded broker port; unset: 8883 (mqtts), or 1883 with `insecureMqtt`. */
  mqttPort: z.number().int().min(0).max(65535).nullable().default(null),
  mqttHost: z.string().min(1).default('0.0.0.0'),
  /** `--insecure-mqtt`: the embedded broker speaks plain MQTT (no TLS). Never the default. */
  insecureMqtt: z.boolean().default(false),
  /** `--tls-san` (repeatable): more names or addresses for the server certificate. */
  tlsSans: z.array(z.string().refine(isValidSan, 'must be an IP address or a DNS name')).default([]),
  /** External broker (`mqtt://user:pass@host:port`): connect as a client instead of embedding one. */
  brokerUrl: z
    .string()
    .regex(/^(mqtts?|wss?|tcp):\/\//, 'broker URL must start with mqtt://, mqtts://, ws:// or wss://')
    .nullable()
    .default(null),
  /** `--broker-ca`: CA certificate (PEM) the external `mqtts://` broker's certificate is checked against. */
  brokerCaFile: z.string().min(1).nullable().default(null),
  /** `host:port` of the HTTP API. */
  http: z.string().regex(/^[^:\s]+:\d{1,5}$/, 'http address must be host:port').default('127.0.0.1:8080'),
  /** A node without telemetry this long is down; its tasks are rescheduled once it has been silent this long. */
  nodeTimeoutMs: z.number().int().positive().default(5000),
  /** Node id of the agent on the manager's own host: that node gets role `manager`. */
  localAgentNodeId: nodeId.nullable().default(null),
  /** Slow safety pass of the orchestrator, in case a change event was missed. */
  reconcileIntervalMs: z.number().int().positive().default(30_000),
  /** `--alert-webhook URL` (repeatable): receivers every alert is POSTed to. */
  alertWebhooks: z
    .array(z.url({ protocol: /^https?$/, error: 'alert webhook must be an http:// or https:// URL' }))
    .default([]),
  /** `--thermal-sustain`: a node still hot this long has its movable tasks migrated. */
  thermalSustainMs: z.number().int().nonnegative().default(10_000),
  /** `--thermal-hold`: cooling must hold this long before a node's thermal state steps down. */
  thermalHoldMs: z.number().int().nonnegative().default(10_000),
  /** `--power-stable`: clean power this long after under-voltage before a node takes work again. */
  powerStableMs: z.number().int().nonnegative().default(300_000),
  /** `--require-approval`: new nodes wait as pending until `kelvin node accept`. */
  requireApproval: z.boolean().default(false),
  /** `--secrets-key-file`: the key sealing secrets comes from this file, not DATA-DIR/secrets.key (auto-lock). */
  secretsKeyFile: z.string().min(1).nullable().default(null),
  /** `--vip-range`: services' virtual addresses for reaching them by name (manager/vip-allocator.ts). */
  vipRange: z
    .string()
    .default(DEFAULT_VIP_RANGE)
    .superRefine((text, ctx) => {
      const range = parseVipRange(text);
      if (typeof range === 'string') ctx.addIssue({ code: 'custom', message: range });
    }),
  clock: clockSchema.default(() => systemClock),
}).transform((o) => ({ ...o, mqttPort: o.mqttPort ?? (o.insecureMqtt ? 1883 : 8883) }));

export type ManagerOptionsInput = z.input<typeof managerOptions>;
export type ManagerOptions = z.output<typeof managerOptions>;

/** Parses options; a bad value throws one line naming the option. */
export function parseManagerOptions(input: ManagerOptionsInput): ManagerOptions {
  return parseOptionsOrThrow(managerOptions, input, 'manager');
}
