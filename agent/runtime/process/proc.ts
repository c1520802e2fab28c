/**
 * Reads the kernel's view of processes from /proc: who is in a process group or session, how much
 * CPU they used, and when they started (the start time tells a reused pid from the one we spawned).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** utime/stime/starttime are in USER_HZ ticks, which Linux fixes at 100 for user space on every arch. */
export const USER_HZ = 100;

export interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** utime + stime, in ticks. */
  cpuTicks: number;
  /** Ticks after boot when the process started. */
  startTicks: number;
}

export function parseProcStat(text: string): ProcStat | null {
  // The command name sits in parentheses and may itself contain spaces and ')'.
  const close = text.lastIndexOf(')');
  const open = text.indexOf('(');
  if (open < 0 || close < open) return null;
  const pid = Number(text.slice(0, open).trim());
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state) of proc(5); field n is f[n - 3].
  const num = (field: number): number => Number(f[field - 3]);
  const stat: ProcStat = {
    pid,
    state: f[0] ?? '?',
    ppid: num(4),
    pgrp: num(5),
    session: num(6),
    cpuTicks: num(14) + num(15),
    startTicks: num(22),
  };
  return Object.values(stat).every((v) => typeof v === 'string' || Number.isFinite(v)) ? stat : null;
}

export function readProcStat(pid: number): ProcStat | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Every process that still runs (zombies are dead: only their parent's wait can clear them). */
export function liveProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat && stat.state !== 'Z' && stat.state !== 'X') out.push(stat);
  }
  return out;
}

export function groupMembers(pgid: number): ProcStat[] {
  return liveProcesses().filter((p) => p.pgrp === pgid);
}

export function sessionMembers(sid: number): ProcStat[] {
  return liveProcesses().filter((p) => p.session === sid);
}

/**
 * Resolves once `pid` leads its own session (node-pty's child calls setsid() just after fork),
 * has ended, or `timeoutMs` passed; with the last stat read, null when the process is gone.
 */
export async function waitForSessionLeader(pid: number, timeoutMs = 2000): Promise<ProcStat | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stat = readProcStat(pid);
    if (stat === null || stat.session === pid || stat.state === 'Z' || Date.now() >= deadline) return stat;
    await new Promise((r) => setTimeout(r, 1));
  }
}
