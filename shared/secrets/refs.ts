/**
 * Secrets and configs as services reference them (Swarm's SecretReference/ConfigReference): the
 * source name, where the task sees it, and the file's owner and mode. A service spec and the task
 * specs made from it carry only these references, never values.
 */
import { z } from 'zod';

/** Swarm's size limit for a secret or config value. */
export const MAX_MATERIAL_BYTES = 500 * 1024;
/** References one service may hold, per kind. */
export const MAX_MATERIAL_REFS = 64;

export type MaterialKind = 'secret' | 'config';

/** Docker's label for what a stack made; `stack rm` removes the secrets and configs carrying it. */
export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';

/** Swarm's rule: letters, digits, `-`, `_`, `.`, starting and ending with a letter or digit, at most 64. */
const MATERIAL_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9])?$/;

export function materialNameProblem(kind: MaterialKind, name: string): string | null {
  return MATERIAL_NAME.test(name) ? null : `${kind} name '${name}': 1 to 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`;
}

/** A file name, or an absolute path of file names; never `.` or `..` as a part. */
const SEGMENT = /^[a-zA-Z0-9_.-]{1,255}$/;

export function targetProblem(target: string): string | null {
  const parts = target.startsWith('/') ? target.slice(1).split('/') : [target];
  const ok = target.length <= 1024 && parts.every((p) => SEGMENT.test(p) && p !== '.' && p !== '..');
  return ok ? null : `target '${target}': a file name or an absolute path (letters, digits, '-', '_', '.'; no '..')`;
}

export const materialRef = z
  .object({
    source: z.string().superRefine((s, ctx) => {
      const problem = materialNameProblem('secret', s);
      if (problem) ctx.addIssue({ code: 'custom', message: problem.replace(/^secret /, '') });
    }),
    target: z.string().superRefine((t, ctx) => {
      const problem = targetProblem(t);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    }),
    /** Owner of the file; null: root for containers, the agent's user for process tasks. */
    uid: z.number().int().nonnegative().max(0x7fffffff).nullable(),
    gid: z.number().int().nonnegative().max(0x7fffffff).nullable(),
    /** File mode; null: 0444 in containers (as Swarm), 0400 for process tasks. */
    mode: z.number().int().nonnegative().max(0o777).nullable(),
  })
  .strict();
export type MaterialRef = z.infer<typeof materialRef>;

export const materialRefs = z
  .array(materialRef)
  .max(MAX_MATERIAL_REFS, `over the limit of ${MAX_MATERIAL_REFS}`)
  .superRefine((refs, ctx) => {
    // Process tasks find each one by its file name in one directory, so file names must differ too.
    const seen = new Set<string>();
    for (const [i, ref] of refs.entries()) {
      const file = targetFileName(ref.target);
      if (seen.has(file)) ctx.addIssue({ code: 'custom', path: [i, 'target'], message: `target '${ref.target}': file name '${file}' is used twice` });
      seen.add(file);
    }
  });

/** The last part of a target: the file's name in a process task's directory. */
export function targetFileName(target: string): string {
  return target.slice(target.lastIndexOf('/') + 1);
}

/** Swarm's defaults: a secret appears as its name under /run/secrets, a config as /<name>. */
export function defaultTarget(kind: MaterialKind, source: string): string {
  return kind === 'secret' ? source : `/${source}`;
}
