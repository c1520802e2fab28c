/** Runs the built `kelvin` command as a user would: a real process, real exit code and streams. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { IP_BIN } from './netns.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const KELVIN_BIN = `${REPO_ROOT}dist/cli/main.js`;

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `netns`: run it inside that network namespace (`ip netns exec`, which execs in place: same pid). */
export function spawnKelvin(args: string[], options: SpawnOptions = {}, netns?: string): ChildProcess {
  const argv = [process.execPath, KELVIN_BIN, ...args];
  const [file, ...rest] = netns ? [IP_BIN, 'netns', 'exec', netns, ...argv] : argv;
  return spawn(file ?? process.execPath, rest, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

export async function runKelvin(args: string[], options: SpawnOptions & { timeoutMs?: number } = {}): Promise<CliResult> {
  const child = spawnKelvin(args, options);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stdout, stderr };
}
