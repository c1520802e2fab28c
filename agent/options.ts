/**
 * The `kelvin agent` flags, parsed once with zod into typed options. A bad value becomes one
 * UsageError naming the flag (`--interval: ...`), which the CLI prints as one line with exit 2.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../cli/errors.js';
import { parseDurationMs } from '../shared/units.js';
import { isBoardAddress } from '../shared/payloads/endpoints.js';
import { firstIssue } from '../shared/zod-issue.js';
import { JOIN_TOKEN_ENV, joinTokenFrom, type Warn } from './join-token-source.js';

export const DEFAULT_STATE_DIR = '/var/lib/kelvin-agent';
export const DEFAULT_DOCKER_SOCKET = '/var/run/docker.sock';
/** The join token's variable; KELVIN_TOKEN (the old name) still works, with a warning. */
export const TOKEN_ENV = JOIN_TOKEN_ENV;

/** What the agent needs to look at the board (`--once` and the daemon alike). */
export interface BoardOptions {
  /** Shown as the node's hostname instead of the machine's; also seeds a new node id. */
  name: string | null;
  /** `--label k=v`: reported as engine labels. */
  labels: Record<string, string>;
  stateDir: string;
  /** Root of /sys, /proc, /etc as the sensors read them; `/` on a real board. */
  hostRoot: string;
  /** Extra board profiles; null uses the built-in ones. */
  hwProfilesDir: string | null;
  dockerSocket: string;
}

export interface OnceOptions extends BoardOptions {
  json: boolean;
}

export const DEFAULT_STATUS_RESYNC_MS = 30_000;
/** Facts change rarely (a GPU appears, docker starts, a camera is unplugged); re-read them this often. */
export const DEFAULT_FACTS_INTERVAL_MS = 60_000;

export interface RunOptions extends BoardOptions {
  broker: string;
  token: string;
  intervalMs: number;
  /** MQTT keepalive in whole seconds; the broker declares the agent dead after 1.5 x this. */
  keepaliveS: number;
  /** Every task status is re-sent this often, so one a broker dropped is not lost for good. */
  statusResyncMs: number;
  /** Facts (devices among them: an unplugged camera) are read again this often. */
  factsIntervalMs: number;
  /** CA bundle for an `mqtts://` broker with a private certificate. */
  caFile: string | null;
  /** `--advertise-addr`: where other boards reach this board's tasks and its published ports listen; null: the local address of the broker connection. */
  advertiseAddr: string | null;
}

/** Commander's raw option bag (camel-cased long flag names). */
export type RawAgentFlags = Record<string, unknown>;

const FLAG_NAMES: Record<string, string> = {
  name: '--name',
  labels: '--label',
  stateDir: '--state-dir',
  hostRoot: '--host-root',
  hwProfilesDir: '--hw-profiles',
  dockerSocket: '--docker-host',
  broker: '--broker',
  token: '--token',
  intervalMs: '--interval',
  keepaliveS: '--keepalive',
  statusResyncMs: '--status-resync',
  factsIntervalMs: '--facts-interval',
  caFile: '--ca',
  advertiseAddr: '--advertise-addr',
};

const path = z.string().min(1, 'must not be empty').transform((p) => resolve(p));

const existingDir = path.refine((p) => existsSync(p), { message: 'no such directory' });

const labelList = z.array(z.string()).transform((items, ctx) => {
  const labels: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(key) || /[\r\n]/.test(item)) {
      ctx.addIssue({ code: 'custom', message: `'${item}' is not key=value (key: letters, digits, '.', '_', '-', '/')` });
      return z.NEVER;
    }
    labels[key] = item.slice(eq + 1);
  }
  return labels;
});

function duration(minMs: number, maxMs: number, what: string) {
  return z.string().transform((text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms === null || ms < minMs || ms > maxMs) {
      ctx.addIssue({ code: 'custom', message: `'${text}' is not ${what}` });
      return z.NEVER;
    }
    return ms;
  });
}

const dockerHost = z.string().transform((url, ctx) => {
  if (!url.startsWith('unix://') || url.length <= 'unix://'.length) {
    ctx.addIssue({ code: 'custom', message: `'${url}' is not a unix:// socket URL (e.g. unix:///var/run/docker.sock)` });
    return z.NEVER;
  }
  return url.slice('unix://'.length);
});

function isBrokerUrl(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  return (url.protocol === 'mqtt:' || url.protocol === 'mqtts:') && url.hostname !== '' && (url.pathname === '' || url.pathname === '/') && !url.username && !url.search;
}

const boardFields = {
  name: z
    .string()
    .regex(/^[^\s/]{1,253}$/, 'must be 1 to 253 characters without spaces or slashes')
    .nullable(),
  labels: labelList,
  stateDir: path,
  hostRoot: existingDir,
  hwProfilesDir: existingDir.nullable(),
  dockerSocket: dockerHost,
};

const runSchema = z
  .object({
    ...boardFields,
    broker: z.string().refine(isBrokerUrl, { message: 'must be mqtt://HOST[:PORT] or mqtts://HOST[:PORT]' }),
    token: z
      .string({ error: `required (or set ${TOKEN_ENV})` })
      .regex(/^[^\s:]+$/, 'must not be empty or contain spaces or ":"'),
    intervalMs: duration(100, 3_600_000, 'a duration between 100ms and 1h (e.g. 1s)'),
    keepaliveS: duration(1000, 3_600_000, 'a whole number of seconds between 1s and 1h (e.g. 10s)')
      .refine((ms) => ms % 1000 === 0, { message: 'must be a whole number of seconds' })
      .transform((ms) => ms / 1000),
    statusResyncMs: duration(100, 3_600_000, 'a duration between 100ms and 1h (e.g. 30s)'),
    factsIntervalMs: duration(1000, 3_600_000, 'a duration between 1s and 1h (e.g. 1m)'),
    caFile: path.refine((p) => existsSync(p), { message: 'no such file' }).nullable(),
    advertiseAddr: z
      .union([z.ipv4(), z.ipv6()], { error: 'must be an IPv4 or IPv6 address of this board' })
      .refine(isBoardAddress, { error: 'must be an address other boards can reach (not 0.0.0.0/8, multicast, reserved or broadcast)' })
      .nullable(),
  })
  .refine((o) => o.caFile === null || o.broker.startsWith('mqtts://'), {
    message: 'only applies to an mqtts:// broker',
    path: ['caFile'],
  });

const onceSchema = z.object({ ...boardFields, json: z.boolean() });

function boardInput(raw: RawAgentFlags, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const envDocker = env.DOCKER_HOST?.startsWith('unix://') ? env.DOCKER_HOST : undefined;
  return {
    name: raw.name ?? null,
    labels: raw.label ?? [],
    stateDir: raw.stateDir ?? DEFAULT_STATE_DIR,
    hostRoot: raw.hostRoot ?? '/',
    hwProfilesDir: raw.hwProfiles ?? null,
    dockerSocket: raw.dockerHost ?? envDocker ?? `unix://${DEFAULT_DOCKER_SOCKET}`,
  };
}

function parseWith<T>(schema: z.ZodType<T>, input: Record<string, unknown>): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const { path, message } = firstIssue(result.error);
  const field = String(path[0] ?? '');
  throw new UsageError(`${FLAG_NAMES[field] ?? field}: ${message}`);
}

export function parseOnceOptions(raw: RawAgentFlags, env: NodeJS.ProcessEnv = process.env): OnceOptions {
  return parseWith(onceSchema, { ...boardInput(raw, env), json: raw.json === true });
}

/** The token comes from --token or, so it stays off command lines and out of unit files, KELVIN_JOIN_TOKEN. */
export function parseRunOptions(raw: RawAgentFlags, env: NodeJS.ProcessEnv = process.env, warn?: Warn): RunOptions {
  if (raw.broker === undefined) throw new UsageError('--broker: required (or use --once to inspect this board without a manager)');
  return parseWith(runSchema, {
    ...boardInput(raw, env),
    broker: raw.broker,
    token: joinTokenFrom(raw.token, env, warn),
    intervalMs: raw.interval ?? '1s',
    keepaliveS: raw.keepalive ?? '10s',
    statusResyncMs: raw.statusResync ?? `${DEFAULT_STATUS_RESYNC_MS}ms`,
    factsIntervalMs: raw.factsInterval ?? `${DEFAULT_FACTS_INTERVAL_MS}ms`,
    caFile: raw.ca ?? null,
    advertiseAddr: raw.advertiseAddr ?? null,
  });
}
