/**
 * Durable cluster state in one SQLite file (WAL, mode 600) with typed accessors. Every write runs
 * in a transaction; once it commits, `change` fires once with everything that changed, so the
 * orchestrator, dispatcher and API streams react to committed state only, never to half a change.
 * Latest telemetry is kept in memory (it changes every second and is worthless after a restart),
 * and node records are read from memory after the first load (see NodeCache).
 *
 * A data disk that refuses a write (SQLITE_FULL, SQLITE_IOERR*) turns the store read-only: the
 * failed transaction rolls back, `diskFull` fires once, and from then on every write statement
 * throws the same DataDiskFullError before touching the database (its transaction rolls back;
 * reads keep working) until `probeWritable()` finds that a write goes through again and fires
 * `diskWritable`. A store opened on a disk that is already full starts that way.
 */
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import { EventEmitter } from 'node:events';
import { chmodSync, closeSync, existsSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import { silentLogger, type Logger } from '../../shared/logger.js';
import { collapsedMessage, DEFAULT_EVENT_LIMITS, EventRateLimiter, type EventLimits } from './event-limits.js';
import { clusterFromRow, eventFromRow, nodeCodec, serviceCodec, taskCodec, type Codec, type Row } from './codecs.js';
import { DataDiskFullError, diskFailureCode, logWriteFailure } from './disk-full.js';
import { migrate } from './migrations.js';
import { imagePlatforms, type ImagePlatform } from '../../shared/image-platform.js';
import { NodeCache } from './node-cache.js';
import { TaskCache, type TaskFilter } from './task-cache.js';
import type {
  Change,
  ClusterRecord,
  DesiredSetRecord,
  EventRecord,
  NodeCredentialRecord,
  NodeRecord,
  ServiceRecord,
  TaskRecord,
} from './records.js';

export interface StoreOptions {
  now?: () => number;
  logger?: Logger;
  /** Event rate limits and retention; defaults in DEFAULT_EVENT_LIMITS. */
  eventLimits?: Partial<EventLimits>;
}

export type { TaskFilter };

/** Images whose platforms are remembered; a cluster runs a few dozen. */
export const MAX_IMAGE_PLATFORM_ENTRIES = 1_000;

export interface EventQuery {
  /** Only events at or after this time (ms). */
  sinceMs?: number;
  /** Only events with an id above this one (for resuming a stream). */
  afterId?: number;
  /** Most recent N (default 1000). */
  limit?: number;
}

type Entity = NodeRecord | ServiceRecord | TaskRecord;
type EntityKind = 'node' | 'service' | 'task';

export interface StoreEvents {
  /** Everything one committed transaction changed. */
  change: [changes: Change[]];
  /** A node's latest telemetry (memory only; fires on every sample). */
  telemetry: [nodeId: string, telemetry: Telemetry];
  /** A write failed because the data disk refused it; writes are refused from now on. */
  diskFull: [error: DataDiskFullError];
  /** A probe write went through after `diskFull`: writes are accepted again. */
  diskWritable: [];
}

export class Store extends EventEmitter<StoreEvents> {
  private pending: Change[] = [];
  private readonly telemetryByNode = new Map<string, Telemetry>();
  /** Prepared once per SQL text: preparing on every call cost more than the query (one per telemetry message). */
  private readonly statements = new Map<string, Statement>();
  /** Loaded on the first node read; dropped when a transaction rolls back (it may hold its writes). */
  private nodeCache: NodeCache | null = null;
  /** Whether the running transaction changed the node cache (then a rollback drops it). */
  private nodeCacheWritten = false;
  /** Loaded on the first task read; dropped with a rolled-back transaction that wrote to it, as the node cache. */
  private taskCache: TaskCache | null = null;
  private taskCacheWritten = false;
  private readonly now: () => number;
  private readonly logger: Logger;
  private readonly eventLimits: EventLimits;
  private readonly eventLimiter: EventRateLimiter;
  /** Set while the data disk refuses writes. */
  private fullError: DataDiskFullError | null = null;

  private constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    options: StoreOptions,
  ) {
    super();
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? silentLogger();
    this.eventLimits = { ...DEFAULT_EVENT_LIMITS, ...options.eventLimits };
    this.eventLimiter = new EventRateLimiter(this.eventLimits);
  }

  /**
   * Opens (creating with mode 600) and migrates the database file, then tries one write: on a full
   * disk the store starts read-only (`diskFull` is set; reads work, writes throw DataDiskFullError).
   */
  static open(path: string, options: StoreOptions = {}): Store {
    const dataDir = path === ':memory:' ? path : dirname(path);
    if (path !== ':memory:' && !existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    let db: Db;
    try {
      db = openDatabase(path, false);
    } catch (err) {
      if (diskFailureCode(err) === null) throw err;
      // No room for the WAL index (-shm): keep it in this process's memory instead (exclusive lock).
      db = openDatabase(path, true);
    }
    try {
      migrate(db);
    } catch (err) {
      db.close();
      const code = diskFailureCode(err);
      throw code === null ? err : new DataDiskFullError(dataDir, code);
    }
    if (path !== ':memory:') chmodSync(path, 0o600);
    const store = new Store(db, dataDir, options);
    store.fullError = store.tryWrite();
    return store;
  }

  close(): void {
    this.db.close();
  }

  /** The open database, for parts that keep their own table in the same file (alert history). */
  get database(): Db {
    return this.db;
  }

  /**
   * Runs `fn` as one transaction: all of its writes commit together or none do. Nested calls join
   * the outer transaction. `change` fires after the commit, never for a rolled-back transaction.
   */
  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.pending = [];
    this.nodeCacheWritten = false;
    this.taskCacheWritten = false;
    let result: T;
    try {
      result = this.db.transaction(fn)();
    } catch (err) {
      this.pending = [];
      if (this.nodeCacheWritten) this.nodeCache = null;
      if (this.taskCacheWritten) this.taskCache = null;
      throw this.refusedByDisk(err) ?? err;
    }
    const changes = this.pending;
    this.pending = [];
    if (changes.length > 0) this.publish(changes);
    return result;
  }

  /** Why writes are refused now (the data disk is full), or null when they are accepted. */
  get diskFull(): DataDiskFullError | null {
    return this.fullError;
  }

  /**
   * After `diskFull`: tries one small real write and, when it goes through, accepts writes again
   * (firing `diskWritable`). Returns whether writes are accepted.
   */
  probeWritable(): boolean {
    if (!this.fullError) return true;
    const still = this.tryWrite();
    if (still) return false;
    this.fullError = null;
    this.emit('diskWritable');
    return true;
  }

  // ---- cluster ----

  getCluster(): ClusterRecord | null {
    const row = this.statement('SELECT * FROM cluster WHERE singleton = 1').get() as Row | undefined;
    return row ? clusterFromRow(row) : null;
  }

  saveCluster(cluster: ClusterRecord): ClusterRecord {
    return this.transaction(() => {
      const before = this.getCluster();
      this
        .writeStatement(
          `INSERT INTO cluster (singleton, id, join_token, admin_token_hash, broker_secret, created_at)
           VALUES (1, @id, @joinToken, @adminTokenHash, @brokerSecret, @createdAt)
           ON CONFLICT (singleton) DO UPDATE SET id = @id, join_token = @joinToken,
             admin_token_hash = @adminTokenHash, broker_secret = @brokerSecret`,
        )
        .run(cluster);
      this.pending.push({ kind: 'cluster', op: 'update', id: cluster.id, before, after: cluster });
      return cluster;
    });
  }

  // ---- nodes ----

  /** Served from memory (see NodeCache); the records are frozen. */
  listNodes(): NodeRecord[] {
    return this.nodes().list();
  }

  getNode(id: string): NodeRecord | null {
    return this.nodes().get(id);
  }

  /** Binds a new node id to its credential (first join). Throws if the id is taken. */
  registerNode(id: string, credential: NodeCredentialRecord, role: NodeRecord['role'], membership: NodeRecord['membership'] = 'accepted'): NodeRecord {
    return this.transaction(() => {
      const now = this.now();
      const node: NodeRecord = {
        id,
        hostname: id,
        hostnameConflict: null,
        role,
        facts: null,
        labels: {},
        availability: 'active',
        membership,
        status: 'down',
        statusMessage: 'joined; waiting for its first report',
        bootId: null,
        lastSeenAt: null,
        thermalOverrides: {},
        createdAt: now,
        updatedAt: now,
      };
      this.insertRow(nodeCodec, node, { secret_hash: credential.secretHash, mosquitto_hash: credential.mosquittoHash });
      this.writableNodes().set(node);
      this.pending.push({ kind: 'node', op: 'create', id, before: null, after: node });
      return node;
    });
  }

  nodeCredential(id: string): NodeCredentialRecord | null {
    const row = this.statement('SELECT secret_hash, mosquitto_hash FROM nodes WHERE id = ?').get(id) as Row | undefined;
    return row ? { secretHash: String(row.secret_hash), mosquittoHash: row.mosquitto_hash === null ? null : String(row.mosquitto_hash) } : null;
  }

  listNodeCredentials(): Array<{ id: string } & NodeCredentialRecord> {
    const rows = this.statement('SELECT id, secret_hash, mosquitto_hash FROM nodes ORDER BY id').all() as Row[];
    return rows.map((r) => ({
      id: String(r.id),
      secretHash: String(r.secret_hash),
      mosquittoHash: r.mosquitto_hash === null ? null : String(r.mosquitto_hash),
    }));
  }

  updateNode(id: string, patch: Partial<Omit<NodeRecord, 'id' | 'createdAt' | 'updatedAt'>>): NodeRecord | null {
    return this.updateEntity<NodeRecord>('node', nodeCodec, id, patch);
  }

  deleteNode(id: string): boolean {
    return this.deleteEntity('node', nodeCodec, id);
  }

  /** Bars the node id from the broker for good (its row, if any, is deleted separately). */
  revokeNode(id: string, reason: string): void {
    this.transaction(() => {
      this
        .statement('INSERT INTO revoked_nodes (node_id, revoked_at, reason) VALUES (?, ?, ?) ON CONFLICT (node_id) DO UPDATE SET revoked_at = excluded.revoked_at, reason = excluded.reason')
        .run(id, this.now(), reason);
    });
  }

  /** Why the node id was revoked, or null when it is not. */
  revocationOf(id: string): string | null {
    const row = this.statement('SELECT reason FROM revoked_nodes WHERE node_id = ?').get(id) as Row | undefined;
    return row ? String(row.reason) : null;
  }

  // ---- services ----

  listServices(): ServiceRecord[] {
    return this.all(serviceCodec, 'SELECT * FROM services ORDER BY name');
  }

  getService(id: string): ServiceRecord | null {
    return this.one(serviceCodec, id);
  }

  getServiceByName(name: string): ServiceRecord | null {
    const row = this.statement('SELECT * FROM services WHERE name = ?').get(name) as Row | undefined;
    return row ? serviceCodec.fromRow(row) : null;
  }

  insertService(service: ServiceRecord): ServiceRecord {
    return this.insertEntity('service', serviceCodec, service);
  }

  updateService(id: string, patch: Partial<Omit<ServiceRecord, 'id' | 'createdAt' | 'updatedAt'>>): ServiceRecord | null {
    return this.updateEntity<ServiceRecord>('service', serviceCodec, id, patch);
  }

  deleteService(id: string): boolean {
    return this.deleteEntity('service', serviceCodec, id);
  }

  // ---- tasks ----

  /** Tasks in creation order, optionally filtered; served from memory (see TaskCache), frozen. */
  listTasks(filter: TaskFilter = {}): TaskRecord[] {
    return this.tasks().list(filter);
  }

  getTask(id: string): TaskRecord | null {
    return this.tasks().get(id);
  }

  insertTask(task: TaskRecord): TaskRecord {
    return this.insertEntity('task', taskCodec, task);
  }

  updateTask(id: string, patch: Partial<Omit<TaskRecord, 'id' | 'createdAt' | 'updatedAt'>>): TaskRecord | null {
    return this.updateEntity<TaskRecord>('task', taskCodec, id, patch);
  }

  deleteTask(id: string): boolean {
    return this.deleteEntity('task', taskCodec, id);
  }

  // ---- desired sets ----

  getDesiredSet(nodeId: string): DesiredSetRecord | null {
    const row = this.statement('SELECT * FROM desired_sets WHERE node_id = ?').get(nodeId) as Row | undefined;
    return row ? { nodeId, generation: Number(row.generation), digest: String(row.digest) } : null;
  }

  saveDesiredSet(record: DesiredSetRecord): void {
    this.transaction(() => {
      this
        .writeStatement(
          `INSERT INTO desired_sets (node_id, generation, digest) VALUES (@nodeId, @generation, @digest)
           ON CONFLICT (node_id) DO UPDATE SET generation = @generation, digest = @digest`,
        )
        .run(record);
    });
  }

  // ---- image platforms ----

  /** Remembers the platforms `image` is built for, replacing what was known; past the limit the oldest entries go. */
  saveImagePlatforms(image: string, platforms: ImagePlatform[]): void {
    this.transaction(() => {
      this
        .writeStatement(
          `INSERT INTO image_platforms (image, platforms, learned_at) VALUES (?, ?, ?)
           ON CONFLICT (image) DO UPDATE SET platforms = excluded.platforms, learned_at = excluded.learned_at`,
        )
        .run(image, JSON.stringify(platforms), this.now());
      this
        .writeStatement('DELETE FROM image_platforms WHERE image IN (SELECT image FROM image_platforms ORDER BY learned_at DESC, rowid DESC LIMIT -1 OFFSET ?)')
        .run(MAX_IMAGE_PLATFORM_ENTRIES);
    });
  }

  forgetImagePlatforms(image: string): void {
    this.transaction(() => void this.writeStatement('DELETE FROM image_platforms WHERE image = ?').run(image));
  }

  /** image -> the platforms it is built for; an unreadable row is skipped. */
  imagePlatforms(): Map<string, ImagePlatform[]> {
    const out = new Map<string, ImagePlatform[]>();
    for (const row of this.statement('SELECT image, platforms FROM image_platforms').all() as Row[]) {
      const platforms = parsePlatforms(row);
      if (platforms) out.set(String(row.image), platforms);
    }
    return out;
  }

  imagePlatformsOf(image: string): ImagePlatform[] | null {
    const row = this.statement('SELECT platforms FROM image_platforms WHERE image = ?').get(image) as Row | undefined;
    return row ? parsePlatforms(row) : null;
  }

  // ---- events ----

  /**
   * Records an event, or, past the rate limit of its (kind, subject), counts it in the window's one
   * summary row (created on the first repeat, updated in place after). See event-limits.ts.
   */
  addEvent(kind: string, subject: string, message: string, details: Record<string, unknown> = {}): EventRecord {
    return this.transaction(() => {
      const at = this.now();
      const gate = this.eventLimiter.admit(kind, subject, at);
      if (gate.record) return this.insertEvent({ at, kind, subject, message, details });
      const summary = {
        at,
        kind,
        subject,
        message: collapsedMessage(kind, gate.repeats, this.eventLimits.windowMs, message),
        details: { ...details, repeats: gate.repeats },
      };
      if (gate.summaryId !== null) {
        const updated = this
          .writeStatement('UPDATE events SET at = @at, message = @message, details = @details WHERE id = @id')
          .run({ ...summary, details: JSON.stringify(summary.details), id: gate.summaryId });
        if (updated.changes > 0) return { id: gate.summaryId, ...summary };
      }
      const event = this.insertEvent(summary);
      this.eventLimiter.setSummary(kind, subject, event.id);
      return event;
    });
  }

  private insertEvent(e: Omit<EventRecord, 'id'>): EventRecord {
    const info = this
      .writeStatement('INSERT INTO events (at, kind, subject, message, details) VALUES (?, ?, ?, ?, ?)')
      .run(e.at, e.kind, e.subject, e.message, JSON.stringify(e.details));
    const id = Number(info.lastInsertRowid);
    this.pruneEvents(id, e.subject, e.at);
    const event: EventRecord = { id, ...e };
    this.pending.push({ kind: 'event', op: 'create', id: String(id), before: null, after: event });
    return event;
  }

  /** The subject's quota on every insert (its index makes that cheap); age and the total cap every 100. */
  private pruneEvents(id: number, subject: string, at: number): void {
    const limits = this.eventLimits;
    this
      .writeStatement('DELETE FROM events WHERE subject = @subject AND id <= (SELECT id FROM events WHERE subject = @subject ORDER BY id DESC LIMIT 1 OFFSET @keep)')
      .run({ subject, keep: limits.perSubject });
    if (id % 100 !== 0) return;
    this.writeStatement('DELETE FROM events WHERE at < ?').run(at - limits.maxAgeMs);
    this.writeStatement('DELETE FROM events WHERE id <= ?').run(id - limits.total);
  }

  /** Events oldest first. */
  listEvents(query: EventQuery = {}): EventRecord[] {
    const rows = this
      .statement('SELECT * FROM (SELECT * FROM events WHERE at >= ? AND id > ? ORDER BY id DESC LIMIT ?) ORDER BY id')
      .all(query.sinceMs ?? 0, query.afterId ?? 0, query.limit ?? 1000) as Row[];
    return rows.map(eventFromRow);
  }

  // ---- telemetry (memory only) ----

  setTelemetry(nodeId: string, telemetry: Telemetry): void {
    this.telemetryByNode.set(nodeId, telemetry);
    this.emit('telemetry', nodeId, telemetry);
  }

  getTelemetry(nodeId: string): Telemetry | null {
    return this.telemetryByNode.get(nodeId) ?? null;
  }

  forgetTelemetry(nodeId: string): void {
    this.telemetryByNode.delete(nodeId);
  }

  // ---- data disk health ----

  /** Rewrites the schema version with its own value: a real write (a WAL frame) that changes nothing. */
  private tryWrite(): DataDiskFullError | null {
    if (this.dataDir === ':memory:') return null;
    try {
      const version = this.db.pragma('user_version', { simple: true }) as number;
      this.db.pragma(`user_version = ${version}`);
      return null;
    } catch (err) {
      const code = diskFailureCode(err);
      if (code === null) throw err;
      return new DataDiskFullError(this.dataDir, code);
    }
  }

  /** The disk's refusal as a DataDiskFullError (announced once), or null for any other failure. */
  private refusedByDisk(err: unknown): DataDiskFullError | null {
    const code = diskFailureCode(err);
    if (code === null) return null;
    if (this.fullError) return this.fullError;
    this.fullError = new DataDiskFullError(this.dataDir, code);
    this.emit('diskFull', this.fullError);
    return this.fullError;
  }

  // ---- generic table access ----

  /** A statement that writes: refused at once while the disk is full, so reads in the same transaction still work. */
  private writeStatement(sql: string): Statement {
    if (this.fullError) throw this.fullError;
    return this.statement(sql);
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** The node cache, for a change made in this transaction. */
  private writableNodes(): NodeCache {
    this.nodeCacheWritten = true;
    return this.nodes();
  }

  private writableTasks(): TaskCache {
    this.taskCacheWritten = true;
    return this.tasks();
  }

  private nodes(): NodeCache {
    this.nodeCache ??= new NodeCache(this.all(nodeCodec, 'SELECT * FROM nodes ORDER BY hostname, id'));
    return this.nodeCache;
  }

  private tasks(): TaskCache {
    this.taskCache ??= new TaskCache(this.all(taskCodec, 'SELECT * FROM tasks ORDER BY seq'));
    return this.taskCache;
  }

  /** One record by id; nodes and tasks come from memory. */
  private read<R extends Entity>(kind: EntityKind, codec: Codec<R>, id: string): R | null {
    if (kind === 'node') return this.getNode(id) as R | null;
    if (kind === 'task') return this.getTask(id) as R | null;
    return this.one(codec, id);
  }

  private one<R extends Entity>(codec: Codec<R>, id: string): R | null {
    const row = this.statement(`SELECT * FROM ${codec.table} WHERE id = ?`).get(id) as Row | undefined;
    return row ? codec.fromRow(row) : null;
  }

  private all<R extends Entity>(codec: Codec<R>, sql: string, params: Record<string, string> = {}): R[] {
    return (this.statement(sql).all(params) as Row[]).map((r) => codec.fromRow(r));
  }

  private insertRow<R extends Entity>(codec: Codec<R>, record: R, extra: Row = {}): void {
    const row = { ...codec.toRow(record), ...extra };
    const cols = Object.keys(row);
    this.writeStatement(`INSERT INTO ${codec.table} (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`).run(row);
  }

  private insertEntity<R extends Entity>(kind: EntityKind, codec: Codec<R>, record: R): R {
    return this.transaction(() => {
      this.insertRow(codec, record);
      if (kind === 'task') this.writableTasks().set(record as TaskRecord);
      this.pending.push({ kind, op: 'create', id: record.id, before: null, after: record } as Change);
      return record;
    });
  }

  /** Writes only when something differs, so a no-op update emits nothing (keeps reconcile loops quiet). */
  private updateEntity<R extends Entity>(kind: EntityKind, codec: Codec<R>, id: string, patch: Partial<R>): R | null {
    return this.transaction(() => {
      const before = this.read(kind, codec, id);
      if (!before) return null;
      const merged: R = { ...before, ...patch, id, createdAt: before.createdAt, updatedAt: before.updatedAt };
      const beforeRow = codec.toRow(before);
      const mergedRow = codec.toRow(merged);
      if (JSON.stringify(beforeRow) === JSON.stringify(mergedRow)) return before;
      const after: R = { ...merged, updatedAt: this.now() };
      const row = codec.toRow(after);
      const cols = Object.keys(row).filter((c) => c !== 'id');
      this.writeStatement(`UPDATE ${codec.table} SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE id = @id`).run(row);
      if (kind === 'node') this.writableNodes().set(after as NodeRecord);
      if (kind === 'task') this.writableTasks().set(after as TaskRecord);
      this.pending.push({ kind, op: 'update', id, before, after } as Change);
      return after;
    });
  }

  private deleteEntity<R extends Entity>(kind: EntityKind, codec: Codec<R>, id: string): boolean {
    return this.transaction(() => {
      const before = this.read(kind, codec, id);
      if (!before) return false;
      this.writeStatement(`DELETE FROM ${codec.table} WHERE id = ?`).run(id);
      if (kind === 'node') this.writableNodes().delete(id);
      if (kind === 'task') this.writableTasks().delete(id);
      this.pending.push({ kind, op: 'delete', id, before, after: null } as Change);
      return true;
    });
  }

  /** A listener that throws must not undo a committed change or starve the other listeners. */
  private publish(changes: Change[]): void {
    for (const listener of this.listeners('change')) {
      try {
        listener(changes);
      } catch (err) {
        logWriteFailure(this.logger, err, 'store change listener');
      }
    }
  }
}

function openDatabase(path: string, exclusive: boolean): Db {
  const db = new Database(path);
  try {
    if (exclusive) db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function parsePlatforms(row: Row): ImagePlatform[] | null {
  try {
    const parsed = imagePlatforms.safeParse(JSON.parse(String(row.platforms)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
