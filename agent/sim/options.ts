/**
 * The `kelvin sim` flags parsed once into typed options. A bad value becomes one UsageError naming
 * the flag (`--mix: ...`), which the CLI prints as one line with exit 2.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../../cli/errors.js';
import { parseDurationMs } from '../../shared/units.js';
import { joinTokenFrom } from '../join-token-source.js';
import { TOKEN_ENV } from '../options.js';
import { BOARD_TYPE_NAMES, type BoardTypeName } from './board-types.js';
import { SCENARIO_NAMES, type ScenarioName, type ScenarioParams } from './scenarios/index.js';

export interface SimOptions {
  broker: string;
  token: string;
  /** `--ca`: CA for an mqtts:// broker; without it the CA the join token names is pinned. */
  caFile: string | null;
  nodes: number;
  mix: Array<[BoardTypeName, number]>;
  intervalMs: number;
  scenario: ScenarioName;
  durationMs: number;
  seed: number;
  prefix: string;
  /** Connects are spread over this long from the start. */
  rampMs: number;
  statusEveryMs: number;
  keepaliveS: number;
  params: ScenarioParams;
}

export const SIM_DEFAULTS = {
  nodes: '10',
  mix: 'pi4:60,orin:20,x86gpu:20',
  interval: '1s',
  scenario: 'steady',
  duration: '60s',
  seed: '1',
  prefix: 'sim',
  statusEvery: '5s',
  keepalive: '10s',
  heatShare: '10',
  heatWithin: '10s',
  heatFactor: '2.5',
  heatAmbientRise: '10',
  brownoutShare: '5',
  brownoutAt: '5s',
  brownoutDown: '20s',
  flapBoards: '3',
  flapUp: '5s',
  flapDown: '2s',
} as const;

/** The most boards one run may ask for (node ids have four digits, and sockets are finite). */
export const MAX_NODES = 10_000;

type Raw = Record<string, unknown>;

function text(raw: Raw, key: keyof typeof SIM_DEFAULTS): string {
  const value = raw[key];
  return typeof value === 'string' ? value : SIM_DEFAULTS[key];
}

function duration(flag: string, value: string, minMs: number, maxMs: number): number {
  const ms = parseDurationMs(value);
  if (ms === null) throw new UsageError(`${flag}: '${value}' is not a duration (e.g. 500ms, 10s, 1m)`);
  if (ms < minMs || ms > maxMs) throw new UsageError(`${flag}: '${value}' must be between ${minMs} ms and ${maxMs / 1000} s`);
  return ms;
}

function number(flag: string, value: string, min: number, max: number, integer = false): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw new UsageError(`${flag}: '${value}' is not ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

/** `pi4:60,orin:20,x86gpu:20`: known families, whole percentages adding up to 100. */
export function parseMix(value: string): Array<[BoardTypeName, number]> {
  const mix: Array<[BoardTypeName, number]> = [];
  for (const item of value.split(',')) {
    const m = /^\s*([a-z0-9]+)\s*:\s*(\d+)\s*$/.exec(item);
    if (!m) throw new UsageError(`--mix: '${item}' is not TYPE:PERCENT (e.g. pi4:60)`);
    const name = m[1] as string;
    if (!(BOARD_TYPE_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--mix: unknown board type '${name}' (known: ${BOARD_TYPE_NAMES.join(', ')})`);
    }
    if (mix.some(([n]) => n === name)) throw new UsageError(`--mix: board type '${name}' is listed twice`);
    mix.push([name as BoardTypeName, Number(m[2])]);
  }
  const total = mix.reduce((sum, [, pct]) => sum + pct, 0);
  if (total !== 100) throw new UsageError(`--mix: percentages add up to ${total}, not 100`);
  return mix;
}

function brokerUrl(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new UsageError('--broker: required (mqtt://HOST:1883 or mqtts://HOST:8883)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--broker: '${value}' is not a URL (mqtt://HOST:1883)`);
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') throw new UsageError(`--broker: '${value}' must start with mqtt:// or mqtts://`);
  return value;
}

export function parseSimOptions(raw: Raw, env: NodeJS.ProcessEnv = process.env): SimOptions {
  const broker = brokerUrl(raw.broker);
  const token = joinTokenFrom(typeof raw.token === 'string' && raw.token !== '' ? raw.token : undefined, env);
  if (!token) throw new UsageError(`--token: required (or set ${TOKEN_ENV})`);
  const prefix = text(raw, 'prefix');
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(prefix)) throw new UsageError(`--prefix: '${prefix}' must be 1 to 40 lower-case letters, digits and '-'`);
  const scenario = text(raw, 'scenario');
  if (!(SCENARIO_NAMES as readonly string[]).includes(scenario)) {
    throw new UsageError(`--scenario: '${scenario}' is not one of ${SCENARIO_NAMES.join(', ')}`);
  }
  const intervalMs = duration('--interval', text(raw, 'interval'), 100, 3_600_000);
  const day = 86_400_000;
  const caFile = typeof raw.ca === 'string' ? resolve(raw.ca) : null;
  if (caFile !== null && !existsSync(caFile)) throw new UsageError(`--ca: '${caFile}': no such file`);
  if (caFile !== null && !broker.startsWith('mqtts://')) throw new UsageError('--ca: only applies to an mqtts:// broker');
  return {
    broker,
    token,
    caFile,
    nodes: number('--nodes', text(raw, 'nodes'), 1, MAX_NODES, true),
    mix: parseMix(text(raw, 'mix')),
    intervalMs,
    scenario: scenario as ScenarioName,
    durationMs: duration('--duration', text(raw, 'duration'), 1000, 30 * day),
    seed: number('--seed', text(raw, 'seed'), 0, 2 ** 32 - 1, true),
    prefix,
    rampMs: typeof raw.ramp === 'string' ? duration('--ramp', raw.ramp, 0, 3_600_000) : intervalMs,
    statusEveryMs: duration('--status-every', text(raw, 'statusEvery'), 500, day),
    keepaliveS: Math.ceil(duration('--keepalive', text(raw, 'keepalive'), 1000, 3_600_000) / 1000),
    params: {
      heatShare: number('--heat-share', text(raw, 'heatShare'), 0, 100) / 100,
      heatWithinMs: duration('--heat-within', text(raw, 'heatWithin'), 0, day),
      heatResistanceFactor: number('--heat-factor', text(raw, 'heatFactor'), 1, 100),
      heatAmbientRiseC: number('--heat-ambient-rise', text(raw, 'heatAmbientRise'), 0, 100),
      brownoutShare: number('--brownout-share', text(raw, 'brownoutShare'), 0, 100) / 100,
      brownoutAtMs: duration('--brownout-at', text(raw, 'brownoutAt'), 0, day),
      brownoutDownMs: duration('--brownout-down', text(raw, 'brownoutDown'), 0, day),
      flapBoards: number('--flap-boards', text(raw, 'flapBoards'), 0, MAX_NODES, true),
      flapUpMs: duration('--flap-up', text(raw, 'flapUp'), 500, day),
      flapDownMs: duration('--flap-down', text(raw, 'flapDown'), 0, day),
    },
  };
}
