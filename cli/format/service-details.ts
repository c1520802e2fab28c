/** `kelvin service inspect --pretty`: the summary `docker service inspect --pretty` gives. */
import type { ServiceView } from '../../manager/api/views.js';
import { formatBytes } from '../../shared/units.js';
import { formatLines } from '../output.js';
import { portLines } from './ports.js';
import { serviceRuns } from './services.js';

const seconds = (ms: number): string => `${ms / 1000}s`;
const rollout = (c: ServiceView['spec']['updateConfig']): string =>
  `parallelism ${c.parallelism || 'all'}, delay ${seconds(c.delayMs)}, monitor ${seconds(c.monitorMs)}, on failure ${c.failureAction}, max failure ratio ${c.maxFailureRatio}, ${c.order}`;
const list = (items: string[]): string[] => (items.length === 0 ? ['  (none)'] : items.map((i) => `  - ${i}`));
const pairs = (map: Record<string, string>): string[] => list(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}=${v}`));

export function serviceDetails(s: ServiceView): string {
  const { spec } = s;
  const { limits, reservations } = spec.resources;
  const rp = spec.restartPolicy;
  const lines = [
    `ID:             ${s.id}`,
    `Name:           ${s.name}`,
    ...(s.stack ? [`Stack:          ${s.stack}`] : []),
    `Mode:           ${spec.mode === 'global' ? 'Global' : `Replicated (${spec.replicas} replicas)`}`,
    `Running:        ${s.running}/${s.desired}`,
    `Driver:         ${spec.driver}`,
    `${(spec.driver === 'docker' ? 'Image:' : 'Command:').padEnd(16)}${serviceRuns(s)}`,
    ...(spec.driver === 'docker' && spec.command ? [`Args:           ${spec.command.join(' ')}`] : []),
    ...(spec.workdir ? [`Workdir:        ${spec.workdir}`] : []),
    'Placement:',
    '  Constraints:',
    ...list(spec.placement.constraints).map((l) => `  ${l}`),
    ...(spec.placement.preferences.length > 0 ? ['  Preferences:', ...list(spec.placement.preferences.map((p) => `spread=${p.spread}`)).map((l) => `  ${l}`)] : []),
    ...(spec.placement.maxReplicasPerNode > 0 ? [`  Max replicas per node: ${spec.placement.maxReplicasPerNode}`] : []),
    'Resources:',
    `  Limits:       ${[limits.cpus === null ? null : `${limits.cpus} CPUs`, limits.memoryBytes === null ? null : formatBytes(limits.memoryBytes)].filter(Boolean).join(', ') || '-'}`,
    `  Reservations: ${[reservations.cpus === null ? null : `${reservations.cpus} CPUs`, reservations.memoryBytes === null ? null : formatBytes(reservations.memoryBytes), reservations.gpus ? `${reservations.gpus} GPUs` : null].filter(Boolean).join(', ') || '-'}`,
    `Restart policy: ${rp.condition}, delay ${seconds(rp.delayMs)}, max attempts ${rp.maxAttempts || 'unlimited'}${rp.windowMs ? `, window ${seconds(rp.windowMs)}` : ''}`,
    `Stop grace:     ${seconds(spec.stopGracePeriodMs)}`,
    `Heat:           ${spec.thermal.movable ? 'moved off a hot node' : 'pinned (throttled in place, never moved)'}`,
    ...(spec.ports.length > 0 ? ['Ports:', ...list(portLines(spec.ports))] : []),
    ...(spec.expose.length > 0 ? [`Expose:         ${spec.expose.map((p) => `${p.target}/${p.protocol}`).join(', ')}`] : []),
    ...(spec.networks.length > 0 ? [`Networks:       ${spec.networks.join(', ')}`] : []),
    ...(s.vip ? [`Virtual IP:     ${s.vip}`] : []),
    'Environment:',
    ...pairs(spec.env),
    'Labels:',
    ...pairs(spec.labels),
    `Update config:  ${rollout(spec.updateConfig)}`,
    `Rollback config: ${rollout(spec.rollbackConfig)}`,
    ...(s.updateStatus
      ? [`Update status:  ${s.updateStatus.state} since ${new Date(s.updateStatus.completedAt ?? s.updateStatus.startedAt).toISOString()}: ${s.updateStatus.message}`]
      : []),
    `Version:        ${s.version}`,
    `Created:        ${new Date(s.createdAt).toISOString()}`,
    `Updated:        ${new Date(s.updatedAt).toISOString()}`,
  ];
  return formatLines(lines);
}
