/** CPU and memory of a process from /proc (Linux), for the footprint figures. */
import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // USER_HZ on Linux (getconf CLK_TCK)

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at index 2 (state).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

export function rssBytes(pid) {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

/** Watches one process from now: peak RSS sampled every second, CPU as % of one core at `stop()`. */
export function watchProcess(pid) {
  const startedAt = process.hrtime.bigint();
  const cpuAtStart = cpuSeconds(pid);
  let peak = rssBytes(pid);
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, rssBytes(pid));
    } catch {
      clearInterval(timer); // the process is gone
    }
  }, 1000);
  return {
    stop() {
      clearInterval(timer);
      const wallS = Number(process.hrtime.bigint() - startedAt) / 1e9;
      peak = Math.max(peak, rssBytes(pid));
      return { wallS, cpuPctOfCore: ((cpuSeconds(pid) - cpuAtStart) / wallS) * 100, peakRssMB: peak / (1024 * 1024) };
    },
  };
}
