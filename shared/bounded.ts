/**
 * zod schemas for client input with the limits of limits.ts: each failure says which limit and by
 * how much, and names the entry (a map key, a list index) where that helps, never echoing an
 * oversized value back.
 */
import { z } from 'zod';
import { MAX_ARGS, MAX_ARGV_BYTES, MAX_LABEL_KEY_CHARS, MAX_LABEL_VALUE_CHARS, MAX_LABELS } from './limits.js';

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export interface MapBounds {
  /** Plural noun for messages: `labels`, `environment variables`. */
  what: string;
  maxEntries: number;
  maxKeyChars?: number;
  maxValueChars?: number;
  /** `KEY=value` in UTF-8 bytes. */
  maxEntryBytes?: number;
  /** All entries as `KEY=value`, in UTF-8 bytes. */
  maxTotalBytes?: number;
}

/** A string map (labels, environment) within `b`. */
export function boundedMap(b: MapBounds): z.ZodType<Record<string, string>> {
  return z.record(z.string(), z.string()).superRefine((map, ctx) => {
    const fail = (message: string, path: PropertyKey[] = []): void => ctx.addIssue({ code: 'custom', message, path });
    const entries = Object.entries(map);
    if (entries.length > b.maxEntries) return fail(`${entries.length} ${b.what}, over the limit of ${b.maxEntries}`);
    let total = 0;
    for (const [key, value] of entries) {
      if (b.maxKeyChars !== undefined && key.length > b.maxKeyChars) {
        return fail(`a name of ${key.length} characters ('${key.slice(0, 32)}...'), over the limit of ${b.maxKeyChars}`);
      }
      if (b.maxValueChars !== undefined && value.length > b.maxValueChars) {
        return fail(`value of ${value.length} characters, over the limit of ${b.maxValueChars}`, [key]);
      }
      const bytes = utf8Bytes(key) + 1 + utf8Bytes(value);
      if (b.maxEntryBytes !== undefined && bytes > b.maxEntryBytes) return fail(`${bytes} bytes, over the limit of ${b.maxEntryBytes} per entry`, [key]);
      total += bytes;
    }
    if (b.maxTotalBytes !== undefined && total > b.maxTotalBytes) return fail(`${total} bytes in all, over the limit of ${b.maxTotalBytes}`);
  });
}

/** Labels of a service or a node. */
export const boundedLabels = boundedMap({ what: 'labels', maxEntries: MAX_LABELS, maxKeyChars: MAX_LABEL_KEY_CHARS, maxValueChars: MAX_LABEL_VALUE_CHARS });

/** An argv (`command`, `entrypoint`): at most MAX_ARGS entries and MAX_ARGV_BYTES in all. */
export const boundedArgv = z.array(z.string()).superRefine((argv, ctx) => {
  if (argv.length > MAX_ARGS) return ctx.addIssue({ code: 'custom', message: `${argv.length} arguments, over the limit of ${MAX_ARGS}`, path: [] });
  const total = argv.reduce((sum, arg) => sum + utf8Bytes(arg) + 1, 0);
  if (total > MAX_ARGV_BYTES) ctx.addIssue({ code: 'custom', message: `${total} bytes in all, over the limit of ${MAX_ARGV_BYTES}`, path: [] });
});

/** A list of at most `max` strings of at most `maxChars` characters each. */
export function boundedList(what: string, max: number, maxChars: number): z.ZodType<string[]> {
  return z
    .array(z.string().max(maxChars, `over the limit of ${maxChars} characters`))
    .max(max, `over the limit of ${max} ${what}`);
}

/** A single string of at most `maxChars` characters. */
export function boundedString(maxChars: number): z.ZodString {
  return z.string().max(maxChars, `over the limit of ${maxChars} characters`);
}
