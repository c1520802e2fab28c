/**
 * Typed readers for stack-file values. Each one interpolates variables, converts, and on bad input
 * reports one error on the field and returns undefined, so the caller keeps the default and the
 * parse goes on to find every other problem in the same pass.
 */
import { parseBytes, parseDurationMs } from '../units.js';
import type { Field } from './field.js';
import { interpolate } from './interpolate.js';
import { splitShellWords } from './shell-words.js';

function describe(field: Field): string {
  if (field.isNull()) return 'nothing';
  if (field.isMap()) return 'a mapping';
  if (field.isSeq()) return 'a list';
  return `'${String(field.scalar()?.value)}'`;
}

/** A scalar as text: strings are interpolated; numbers and booleans keep the text as written (`1.10`). */
export function readString(field: Field): string | undefined {
  const scalar = field.scalar();
  if (!scalar) {
    field.error(`expected a string, got ${describe(field)}`);
    return undefined;
  }
  if (typeof scalar.value !== 'string') return scalar.source ?? String(scalar.value);
  const result = interpolate(scalar.value, field.env);
  if (!result.ok) {
    field.error(result.error);
    return undefined;
  }
  for (const name of result.unset) field.warn(`variable '${name}' is not set, using an empty string`);
  return result.value;
}

/** A number written as a YAML number or as a string (`cpus: '0.5'`, `replicas: ${N}`). */
function readNumeric(field: Field, pattern: RegExp, expected: string): number | undefined {
  const scalar = field.scalar();
  if (scalar && typeof scalar.value === 'number') return scalar.value;
  if (!scalar || typeof scalar.value !== 'string') {
    field.error(`expected ${expected}, got ${describe(field)}`);
    return undefined;
  }
  const text = readString(field);
  if (text === undefined) return undefined;
  if (!pattern.test(text.trim())) {
    field.error(`expected ${expected}, got '${text}'`);
    return undefined;
  }
  return Number(text);
}

export function readNonNegativeInt(field: Field): number | undefined {
  const n = readNumeric(field, /^[-+]?\d+$/, 'a whole number');
  if (n === undefined) return undefined;
  if (!Number.isInteger(n)) field.error(`expected a whole number, got ${n}`);
  else if (n < 0) field.error(`must not be negative, got ${n}`);
  else return n;
  return undefined;
}

/** CPU counts: `0.5`, `'1.5'`. `positive` rejects 0 (a limit of 0 CPUs would never run). */
export function readCpus(field: Field, bound: 'positive' | 'non-negative'): number | undefined {
  const n = readNumeric(field, /^[-+]?(\d+(\.\d*)?|\.\d+)$/, 'a number of CPUs');
  if (n === undefined) return undefined;
  if (n < 0 || (bound === 'positive' && n === 0)) {
    field.error(`must be ${bound === 'positive' ? 'more than 0' : '0 or more'}, got ${n}`);
    return undefined;
  }
  return n;
}

/** A fraction from 0 to 1 (`max_failure_ratio: 0.25`). */
export function readRatio(field: Field): number | undefined {
  const n = readNumeric(field, /^[-+]?(\d+(\.\d*)?|\.\d+)$/, 'a number from 0 to 1');
  if (n === undefined) return undefined;
  if (n < 0 || n > 1) {
    field.error(`must be from 0 to 1, got ${n}`);
    return undefined;
  }
  return n;
}

export function readBoolean(field: Field): boolean | undefined {
  const scalar = field.scalar();
  if (scalar && typeof scalar.value === 'boolean') return scalar.value;
  if (!scalar || typeof scalar.value !== 'string') {
    field.error(`expected true or false, got ${describe(field)}`);
    return undefined;
  }
  const text = readString(field);
  if (text === 'true' || text === 'false') return text === 'true';
  if (text !== undefined) field.error(`expected true or false, got '${text}'`);
  return undefined;
}

export function readChoice<T extends string>(field: Field, noun: string, choices: readonly T[]): T | undefined {
  const text = readString(field);
  if (text === undefined) return undefined;
  if ((choices as readonly string[]).includes(text)) return text as T;
  const expected = choices.map((c) => `'${c}'`);
  const list = expected.length > 1 ? `${expected.slice(0, -1).join(', ')} or ${expected.at(-1)}` : expected.join('');
  field.error(`unknown ${noun} '${text}', expected ${list}`);
  return undefined;
}

export function readDurationMs(field: Field): number | undefined {
  const text = readString(field);
  if (text === undefined) return undefined;
  const ms = parseDurationMs(text);
  if (ms === null) field.error(`invalid duration '${text}' (write e.g. 500ms, 10s, 1m30s)`);
  return ms ?? undefined;
}

export function readMemoryBytes(field: Field, bound: 'positive' | 'non-negative'): number | undefined {
  const text = readString(field);
  if (text === undefined) return undefined;
  const bytes = parseBytes(text);
  if (bytes === null) field.error(`invalid memory size '${text}' (write e.g. 512M, 1.5G, 1048576)`);
  else if (bound === 'positive' && bytes === 0) field.error('memory limit must be more than 0');
  else return bytes;
  return undefined;
}

export function readStringList(field: Field): string[] | undefined {
  if (!field.isSeq()) {
    field.error(`expected a list, got ${describe(field)}`);
    return undefined;
  }
  const out: string[] = [];
  let ok = true;
  for (const item of field.items()) {
    const text = readString(item);
    if (text === undefined) ok = false;
    else out.push(text);
  }
  return ok ? out : undefined;
}

/** `command`/`entrypoint`: a list is taken as argv; a string is split into words like a shell would. */
export function readArgv(field: Field): string[] | undefined {
  if (field.isSeq()) return readStringList(field);
  const text = readString(field);
  if (text === undefined) return undefined;
  const split = splitShellWords(text);
  if (!split.ok) field.error(split.error);
  return split.ok ? split.words : undefined;
}

/**
 * `environment`/`labels` in either form: a mapping (`KEY: value`) or a list (`- KEY=value`).
 * `whenNoValue` decides what a bare `KEY` means: for environment, the deploying shell's value
 * (left out with a warning when that is unset, as Compose does); for labels, an empty string.
 */
export function readKeyValues(field: Field, whenNoValue: 'from-env' | 'empty'): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  const bare = (key: string, at: Field): void => {
    if (whenNoValue === 'empty') out[key] = '';
    else if (field.env[key] !== undefined) out[key] = field.env[key];
    else at.warn(`'${key}' has no value and is not set in the environment, left out`);
  };
  if (field.isMap()) {
    for (const [key, value] of field.entries()) {
      if (value.isNull()) bare(key, value);
      else {
        const text = readString(value);
        if (text !== undefined) out[key] = text;
      }
    }
    return out;
  }
  if (!field.isSeq()) {
    field.error(`expected a mapping or a list of KEY=value, got ${describe(field)}`);
    return undefined;
  }
  for (const item of field.items()) {
    const text = readString(item);
    if (text === undefined) continue;
    const eq = text.indexOf('=');
    const key = eq === -1 ? text : text.slice(0, eq);
    if (key === '') item.error(`'${text}' has no name before '='`);
    else if (eq === -1) bare(key, item);
    else out[key] = text.slice(eq + 1);
  }
  return out;
}
