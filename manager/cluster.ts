/**
 * The one entry point for reads and changes (HTTP API, CLI, tests). It validates, writes the store
 * and returns; the orchestrator and dispatcher react to the store's change events. Nodes and
 * services are resolved as Docker does: exact id, then exact name/hostname, then a unique id prefix.
 */
import { ConstraintError, parseConstraints } from '../shared/constraints/index.js';
import type { Telemetry } from '../shared/payloads/telemetry.js';
import { serviceSpec, type ServiceSpec } from '../shared/service-spec.js';
import { hashSecret, newJoinToken, safeEqual } from './broker/secrets.js';
import { joinTokenCaDigest } from '../shared/join-token.js';
import type { Clock } from './options.js';
import { buildTaskSpec, isOutdated, newObjectId } from './orchestrator/task-factory.js';
import { recordTransition } from './orchestrator/update-events.js';
import { freshStatus, rollbackPatch } from './orchestrator/updater.js';
import { allocatePorts, keepAssignedPorts } from './port-allocator.js';
import { allocateVip, DEFAULT_VIP_RANGE, parseVipRange, type VipRange } from './vip-allocator.js';
import { isSpreadDescriptor } from './scheduler/index.js';
import { ambientLimitsProblem, overlayLimits, thermalLimitsProblem } from './policy/index.js';
import type { Change, ClusterRecord, EventRecord, NodeAvailability, NodeRecord, ServiceRecord, TaskRecord, ThermalOverrides } from './store/records.js';
import type { EventQuery, Store } from './store/store.js';
import type { Materials } from './secrets/materials.js';
import { firstIssue } from '../shared/zod-issue.js';
import { MAX_CLUSTER_TASKS, MAX_LABELS, MAX_TASK_SPEC_BYTES } from '../shared/limits.js';
import { desiredSetEntryBytes } from '../shared/wire.js';

export type ClusterErrorCode = 'not-found' | 'conflict' | 'invalid' | 'ambiguous';

/** A refused request, with a message meant for the user and a code the API maps to a status. */
export class ClusterError extends Error {
  constructor(
    message: string,
    readonly code: ClusterErrorCode,
  ) {
    super(message);
    this.name = 'ClusterError';
  }
}

export interface NodeUpdate {
  labelAdd?: Record<string, string>;
  labelRm?: string[];
  availability?: NodeAvailability;
  /** Thermal limit overrides in C (`--thermal-warn/-throttle/-critical`); null goes back to the profile's. */
  thermal?: { [K in keyof ThermalOverrides]?: number | null };
}

export interface ServiceUpdate {
  /** The complete new spec (same name and mode). */
  spec?: unknown;
  /** `update --force`: replace every task even if nothing changed. */
  force?: boolean;
  /** The version the caller read the spec at: refused when the service changed since (no lost update). */
  version?: number;
}

export interface TaskQuery {
  /** Service id, name or id prefix. */
  service?: string;
  /** Node id, hostname or id prefix. */
  node?: string;
  desiredState?: TaskRecord['desiredState'];
}

export class Cluster {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    /** Refuses a spec naming a secret or config that does not exist (manager/secrets/materials.ts). */
    private readonly materials: Pick<Materials, 'checkRefs'> | null = null,
    private readonly vipRange: VipRange = parseVipRange(DEFAULT_VIP_RANGE) as VipRange,
  ) {}

  info(): Pick<ClusterRecord, 'id' | 'createdAt'> {
    const c = this.cluster();
    return { id: c.id, createdAt: c.createdAt };
  }

  // ---- nodes ----

  listNodes(): NodeRecord[] {
    return this.store.listNodes();
  }

  getNode(ref: string): NodeRecord {
    return resolve('node', ref, this.store.listNodes(), (n) => n.hostname);
  }

  updateNode(ref: string, update: NodeUpdate): NodeRecord {
    const node = this.getNode(ref);
    const labels = { ...node.labels, ...(update.labelAdd ?? {}) };
    for (const key of update.labelRm ?? []) {
      if (!(key in labels)) throw new ClusterError(`node ${node.hostname} has no label '${key}' set by the manager`, 'invalid');
      delete labels[key];
    }
    for (const key of Object.keys(update.labelAdd ?? {})) {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(key)) throw new ClusterError(`invalid label name '${key}': letters, digits, _ . -`, 'invalid');
    }
    const count = Object.keys(labels).length;
    if (count > MAX_LABELS) throw new ClusterError(`labelAdd: node ${node.hostname} would have ${count} labels, over the limit of ${MAX_LABELS}`, 'invalid');
    const thermalOverrides = thermalOverridesOf(node, update.thermal ?? {});
    return this.store.transaction(() => {
      const updated = this.store.updateNode(node.id, { labels, availability: update.availability ?? node.availability, thermalOverrides });
      if (!updated) throw new ClusterError(`node ${ref} not found`, 'not-found');
      if (updated !== node) {
        this.store.addEvent('node.update', node.id, `node ${node.hostname} updated`, { labels, availability: updated.availability, thermalOverrides });
      }
      return updated;
    });
  }

  /**
   * Only a down node, unless forced; its tasks are rescheduled by the orchestrator. A forced
   * removal also revokes the node's credential, so a board that is still up cannot rejoin under
   * its id (the dispatcher tells it it was removed); a down node removed without force may rejoin.
   */
  removeNode(ref: string, options: { force?: boolean } = {}): void {
    const node = this.getNode(ref);
    if (node.status === 'ready' && !options.force) {
      throw new ClusterError(`node ${node.hostname} is ready; drain and stop its agent first, or remove it with --force`, 'conflict');
    }
    this.store.transaction(() => {
      if (options.force) this.store.revokeNode(node.id, 'kelvin node rm --force');
      this.store.deleteNode(node.id);
      this.store.addEvent('node.remove', node.id, `node ${node.hostname} removed`, { force: options.force ?? false });
    });
    this.store.forgetTelemetry(node.id);
  }

  /** `kelvin node accept`: a node that joined under --require-approval may take work from now on. */
  acceptNode(ref: string): NodeRecord {
    const node = this.getNode(ref);
    if (node.membership === 'accepted') return node;
    return this.store.transaction(() => {
      const accepted = this.store.updateNode(node.id, { membership: 'accepted' });
      this.store.addEvent('node.accept', node.id, `node ${node.hostname} accepted into the cluster`);
      return accepted ?? node;
    });
  }

  /** The latest telemetry of a node by id, hostname or id prefix. */
  telemetry(ref: string): Telemetry | null {
    return this.telemetryOf(this.getNode(ref).id);
  }

  /** The latest telemetry of a node already resolved: one map lookup, for listings of every node. */
  telemetryOf(nodeId: string): Telemetry | null {
    return this.store.getTelemetry(nodeId);
  }

  // ---- services ----

  listServices(): ServiceRecord[] {
    return this.store.listServices();
  }

  getService(ref: string): ServiceRecord {
    return resolve('service', ref, this.store.listServices(), (s) => s.name);
  }

  createService(input: unknown): ServiceRecord {
    const requested = validateSpec(input);
    return this.store.transaction(() => {
      if (this.store.getServiceByName(requested.name)) throw new ClusterError(`service '${requested.name}' already exists`, 'conflict');
      this.materials?.checkRefs(requested);
      const spec = this.withPublishedPorts(requested, null);
      this.checkTaskCap(spec, null);
      const now = this.clock.now();
      const vip = this.freeVip();
      const service = this.store.insertService({ id: newObjectId(), name: spec.name, spec, version: 1, forceUpdate: 0, previousSpec: null, updateStatus: null, vip, createdAt: now, updatedAt: now });
      this.store.addEvent('service.create', service.name, `service ${service.name} created`, { serviceId: service.id });
      return service;
    });
  }

  updateService(ref: string, update: ServiceUpdate): ServiceRecord {
    const current = this.getService(ref);
    const requested = update.spec === undefined ? current.spec : validateSpec(update.spec);
    if (requested.name !== current.name) throw new ClusterError(`service ${current.name} cannot be renamed (to ${requested.name})`, 'invalid');
    if (requested.mode !== current.spec.mode) throw new ClusterError(`service ${current.name}: mode cannot change from ${current.spec.mode} to ${requested.mode}`, 'invalid');
    if (update.version !== undefined && update.version !== current.version) {
      throw new ClusterError(`service ${current.name} changed since it was read (version ${current.version}, not ${update.version}); run the update again`, 'conflict');
    }
    return this.store.transaction(() => {
      this.materials?.checkRefs(requested);
      const spec = this.withPublishedPorts(requested, current);
      if (this.desiredTasks(spec) > this.desiredTasks(current.spec)) this.checkTaskCap(spec, current.id);
      const version = current.version + 1;
      const next = { ...current, spec, version, forceUpdate: current.forceUpdate + (update.force ? 1 : 0) };
      // A change the tasks see starts a rolling update (the orchestrator paces it); a scale does not.
      const rolls = this.store.listTasks({ serviceId: current.id, desiredState: 'running' }).some((t) => isOutdated(t, next));
      const updated = this.store.updateService(current.id, {
        spec,
        version,
        forceUpdate: next.forceUpdate,
        previousSpec: current.spec,
        ...(rolls ? { updateStatus: freshStatus('updating', version, this.clock.now(), 'update in progress', current.updateStatus) } : {}),
      });
      if (!updated) throw new ClusterError(`service ${ref} not found`, 'not-found');
      // `--force` asks again what the image is built for (a tag re-pushed with more platforms).
      if (update.force && spec.image !== null) this.store.forgetImagePlatforms(spec.image);
      this.store.addEvent('service.update', current.name, `service ${current.name} updated${update.force ? ' (forced)' : ''}`, { serviceId: current.id });
      if (rolls && updated.updateStatus) recordTransition(this.store, updated, updated.updateStatus);
      return updated;
    });
  }

  /** `kelvin service rollback`: back to the spec before the last update, rolled out with its rollback_config. */
  rollbackService(ref: string): ServiceRecord {
    const current = this.getService(ref);
    const patch = rollbackPatch(current, this.clock.now(), 'manually requested rollback');
    if (!patch) throw new ClusterError(`service ${current.name} has no previous spec to roll back to (it was never updated)`, 'invalid');
    return this.store.transaction(() => {
      // Another service may have taken one of the old spec's ports since: refused as at create/update.
      const spec = this.withPublishedPorts(patch.spec, current);
      if (this.desiredTasks(spec) > this.desiredTasks(current.spec)) this.checkTaskCap(spec, current.id);
      const updated = this.store.updateService(current.id, { ...patch, spec });
      if (!updated) throw new ClusterError(`service ${ref} not found`, 'not-found');
      recordTransition(this.store, updated, patch.updateStatus);
      return updated;
    });
  }

  scaleService(ref: string, replicas: number): ServiceRecord {
    const current = this.getService(ref);
    if (current.spec.mode !== 'replicated') throw new ClusterError(`service ${current.name} is global; only replicated services scale`, 'invalid');
    if (!Number.isInteger(replicas) || replicas < 0) throw new ClusterError(`replicas must be a whole number >= 0, got ${replicas}`, 'invalid');
    return this.updateService(current.id, { spec: { ...current.spec, replicas } });
  }

  /** Deletes the service; the orchestrator shuts its tasks down. */
  removeService(ref: string): void {
    const service = this.getService(ref);
    this.store.transaction(() => {
      this.store.deleteService(service.id);
      this.store.addEvent('service.remove', service.name, `service ${service.name} removed`, { serviceId: service.id });
    });
  }

  /**
   * A stack file's spec with the ports it leaves to the manager (`- "80"`) set to the ones the
   * service already has, so an unchanged file compares equal to what is stored.
   */
  withKeptPorts(spec: ServiceSpec): ServiceSpec {
    const current = this.store.getServiceByName(spec.name);
    return { ...spec, ports: keepAssignedPorts(spec.ports, current?.spec ?? null) };
  }

  /** `spec` with its `published: 0` ports assigned; refused when another service holds one of its ports. */
  private withPublishedPorts(spec: ServiceSpec, current: ServiceRecord | null): ServiceSpec {
    const others = this.store.listServices().filter((s) => s.id !== current?.id).map((s) => s.spec);
    const allocation = allocatePorts(spec, current?.spec ?? null, others);
    if (!allocation.ok) throw new ClusterError(`service ${spec.name}: ${allocation.error}`, 'conflict');
    return { ...spec, ports: allocation.ports };
  }

  /** Gives every service stored without a virtual address (by an older manager) one; at start. */
  assignMissingVips(): void {
    this.store.transaction(() => {
      for (const s of this.store.listServices()) if (s.vip === null) this.store.updateService(s.id, { vip: this.freeVip() });
    });
  }

  private freeVip(): string {
    const vip = allocateVip(this.vipRange, this.store.listServices().map((s) => s.vip));
    if (vip === null) throw new ClusterError(`no free virtual address left in ${this.vipRange.text} (--vip-range): remove a service, or start the manager with a larger range`, 'conflict');
    return vip;
  }

  /** Tasks the spec asks for: its replicas, or one per known node for a global service. */
  private desiredTasks(spec: ServiceSpec): number {
    return spec.mode === 'global' ? this.store.listNodes().length : spec.replicas;
  }

  /** Refuses a spec that would take the cluster's desired tasks over MAX_CLUSTER_TASKS (`replacing`: the service it updates). */
  private checkTaskCap(spec: ServiceSpec, replacing: string | null): void {
    let others = 0;
    for (const s of this.store.listServices()) if (s.id !== replacing) others += this.desiredTasks(s.spec);
    const own = this.desiredTasks(spec);
    if (others + own <= MAX_CLUSTER_TASKS) return;
    const what = spec.mode === 'global' ? `one task on each of ${own} nodes` : `${own} replicas`;
    throw new ClusterError(
      `${spec.mode === 'global' ? 'mode' : 'replicas'}: service ${spec.name} (${what}) would bring the cluster to ${others + own} tasks, over the cluster-wide limit of ${MAX_CLUSTER_TASKS} (${others} in other services)`,
      'invalid',
    );
  }

  // ---- tasks ----

  listTasks(query: TaskQuery = {}): TaskRecord[] {
    const serviceId = query.service === undefined ? undefined : this.getService(query.service).id;
    const nodeId = query.node === undefined ? undefined : this.getNode(query.node).id;
    return this.store.listTasks({ serviceId, nodeId, desiredState: query.desiredState });
  }

  getTask(ref: string): TaskRecord {
    const exact = this.store.getTask(ref);
    if (exact) return exact;
    return resolve('task', ref, this.store.listTasks(), () => null);
  }

  // ---- events, tokens, live changes ----

  events(query: EventQuery = {}): EventRecord[] {
    return this.store.listEvents(query);
  }

  joinToken(): string {
    return this.cluster().joinToken;
  }

  /**
   * New nodes need the new token; joined nodes keep connecting with their own secret. `prune` also
   * removes every node that never became ready (`lastSeenAt` null): ids a token holder made up, or
   * boards that joined and never worked; they must join again with the new token. Returns the new
   * token and the ids removed.
   */
  rotateJoinToken(options: { prune?: boolean } = {}): { joinToken: string; pruned: string[] } {
    return this.store.transaction(() => {
      // The CA stays: the new token carries the same digest (ensureClusterIdentity put it there).
      const digest = joinTokenCaDigest(this.cluster().joinToken);
      if (digest === null) throw new ClusterError('the join token carries no CA digest; restart the manager to renew it', 'invalid');
      const joinToken = newJoinToken(digest);
      this.store.saveCluster({ ...this.cluster(), joinToken });
      const pruned = options.prune ? this.store.listNodes().filter((n) => n.lastSeenAt === null) : [];
      for (const node of pruned) {
        this.store.deleteNode(node.id);
        this.store.forgetTelemetry(node.id);
        this.store.addEvent('node.remove', node.id, `node ${node.hostname} removed: it never became ready (join-token --rotate --prune)`, { force: true });
      }
      this.store.addEvent('cluster.join-token-rotate', 'cluster', `worker join token rotated${pruned.length > 0 ? `; ${pruned.length} never-ready nodes removed` : ''}`);
      return { joinToken, pruned: pruned.map((n) => n.id) };
    });
  }

  verifyAdminToken(token: string): boolean {
    return safeEqual(hashSecret(token), this.cluster().adminTokenHash);
  }

  /** Every committed change, for live API streams; returns the unsubscribe function. */
  subscribe(listener: (changes: Change[]) => void): () => void {
    this.store.on('change', listener);
    return () => this.store.off('change', listener);
  }

  private cluster(): ClusterRecord {
    const c = this.store.getCluster();
    if (!c) throw new Error('cluster identity missing: the store was not initialised by startManager');
    return c;
  }
}

/** The node's overrides with `changes` applied, checked against its profile (or among themselves before it reported one). */
function thermalOverridesOf(node: NodeRecord, changes: NonNullable<NodeUpdate['thermal']>): ThermalOverrides {
  const merged: ThermalOverrides = { ...node.thermalOverrides };
  for (const key of ['warnC', 'throttleC', 'criticalC', 'ambientWarnC', 'ambientThrottleC', 'ambientCriticalC'] as const) {
    const value = changes[key];
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  const profile = node.facts?.thermalLimits;
  const problem = thermalLimitsProblem(profile ? overlayLimits(profile, merged) : merged) ?? ambientLimitsProblem(merged);
  if (problem) throw new ClusterError(`node ${node.hostname}: ${problem}${profile ? ` (profile ${node.facts?.board.profile})` : ''}`, 'invalid');
  return merged;
}

function validateSpec(input: unknown): ServiceSpec {
  const parsed = serviceSpec.safeParse(input);
  if (!parsed.success) {
    const { where, message } = firstIssue(parsed.error, 'spec');
    throw new ClusterError(`invalid service spec at ${where}: ${message}`, 'invalid');
  }
  const spec = parsed.data;
  try {
    parseConstraints(spec.placement.constraints);
  } catch (err) {
    if (err instanceof ConstraintError) throw new ClusterError(err.message, 'invalid');
    throw err;
  }
  for (const p of spec.placement.preferences) {
    if (!isSpreadDescriptor(p.spread)) throw new ClusterError(`invalid placement preference 'spread=${p.spread}': use node.labels.<name>, node.id, node.hostname or node.platform.*`, 'invalid');
  }
  if (spec.driver === 'docker' && !spec.image) throw new ClusterError(`service ${spec.name}: the docker driver needs an image`, 'invalid');
  if (spec.driver === 'process' && !spec.command?.length) throw new ClusterError(`service ${spec.name}: the process driver needs a command`, 'invalid');
  const bytes = largestTaskBytes(spec);
  if (bytes > MAX_TASK_SPEC_BYTES) {
    throw new ClusterError(
      `service ${spec.name}: one task takes ${bytes} bytes in its node's desired set (env, labels, command and entrypoint, JSON-encoded), over the limit of ${MAX_TASK_SPEC_BYTES}`,
      'invalid',
    );
  }
  return spec;
}

/** A task of the spec at its largest: longest ids and slot number. */
function largestTaskBytes(spec: ServiceSpec): number {
  const id = 'x'.repeat(64);
  const service: ServiceRecord = { id, name: spec.name, spec, version: 1, forceUpdate: 0, previousSpec: null, updateStatus: null, vip: null, createdAt: 0, updatedAt: 0 };
  return desiredSetEntryBytes(buildTaskSpec(id, service, spec.mode === 'replicated' ? MAX_CLUSTER_TASKS : null));
}

/** Docker's lookup: exact id, then exact name, then a unique id prefix; ambiguity is an error. */
function resolve<T extends { id: string }>(what: string, ref: string, items: T[], nameOf: (item: T) => string | null): T {
  const byId = items.find((i) => i.id === ref);
  if (byId) return byId;
  const byName = items.filter((i) => nameOf(i) === ref);
  if (byName.length === 1 && byName[0]) return byName[0];
  if (byName.length > 1) throw new ClusterError(`${what} '${ref}' is ambiguous: ${byName.length} ${what}s have that name; use the id (${byName.map((i) => i.id).join(', ')})`, 'ambiguous');
  const byPrefix = ref.length > 0 ? items.filter((i) => i.id.startsWith(ref)) : [];
  if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
  if (byPrefix.length > 1) throw new ClusterError(`${what} '${ref}' is ambiguous: matches ${byPrefix.map((i) => i.id).join(', ')}`, 'ambiguous');
  throw new ClusterError(`${what} '${ref}' not found`, 'not-found');
}
