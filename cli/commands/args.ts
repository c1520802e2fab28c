/** Flag value parsers the client commands share; each bad value is a UsageError naming its flag. */
import { parseDurationMs } from '../../shared/units.js';
import { UsageError } from '../errors.js';

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** `k=v` items to a map (`--label-add`, `--env`); `valueRequired` false allows a bare `k`. */
export function keyValues(flag: string, items: string[], valueRequired = true): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!key || (valueRequired && eq < 0) || /\s/.test(key)) throw new UsageError(`${flag}: '${item}' is not KEY=VALUE`);
    out[key] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

export function nonNegativeInt(flag: string, text: string): number {
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag}: '${text}' is not a whole number`);
  return Number(text);
}

export function positiveNumber(flag: string, text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(n > 0)) throw new UsageError(`${flag}: '${text}' is not a positive number`);
  return n;
}

export function durationMs(flag: string, text: string): number {
  const ms = parseDurationMs(text);
  if (ms === null) throw new UsageError(`${flag}: '${text}' is not a duration (e.g. 10s, 1m30s)`);
  return ms;
}

export function oneOf<T extends string>(flag: string, text: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(text)) throw new UsageError(`${flag}: '${text}' is not one of ${choices.join(', ')}`);
  return text as T;
}

/** `--tail N` or `--tail all`, as docker takes it; null means everything. */
export function tailCount(text: string | undefined): number | null {
  if (text === undefined || text === 'all') return null;
  return nonNegativeInt('--tail', text);
}
