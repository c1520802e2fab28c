/** Row <-> record mapping for each table: JSON columns, booleans, snake_case names. */
import type { NodeFacts } from '../../shared/payloads/facts.js';
import type { TaskSpec, TaskState } from '../../shared/payloads/tasks.js';
import { withSpecDefaults, type ServiceSpec } from '../../shared/service-spec.js';
import type { ClusterRecord, EventRecord, NodeRecord, ServiceRecord, TaskRecord, UpdateStatus } from './records.js';

export type Row = Record<string, string | number | null>;

export interface Codec<R extends { id: string }> {
  table: string;
  toRow(record: R): Row;
  fromRow(row: Row): R;
}

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const json = <T>(v: unknown): T => JSON.parse(String(v)) as T;

export const nodeCodec: Codec<NodeRecord> = {
  table: 'nodes',
  toRow: (n) => ({
    id: n.id,
    hostname: n.hostname,
    hostname_conflict: n.hostnameConflict,
    role: n.role,
    facts: n.facts === null ? null : JSON.stringify(n.facts),
    labels: JSON.stringify(n.labels),
    availability: n.availability,
    membership: n.membership,
    status: n.status,
    status_message: n.statusMessage,
    boot_id: n.bootId,
    last_seen_at: n.lastSeenAt,
    thermal_overrides: JSON.stringify(n.thermalOverrides),
    created_at: n.createdAt,
    updated_at: n.updatedAt,
  }),
  fromRow: (r) => ({
    id: str(r.id),
    hostname: str(r.hostname),
    hostnameConflict: strOrNull(r.hostname_conflict),
    role: str(r.role) as NodeRecord['role'],
    facts: r.facts === null ? null : json<NodeFacts>(r.facts),
    labels: json<Record<string, string>>(r.labels),
    availability: str(r.availability) as NodeRecord['availability'],
    membership: str(r.membership) as NodeRecord['membership'],
    status: str(r.status) as NodeRecord['status'],
    statusMessage: str(r.status_message),
    bootId: strOrNull(r.boot_id),
    lastSeenAt: numOrNull(r.last_seen_at),
    thermalOverrides: json<NodeRecord['thermalOverrides']>(r.thermal_overrides),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }),
};

export const serviceCodec: Codec<ServiceRecord> = {
  table: 'services',
  toRow: (s) => ({
    id: s.id,
    name: s.name,
    spec: JSON.stringify(s.spec),
    version: s.version,
    force_update: s.forceUpdate,
    previous_spec: s.previousSpec === null ? null : JSON.stringify(s.previousSpec),
    update_status: s.updateStatus === null ? null : JSON.stringify(s.updateStatus),
    vip: s.vip,
    created_at: s.createdAt,
    updated_at: s.updatedAt,
  }),
  fromRow: (r) => ({
    id: str(r.id),
    name: str(r.name),
    spec: withSpecDefaults(json<ServiceSpec>(r.spec)),
    version: Number(r.version),
    forceUpdate: Number(r.force_update),
    previousSpec: r.previous_spec === null || r.previous_spec === undefined ? null : withSpecDefaults(json<ServiceSpec>(r.previous_spec)),
    updateStatus: r.update_status === null || r.update_status === undefined ? null : json<UpdateStatus>(r.update_status),
    vip: strOrNull(r.vip),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }),
};

export const taskCodec: Codec<TaskRecord> = {
  table: 'tasks',
  toRow: (t) => ({
    id: t.id,
    service_id: t.serviceId,
    service_name: t.serviceName,
    slot: t.slot,
    node_id: t.nodeId,
    desired_state: t.desiredState,
    state: t.state,
    error: t.error,
    message: t.message,
    exit_code: t.exitCode,
    spec: JSON.stringify(t.spec),
    service_version: t.serviceVersion,
    force_update: t.forceUpdate,
    restart_history: JSON.stringify(t.restartHistory),
    restarted: t.restarted ? 1 : 0,
    runtime_id: t.runtimeId,
    created_at: t.createdAt,
    updated_at: t.updatedAt,
    started_at: t.startedAt,
    finished_at: t.finishedAt,
    health: t.health,
    health_log: JSON.stringify(t.healthLog),
  }),
  fromRow: (r) => ({
    id: str(r.id),
    serviceId: str(r.service_id),
    serviceName: str(r.service_name),
    slot: numOrNull(r.slot),
    nodeId: strOrNull(r.node_id),
    desiredState: str(r.desired_state) as TaskRecord['desiredState'],
    state: str(r.state) as TaskState,
    error: strOrNull(r.error),
    message: str(r.message),
    exitCode: numOrNull(r.exit_code),
    spec: json<TaskSpec>(r.spec),
    serviceVersion: Number(r.service_version),
    forceUpdate: Number(r.force_update),
    restartHistory: json<number[]>(r.restart_history),
    restarted: Number(r.restarted) === 1,
    runtimeId: strOrNull(r.runtime_id),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    startedAt: numOrNull(r.started_at),
    finishedAt: numOrNull(r.finished_at),
    health: strOrNull(r.health) as TaskRecord['health'],
    healthLog: json<TaskRecord['healthLog']>(r.health_log),
  }),
};

export function clusterFromRow(r: Row): ClusterRecord {
  return {
    id: str(r.id),
    joinToken: str(r.join_token),
    adminTokenHash: str(r.admin_token_hash),
    brokerSecret: str(r.broker_secret),
    createdAt: Number(r.created_at),
  };
}

export function eventFromRow(r: Row): EventRecord {
  return {
    id: Number(r.id),
    at: Number(r.at),
    kind: str(r.kind),
    subject: str(r.subject),
    message: str(r.message),
    details: json<Record<string, unknown>>(r.details),
  };
}
