/**
 * Turns a process task's spec into what to exec: argv (entrypoint + command), the environment
 * (the task's env over a minimal safe one, never the agent's own, which may hold credentials) and
 * the working directory. Problems here are permanent: the task is rejected, not retried.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { portEnv } from '../../mesh/task-ports.js';
import { RuntimeError } from '../types.js';

export const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface LaunchPlan {
  /** Absolute path of the program. */
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

export function baseEnv(): Record<string, string> {
  return { PATH: SAFE_PATH, HOME: process.env.HOME ?? '/', LANG: 'C.UTF-8' };
}

function isExecutableFile(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function resolveProgram(program: string, cwd: string, path: string): string | null {
  if (program.includes('/')) {
    const full = isAbsolute(program) ? program : resolve(cwd, program);
    return isExecutableFile(full) ? full : null;
  }
  for (const dir of path.split(':')) {
    if (dir === '') continue;
    const full = join(dir, program);
    if (isExecutableFile(full)) return full;
  }
  return null;
}

function workingDir(spec: TaskSpec, defaultDir: string): string {
  if (spec.workdir === null) {
    mkdirSync(defaultDir, { recursive: true });
    return defaultDir;
  }
  let isDir = false;
  try {
    isDir = statSync(spec.workdir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isAbsolute(spec.workdir) || !isDir) {
    throw new RuntimeError(`task ${spec.id}: workdir ${spec.workdir} is not an existing absolute directory`, 'permanent');
  }
  return spec.workdir;
}

/** `defaultDir` is used (and created) when the spec names no workdir. */
export function planLaunch(spec: TaskSpec, defaultDir: string): LaunchPlan {
  const argv = [...(spec.entrypoint ?? []), ...(spec.command ?? [])];
  const program = argv[0];
  if (program === undefined || program === '') {
    throw new RuntimeError(`task ${spec.id}: a process task needs a command (entrypoint and command are empty)`, 'permanent');
  }
  const cwd = workingDir(spec, defaultDir);
  const env = { ...baseEnv(), ...spec.env, ...portEnv(spec) };
  const file = resolveProgram(program, cwd, env.PATH ?? SAFE_PATH);
  if (file === null) {
    throw new RuntimeError(`task ${spec.id}: program ${JSON.stringify(program)} not found or not executable (PATH=${env.PATH})`, 'permanent');
  }
  return { file, args: argv.slice(1), env, cwd };
}
