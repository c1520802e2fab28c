/**
 * Turns a zod failure into the one line Kelvin shows: where (the dotted path of the first issue,
 * or a caller's word for the whole input) and what is wrong. Every boundary that validates with
 * zod (wire payloads, options, API bodies, profiles, specs) words its error from this.
 */
import type { z } from 'zod';

export interface FirstIssue {
  /** The raw path, for callers that map its first key to a flag name. */
  path: readonly PropertyKey[];
  /** `a.b.0.c`, or `root` when the whole input is at fault. */
  where: string;
  message: string;
}

export function firstIssue(error: z.ZodError, root = '(root)'): FirstIssue {
  const issue = error.issues[0];
  const path = issue?.path ?? [];
  return { path, where: path.length > 0 ? path.map(String).join('.') : root, message: issue?.message ?? 'invalid value' };
}

/** Parses `input`, or throws `invalid <what> option <where>: <message>` (programmatic options). */
export function parseOptionsOrThrow<S extends z.ZodType>(schema: S, input: z.input<S>, what: string): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const { where, message } = firstIssue(r.error);
  throw new Error(`invalid ${what} option ${where}: ${message}`);
}
