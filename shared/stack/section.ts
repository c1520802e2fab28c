/**
 * Reads one mapping of the stack file against what Kelvin knows about it: keys with a handler are
 * read, Compose keys Kelvin does not act on come back as warnings (never silently dropped),
 * `x-*` extension keys are skipped as Compose allows, and anything else is an error, so a typo
 * such as `replica:` fails the deploy instead of quietly running one copy.
 */
import type { Field } from './field.js';

export type Handlers = Record<string, (field: Field) => void>;

export function readSection(field: Field, handlers: Handlers, ignored: readonly string[] = []): void {
  if (!field.isMap()) {
    field.error(`expected a mapping, got ${field.isNull() ? 'nothing' : field.isSeq() ? 'a list' : 'a single value'}`);
    return;
  }
  for (const [key, entry] of field.entries()) {
    const handler = Object.hasOwn(handlers, key) ? handlers[key] : undefined;
    if (handler) handler(entry);
    else if (ignored.includes(key)) entry.warn('ignored: Kelvin does not act on this key');
    else if (!key.startsWith('x-')) entry.error(unknownKey(key, [...Object.keys(handlers), ...ignored]));
  }
}

/** "unknown key", with the nearest known key when it is a likely typo (`imgae` -> `image`). */
function unknownKey(key: string, known: readonly string[]): string {
  const nearest = known
    .map((k) => ({ k, d: editDistance(key.toLowerCase(), k) }))
    .filter(({ k, d }) => d <= (k.length >= 5 ? 2 : 1))
    .sort((a, b) => a.d - b.d)[0];
  return nearest ? `unknown key, did you mean '${nearest.k}'?` : 'unknown key';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min((prev[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, substitution));
    }
    prev = row;
  }
  return prev[b.length] ?? 0;
}

/** Reports each key a mapping must have but lacks; true when all are there. */
export function requireKeys(field: Field, keys: readonly string[]): boolean {
  if (!field.isMap()) return false;
  const present = new Set(field.entries().map(([key]) => key));
  const missing = keys.filter((key) => !present.has(key));
  for (const key of missing) field.error(`missing '${key}'`);
  return missing.length === 0;
}
