/**
 * Signals to a task's whole process group. node-pty makes the task's first process a session and
 * group leader, so kill(-pid) reaches it and every child it forked (background jobs included).
 */
import { groupMembers } from './proc.js';

const POLL_MS = 50;
/** How long SIGKILLed processes may take to disappear before we give up waiting. */
const KILL_SETTLE_MS = 2000;

/** False when the group no longer exists. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitForEmptyGroup(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (groupMembers(pgid).length === 0) return true;
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
}

/** SIGKILL to the group; resolves once no member runs (or the kill settle time has passed). */
export async function killGroup(pgid: number): Promise<void> {
  if (signalGroup(pgid, 'SIGKILL')) await waitForEmptyGroup(pgid, KILL_SETTLE_MS);
}

/**
 * SIGTERM to the group (plus SIGCONT, so a stopped group can act on it), SIGKILL to whatever is
 * left after `graceMs`. Resolves with the signal that ended the group once no member runs.
 */
export async function terminateGroup(pgid: number, graceMs: number): Promise<'SIGTERM' | 'SIGKILL'> {
  if (!signalGroup(pgid, 'SIGTERM')) return 'SIGTERM';
  signalGroup(pgid, 'SIGCONT');
  if (await waitForEmptyGroup(pgid, graceMs)) return 'SIGTERM';
  await killGroup(pgid);
  return 'SIGKILL';
}
