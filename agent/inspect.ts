/** The human summary `kelvin agent --once` prints: what the agent sees on this board, right now. */
import { formatBytes } from '../shared/units.js';
import type { BoardFacts, Reading } from './sensing.js';

const NA = 'n/a';

function celsius(value: number | null): string {
  return value === null ? NA : `${value.toFixed(1)} C`;
}

function flag(value: boolean | null): string {
  return value === null ? NA : value ? 'YES' : 'no';
}

function bytes(value: number | null): string {
  return value === null ? NA : formatBytes(value);
}

function list(items: string[]): string {
  return items.length > 0 ? items.join(', ') : 'none';
}

export function formatBoardSummary(facts: BoardFacts, reading: Reading): string {
  const limits = facts.thermalLimits;
  const p = reading.power;
  const gpuLines = facts.gpus.map((g, i) => {
    const r = reading.gpus.find((x) => x.index === i);
    const mem = g.memoryBytes === null ? '' : ` ${formatBytes(g.memoryBytes)}`;
    const live = r
      ? `${celsius(r.tempC)}, ${r.utilPct === null ? NA : `${r.utilPct}%`} busy, ${bytes(r.memUsedBytes)} used, thermal slowdown ${flag(r.thermalSlowdown)}`
      : NA;
    return `  [${i}] ${g.vendor} ${g.model}${mem}: ${live}`;
  });
  const lines = [
    `Board:       ${facts.board.model ?? 'unknown model'} (profile ${facts.board.profile})`,
    `Host:        ${facts.hostname}, ${facts.os}/${facts.arch}, boot ${facts.bootId}`,
    `CPU:         ${facts.cpu.model ?? 'unknown'} x ${facts.cpu.cores}`,
    `Memory:      ${formatBytes(facts.memoryBytes)} total, ${bytes(reading.memUsedBytes)} used`,
    `Load (1m):   ${reading.load1 ?? NA}`,
    `CPU temp:    ${celsius(reading.cpuTempC)} (warn ${limits.warnC} C, throttle ${limits.throttleC} C, critical ${limits.criticalC} C, hysteresis ${limits.hysteresisC} C)`,
    `Temps:       ${list(reading.temps.map((t) => `${t.sensor} ${celsius(t.tempC)}`))}`,
    `Voltages:    ${list(reading.voltages.map((v) => `${v.rail} ${v.volts.toFixed(3)} V`))}`,
    `Power:       under-voltage now ${flag(p.underVoltageNow)}, since boot ${flag(p.underVoltageOccurred)}; throttled ${flag(p.throttledNow)}; ` +
      `frequency capped ${flag(p.freqCappedNow)}; soft temp limit ${flag(p.softTempLimitNow)}; input ${p.inputVolts === null ? NA : `${p.inputVolts.toFixed(2)} V`}`,
    ...(reading.staleSensors ? [`Stale:       ${list(reading.staleSensors)} (present but unreadable; see the log)`] : []),
    `GPUs:        ${facts.gpus.length === 0 ? 'none' : `${facts.gpus.length}${reading.gpuStale ? ' (readings stale: nvidia-smi not answering)' : ''}`}`,
    ...gpuLines,
    `Labels:      ${list(Object.entries(facts.labels).map(([k, v]) => `${k}=${v}`))}`,
  ];
  return lines.join('\n');
}
