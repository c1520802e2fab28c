/**
 * A task's secrets and configs on the board: one private directory per task under the materials
 * root (`/run/kelvin/materials/<task>`, tmpfs, where the board has a writable /run), mode 0700,
 * with `secrets/` and `configs/` holding one file per reference named by its target's file name.
 * Process tasks get the two directories in $KELVIN_SECRETS_DIR and $KELVIN_CONFIGS_DIR; containers
 * get each file bind-mounted read-only at /run/secrets/<target> (secrets) or its target (configs).
 * Written just before the task is prepared, removed when it ends or is dropped; at agent start,
 * what a crashed agent left behind is swept (sweep()), and a task it adopts whose files are gone
 * gets them again (complete()). Each node has its own root under /run
 * (`/run/kelvin/materials/<node>`), so agents sharing a host never sweep each other's tasks.
 */
import { accessSync, chmodSync, chownSync, constants, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../../shared/payloads/tasks.js';
import { targetFileName, type MaterialKind, type MaterialRef } from '../../shared/secrets/refs.js';
import { isSafeTaskId } from '../runtime/task-dir.js';
import { RuntimeError } from '../runtime/types.js';

export type FetchMaterial = (taskId: string, kind: MaterialKind, name: string) => Promise<Buffer>;

/** Docker's default for secrets and configs; process tasks, which run as the agent's own user, get 0400. */
const CONTAINER_MODE = 0o444;
const PROCESS_MODE = 0o400;

/** `/run/kelvin/materials/<node>` when /run is there and writable (tmpfs: values never touch a disk), else under the state dir. */
export function materialsRoot(stateDir: string, nodeId: string): string {
  try {
    if (statSync('/run').isDirectory()) {
      accessSync('/run', constants.W_OK);
      return join('/run/kelvin/materials', nodeId);
    }
  } catch {
    // not writable: fall back to the state dir
  }
  return join(stateDir, 'materials');
}

function refsOf(spec: TaskSpec, kind: MaterialKind): MaterialRef[] {
  return (kind === 'secret' ? spec.secrets : spec.configs) ?? [];
}

export function hasMaterials(spec: TaskSpec): boolean {
  return refsOf(spec, 'secret').length + refsOf(spec, 'config').length > 0;
}

function taskDir(root: string, taskId: string): string {
  if (!isSafeTaskId(taskId)) throw new RuntimeError(`task id ${JSON.stringify(taskId)} is not a safe folder name`, 'permanent');
  return join(root, taskId);
}

function kindDir(root: string, taskId: string, kind: MaterialKind): string {
  return join(taskDir(root, taskId), `${kind}s`);
}

/** $KELVIN_SECRETS_DIR and $KELVIN_CONFIGS_DIR for a process task that has any. */
export function materialEnv(spec: TaskSpec, root: string | null): Record<string, string> {
  if (root === null || !hasMaterials(spec)) return {};
  return { KELVIN_SECRETS_DIR: kindDir(root, spec.id, 'secret'), KELVIN_CONFIGS_DIR: kindDir(root, spec.id, 'config') };
}

export interface BindMount {
  Type: 'bind';
  Source: string;
  Target: string;
  ReadOnly: true;
}

/** Where a container sees each file: secrets under /run/secrets unless the target is absolute; configs at their target. */
export function materialMounts(spec: TaskSpec, root: string | null): BindMount[] {
  if (root === null) return [];
  return (['secret', 'config'] as const).flatMap((kind) =>
    refsOf(spec, kind).map((ref) => ({
      Type: 'bind' as const,
      Source: join(kindDir(root, spec.id, kind), targetFileName(ref.target)),
      Target: ref.target.startsWith('/') ? ref.target : kind === 'secret' ? `/run/secrets/${ref.target}` : `/${ref.target}`,
      ReadOnly: true as const,
    })),
  );
}

export class TaskMaterials {
  constructor(
    private readonly root: string,
    private readonly fetch: FetchMaterial,
  ) {}

  /** Fetches every value the task references and writes it; nothing is written unless all arrived. */
  async prepare(spec: TaskSpec): Promise<void> {
    if (!hasMaterials(spec)) return;
    const kinds = ['secret', 'config'] as const;
    const values = await Promise.all(kinds.map((kind) => Promise.all(refsOf(spec, kind).map((ref) => this.fetch(spec.id, kind, ref.source)))));
    const dir = taskDir(this.root, spec.id);
    try {
      mkdirSync(this.root, { recursive: true, mode: 0o700 });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
      for (const [k, kind] of kinds.entries()) {
        const sub = kindDir(this.root, spec.id, kind);
        mkdirSync(sub, { recursive: true, mode: 0o700 });
        for (const [i, ref] of refsOf(spec, kind).entries()) this.write(join(sub, targetFileName(ref.target)), values[k]?.[i] ?? Buffer.alloc(0), ref, spec);
      }
    } catch (err) {
      this.remove(spec.id);
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError(`task ${spec.id}: cannot write its secrets under ${this.root}: ${(err as Error).message}`, 'permanent');
    }
  }

  private write(path: string, value: Buffer, ref: MaterialRef, spec: TaskSpec): void {
    const mode = ref.mode ?? (spec.driver === 'docker' ? CONTAINER_MODE : PROCESS_MODE);
    rmSync(path, { force: true });
    // Created owner-only and loosened after the owner is set: the value is never readable by anyone else meanwhile.
    writeFileSync(path, value, { mode: 0o600, flag: 'wx' });
    if (ref.uid !== null || ref.gid !== null) chownSync(path, ref.uid ?? process.getuid?.() ?? 0, ref.gid ?? process.getgid?.() ?? 0);
    chmodSync(path, mode);
  }

  /**
   * At agent start: removes the directories of every task but `keep` (the tasks it adopted, still
   * running with their files mounted or named in their environment). Returns the task ids removed.
   */
  sweep(keep: ReadonlySet<string>): string[] {
    let names: string[];
    try {
      names = readdirSync(this.root);
    } catch {
      return []; // no root yet: nothing was ever written
    }
    const stale = names.filter((name) => !keep.has(name));
    for (const name of stale) rmSync(join(this.root, name), { recursive: true, force: true });
    return stale;
  }

  /** Whether every file the task references is on the board (true for a task that has none). */
  complete(spec: TaskSpec): boolean {
    return (['secret', 'config'] as const).every((kind) => refsOf(spec, kind).every((ref) => existsSync(join(kindDir(this.root, spec.id, kind), targetFileName(ref.target)))));
  }

  /** Idempotent; never throws (a task's end must not be lost to a clean-up error). */
  remove(taskId: string): void {
    if (!isSafeTaskId(taskId)) return;
    try {
      rmSync(join(this.root, taskId), { recursive: true, force: true });
    } catch {
      // retried when the task is dropped
    }
  }
}
