/**
 * `--filter key=value` on list commands, with Swarm's semantics: the same key given twice matches
 * either value, different keys must all match. Each list names the keys it knows; any other key
 * is refused with the list of known ones. Lists are filtered here, on what the API returned.
 */
import { UsageError } from '../errors.js';

export type FilterMatchers<T> = Record<string, { test: (item: T, value: string) => boolean; values?: readonly string[] }>;

export function parseFilters<T>(items: readonly string[], matchers: FilterMatchers<T>): Map<string, string[]> {
  const wanted = new Map<string, string[]>();
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--filter: '${item}' is not KEY=VALUE`);
    const key = item.slice(0, eq).trim().toLowerCase();
    const value = item.slice(eq + 1).trim();
    const matcher = matchers[key];
    if (!matcher) throw new UsageError(`--filter: unknown key '${key}' (known: ${Object.keys(matchers).join(', ')})`);
    if (matcher.values && !matcher.values.includes(value.toLowerCase())) throw new UsageError(`--filter ${key}: '${value}' is not one of ${matcher.values.join(', ')}`);
    wanted.set(key, [...(wanted.get(key) ?? []), value]);
  }
  return wanted;
}

export function applyFilters<T>(items: readonly T[], wanted: Map<string, string[]>, matchers: FilterMatchers<T>): T[] {
  return items.filter((item) => [...wanted].every(([key, values]) => values.some((v) => matchers[key]?.test(item, v) ?? false)));
}

/** `label=KEY` (present) or `label=KEY=VALUE`, as docker matches labels. */
export function labelMatches(labels: Record<string, string>, wanted: string): boolean {
  const eq = wanted.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, wanted);
  return labels[wanted.slice(0, eq)] === wanted.slice(eq + 1);
}

/** Swarm's id filter matches a prefix; names match a prefix as well. */
export const prefixOf = (value: string, wanted: string): boolean => value.startsWith(wanted);

export const sameWord = (value: string, wanted: string): boolean => value.toLowerCase() === wanted.toLowerCase();
