/**
 * `<stateDir>/agent.pid`: which process runs the agent on this state dir, so `kelvin agent leave`
 * can hand the leave to it (SIGUSR2) instead of a second agent fighting it over the same tasks.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const PID_FILE = 'agent.pid';

/** The signal that asks a running agent to leave the cluster. */
export const LEAVE_SIGNAL = 'SIGUSR2';

export function writePidFile(stateDir: string): void {
  writeFileSync(join(stateDir, PID_FILE), `${process.pid}\n`, { mode: 0o600 });
}

/** Removes the file if it still names this process (a newer agent may have taken the state dir). */
export function removePidFile(stateDir: string): void {
  if (readPid(stateDir) === process.pid) rmSync(join(stateDir, PID_FILE), { force: true });
}

/** The pid of a live agent on this state dir, or null (no file, or the process is gone). */
export function runningAgentPid(stateDir: string): number | null {
  const pid = readPid(stateDir);
  if (pid === null || pid === process.pid) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, but another user's; it is still the agent holding the state dir.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}

function readPid(stateDir: string): number | null {
  try {
    const pid = Number(readFileSync(join(stateDir, PID_FILE), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}
