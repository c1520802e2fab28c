/**
 * Which desired set the agent has applied, and whether a new one supersedes it. Within one
 * manager incarnation the generation orders sets: an older one is a stale copy and is ignored
 * (fencing). A set from an incarnation the agent has not seen comes from a manager that started
 * again, possibly on a database restored from a backup whose generations are lower: it is accepted
 * whatever its generation. An incarnation the agent has already left behind never comes back (a
 * manager makes a fresh one at every start), so a late copy from it is ignored too.
 */
import { z } from 'zod';
import type { DesiredTaskSet } from '../../shared/payloads/tasks.js';

/** How many left-behind incarnations the agent remembers: far more than a late copy can lag. */
const RETIRED_KEPT = 16;

export const appliedSet = z.object({
  /** Null before the first set, or when the manager predates incarnations. */
  incarnation: z.string().nullable(),
  /** -1 before the first set. */
  generation: z.number().int().min(-1),
  /** Incarnations left behind, newest first. */
  retired: z.array(z.string()).max(RETIRED_KEPT),
});
export type AppliedSet = z.infer<typeof appliedSet>;

export const NOTHING_APPLIED: AppliedSet = { incarnation: null, generation: -1, retired: [] };

export type Verdict = { accept: true; next: AppliedSet; newIncarnation: boolean } | { accept: false; reason: string };

export function judgeDesiredSet(applied: AppliedSet, set: Pick<DesiredTaskSet, 'incarnation' | 'generation'>): Verdict {
  const incarnation = set.incarnation ?? null;
  if (incarnation === applied.incarnation) {
    if (set.generation < applied.generation) return { accept: false, reason: 'ignoring an older desired task set' };
    return { accept: true, next: { ...applied, generation: set.generation }, newIncarnation: false };
  }
  if (incarnation === null || applied.retired.includes(incarnation)) {
    return { accept: false, reason: 'ignoring a desired task set from an earlier manager incarnation' };
  }
  const retired = applied.incarnation === null ? applied.retired : [applied.incarnation, ...applied.retired].slice(0, RETIRED_KEPT);
  return { accept: true, next: { incarnation, generation: set.generation, retired }, newIncarnation: true };
}
