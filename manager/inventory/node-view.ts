/**
 * How the rest of the manager sees a node: labels merged (manager-set over agent-reported, so an
 * agent cannot steer privileged work to itself), the constraint subject, the scheduler's view.
 */
import { warmestAmbient } from '../../shared/ambient.js';
import type { ConstraintSubject } from '../../shared/constraints/subject.js';
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import type { Resources, SchedulableNode } from '../scheduler/types.js';
import type { NodeRecord } from '../store/records.js';

export function nodeLabels(node: NodeRecord): Record<string, string> {
  return { ...(node.facts?.labels ?? {}), ...node.labels };
}

/**
 * Null until the node has reported facts (a node we know nothing about takes no work) and while it
 * waits for approval (`kelvin node accept`): no constraint can match it, so nothing is placed there.
 */
export function constraintSubject(node: NodeRecord, live?: { ambientC: number | null }): ConstraintSubject | null {
  const f = node.facts;
  if (!f || node.membership !== 'accepted') return null;
  return {
    id: node.id,
    hostname: node.hostname,
    hostnameConflict: node.hostnameConflict,
    role: node.role,
    platform: { os: f.os, arch: f.arch },
    labels: nodeLabels(node),
    engineLabels: { ...f.engineLabels },
    devices: f.devices ?? [],
    hw: {
      cpuCores: f.cpu.cores,
      memoryBytes: f.memoryBytes,
      gpuCount: f.gpus.length,
      gpuMemoryBytes: Math.max(0, ...f.gpus.map((g) => g.memoryBytes ?? 0)),
      ...(live ? { ambientC: live.ambientC } : {}),
    },
  };
}

/** A task already on the node, as far as placement cares. */
export interface PlacedTask {
  serviceId: string;
  reservations: Resources;
  /** What it takes in the node's desired set (desiredSetEntryBytes). */
  specBytes: number;
  /** Host-mode ports it publishes on the node (`9100/tcp`). */
  hostPorts: readonly string[];
}

/** `telemetry`: the node's latest sample (load and ambient readings), null before its first. */
export function schedulableNode(node: NodeRecord, placed: PlacedTask[], telemetry: Telemetry | null): SchedulableNode | null {
  const subject = constraintSubject(node, { ambientC: warmestAmbient(telemetry)?.tempC ?? null });
  if (!subject || !node.facts) return null;
  const reserved: Resources = { cpus: 0, memoryBytes: 0, gpus: 0 };
  const tasksByService = new Map<string, number>();
  const usedHostPorts = new Set<string>();
  let desiredSetBytes = 0;
  for (const t of placed) {
    for (const p of t.hostPorts) usedHostPorts.add(p);
    desiredSetBytes += t.specBytes;
    reserved.cpus += t.reservations.cpus;
    reserved.memoryBytes += t.reservations.memoryBytes;
    reserved.gpus += t.reservations.gpus;
    tasksByService.set(t.serviceId, (tasksByService.get(t.serviceId) ?? 0) + 1);
  }
  return {
    subject,
    ready: node.status === 'ready',
    availability: node.availability,
    drivers: [...node.facts.drivers],
    capacity: { cpus: node.facts.cpu.cores, memoryBytes: node.facts.memoryBytes, gpus: node.facts.gpus.length },
    reserved,
    tasksByService,
    totalTasks: placed.length,
    load1: telemetry?.load1 ?? null,
    desiredSetBytes,
    usedHostPorts,
  };
}
