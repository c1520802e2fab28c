/** `kelvin node ls` and `node inspect` output. */
import type { NodeView } from '../../manager/api/views.js';
import { formatBytes } from '../../shared/units.js';
import { formatLines, formatTable } from '../output.js';
import { capitalize } from './time.js';

const temp = (c: number | null | undefined): string => (c === null || c === undefined ? '-' : `${c.toFixed(1)}°C`);

/** `Stable`, `Unstable`, `Unstable (2 brownouts)`. */
function power(p: NodeView['power']): string {
  const brownouts = p.brownouts === 0 ? '' : ` (${p.brownouts} brownout${p.brownouts === 1 ? '' : 's'})`;
  return `${capitalize(p.state)}${brownouts}`;
}

function limits(l: NodeView['thermal']['limits'], overrides: NodeView['thermalOverrides']): string {
  if (!l) return '-';
  const mark = (key: keyof NodeView['thermalOverrides']): string => (overrides[key] === undefined ? '' : '*');
  return `warn ${l.warnC}${mark('warnC')} / throttle ${l.throttleC}${mark('throttleC')} / critical ${l.criticalC}${mark('criticalC')} °C`;
}

/** `pi-1`, or `pi-1 (hostname conflict with pi-1-a1b2c3)` when another node holds the name. */
function hostname(n: NodeView): string {
  return n.hostnameConflict === null ? n.hostname : `${n.hostname} (hostname conflict with ${n.hostnameConflict})`;
}

/** The board's ambient sensors, warmest first: `31.4°C w1:28-0316a2794bff, 24.3°C 41% RH iio:bme280`. */
function ambientReadings(t: NodeView['telemetry']): string {
  const readings = [...(t?.ambient ?? [])].sort((a, b) => b.tempC - a.tempC);
  return readings.map((r) => `${temp(r.tempC)}${r.humidityPct === null ? '' : ` ${Math.round(r.humidityPct)}% RH`} ${r.sensor}`).join(', ');
}

function ambientLimits(o: NodeView['thermalOverrides']): string | null {
  const parts = [
    ['warn', o.ambientWarnC],
    ['throttle', o.ambientThrottleC],
    ['critical', o.ambientCriticalC],
  ].flatMap(([name, c]) => (c === undefined ? [] : [`${name} ${c}`]));
  return parts.length === 0 ? null : `${parts.join(' / ')} °C`;
}

export function nodeTable(nodes: NodeView[]): string {
  // The AMBIENT column only on clusters where some board has ambient sensors fitted.
  const ambient = nodes.some((n) => (n.telemetry?.ambient?.length ?? 0) > 0);
  const rows = nodes.map((n) => [
      n.id,
      hostname(n),
      n.membership === 'pending' ? 'Pending' : capitalize(n.status),
      capitalize(n.availability),
      n.role,
      n.platform?.arch ?? '-',
      n.board?.profile ?? '-',
      temp(n.thermal.cpuTempC ?? n.telemetry?.cpuTempC),
      capitalize(n.thermal.state),
      power(n.power),
      String(n.tasks),
    ]);
  const headers = ['ID', 'HOSTNAME', 'STATUS', 'AVAILABILITY', 'ROLE', 'ARCH', 'BOARD', 'TEMP', 'THERMAL', 'POWER', 'TASKS'];
  if (!ambient) return formatTable(headers, rows);
  const at = headers.indexOf('TEMP') + 1;
  const warmest = (n: NodeView): string => temp(Math.max(...(n.telemetry?.ambient ?? []).map((r) => r.tempC)));
  return formatTable(
    headers.toSpliced(at, 0, 'AMBIENT'),
    rows.map((row, i) => {
      const n = nodes[i];
      return row.toSpliced(at, 0, n && (n.telemetry?.ambient?.length ?? 0) > 0 ? warmest(n) : '-');
    }),
  );
}

/** Only when the board's sensing is degraded: late samples and sensors it could not read. */
function sensingLines(t: NodeView['telemetry']): string[] {
  if (!t) return [];
  return [
    ...(t.sampleLateMs === undefined ? [] : [`Sampling:      late by ${t.sampleLateMs} ms`]),
    ...(t.staleSensors === undefined ? [] : [`Stale sensors: ${t.staleSensors.join(', ')}`]),
  ];
}

function labelLines(labels: Record<string, string>): string[] {
  const entries = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? ['  (none)'] : entries.map(([k, v]) => `  - ${k}=${v}`);
}

/** The human summary `node inspect --pretty` gives in docker. */
export function nodeDetails(n: NodeView): string {
  const t = n.telemetry;
  const lines = [
    `ID:            ${n.id}`,
    `Hostname:      ${hostname(n)}`,
    `Role:          ${n.role}`,
    `Status:        ${capitalize(n.status)}${n.statusMessage ? ` (${n.statusMessage})` : ''}`,
    `Availability:  ${capitalize(n.availability)}`,
    `Membership:    ${capitalize(n.membership)}`,
    `Platform:      ${n.platform ? `${n.platform.os}/${n.platform.arch}` : '-'}`,
    `Board:         ${n.board ? `${n.board.profile}${n.board.model ? ` (${n.board.model})` : ''}` : '-'}`,
    `Resources:     ${n.resources ? `${n.resources.cpus} CPUs, ${formatBytes(n.resources.memoryBytes)} memory, ${n.resources.gpus.length} GPUs` : '-'}`,
    `Drivers:       ${n.drivers.join(', ') || '-'}`,
    `Tasks:         ${n.tasks}`,
    `CPU temp:      ${temp(n.thermal.cpuTempC ?? t?.cpuTempC)}`,
    ...(t?.ambient?.length ? [`Ambient:       ${ambientReadings(t)}`] : []),
    ...(ambientLimits(n.thermalOverrides) ? [`Ambient limits: ${ambientLimits(n.thermalOverrides)}`] : []),
    `Thermal:       ${capitalize(n.thermal.state)}`,
    `Limits:        ${limits(n.thermal.limits, n.thermalOverrides)}`,
    `Power:         ${power(n.power)}`,
    ...(n.refusal ? [`New work:      refused (${n.refusal})`] : []),
    `Load (1m):     ${t?.load1 ?? '-'}`,
    ...sensingLines(t),
    'Labels:',
    ...labelLines(n.labels),
    'Engine labels:',
    ...labelLines(n.engineLabels),
  ];
  return formatLines(lines);
}
