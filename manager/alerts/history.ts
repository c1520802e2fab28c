/**
 * Every alert, kept in the manager's SQLite database so `kelvin alerts` can list them after a
 * restart. Owns its table (created idempotently on construction). Like the store's event log it
 * keeps alerts by age and by a quota per node, so one node's storm of alerts evicts its own
 * history, never the others'; `retain` bounds the table as a last resort.
 * An alert the disk refuses (full data disk) is kept in memory, up to `maxUnwritten`, and written
 * before the next one once writes go through again.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Alert } from '../../shared/payloads/alert.js';
import { DataDiskFullError } from '../store/disk-full.js';

export type AlertKind = Alert['kind'];

export interface AlertQuery {
  /** Only alerts at or after this time (ms since the epoch). */
  since?: number;
  nodeId?: string;
  kind?: AlertKind;
  /** The most recent N that match (default 1000). */
  limit?: number;
}

export interface AlertHistoryOptions {
  /** Rows kept in all; older ones are deleted as new ones arrive (default 100 000). */
  retain?: number;
  /** Rows kept per node (default 1000); alerts about no node share one quota. */
  perNode?: number;
  /** Alerts older than this (relative to the newest recorded) are deleted (default 30 days). */
  maxAgeMs?: number;
  /**
   * Runs each write: the store's transaction, so a refusing disk becomes DataDiskFullError and the
   * store's disk-full state (default: a direct write).
   */
  write?: (fn: () => void) => void;
  /** Alerts kept in memory while the disk refuses them (default 1000); the oldest go first. */
  maxUnwritten?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS alerts (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  v        INTEGER NOT NULL,
  at       INTEGER NOT NULL,
  kind     TEXT NOT NULL,
  severity TEXT NOT NULL,
  node_id  TEXT,
  message  TEXT NOT NULL,
  details  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_at ON alerts (at);
CREATE INDEX IF NOT EXISTS alerts_by_node ON alerts (node_id, seq);
`;

interface AlertRow {
  id: string;
  v: number;
  at: number;
  kind: string;
  severity: string;
  node_id: string | null;
  message: string;
  details: string;
}

export class AlertHistory {
  private readonly insert: Statement;
  private readonly prune: Statement;
  private readonly pruneNode: Statement;
  private readonly pruneAge: Statement;
  private readonly retain: number;
  private readonly perNode: number;
  private readonly maxAgeMs: number;
  private readonly write: (fn: () => void) => void;
  private readonly maxUnwritten: number;
  /** Alerts not yet written because the disk refused them, oldest first. */
  private readonly unwritten: Alert[] = [];

  constructor(
    private readonly db: Database,
    options: AlertHistoryOptions = {},
  ) {
    this.retain = options.retain ?? 100_000;
    this.perNode = options.perNode ?? 1000;
    this.maxAgeMs = options.maxAgeMs ?? 30 * 24 * 3600_000;
    this.write = options.write ?? ((fn) => fn());
    this.maxUnwritten = options.maxUnwritten ?? 1000;
    db.exec(SCHEMA);
    // OR IGNORE: recording the same alert id twice (a replayed emit) keeps one row.
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO alerts (id, v, at, kind, severity, node_id, message, details)
       VALUES (@id, @v, @at, @kind, @severity, @nodeId, @message, @details)`,
    );
    this.prune = db.prepare('DELETE FROM alerts WHERE seq <= ?');
    // `IS`, not `=`: alerts about no node (null) share one quota.
    this.pruneNode = db.prepare(
      'DELETE FROM alerts WHERE node_id IS @nodeId AND seq <= (SELECT seq FROM alerts WHERE node_id IS @nodeId ORDER BY seq DESC LIMIT 1 OFFSET @keep)',
    );
    this.pruneAge = db.prepare('DELETE FROM alerts WHERE at < ?');
  }

  /** Writes the alert (after any the disk refused before); keeps it for later if the disk refuses. */
  record(alert: Alert): void {
    this.unwritten.push(alert);
    if (this.unwritten.length > this.maxUnwritten) this.unwritten.shift();
    try {
      this.write(() => {
        for (const a of this.unwritten) this.insertOne(a);
      });
    } catch (err) {
      if (err instanceof DataDiskFullError) return;
      // Not the disk: retrying would fail the same way and block every later alert.
      this.unwritten.length = 0;
      throw err;
    }
    this.unwritten.length = 0;
  }

  /** Alerts waiting for the disk to take them. */
  get pending(): number {
    return this.unwritten.length;
  }

  private insertOne(alert: Alert): void {
    const { lastInsertRowid, changes } = this.insert.run({ ...alert, details: JSON.stringify(alert.details) });
    if (changes === 0) return;
    const seq = Number(lastInsertRowid);
    this.pruneNode.run({ nodeId: alert.nodeId, keep: this.perNode });
    this.prune.run(seq - this.retain);
    if (seq % 100 === 0) this.pruneAge.run(alert.at - this.maxAgeMs);
  }

  /** Matching alerts, oldest first (newest last), at most `limit` of the most recent. */
  list(query: AlertQuery = {}): Alert[] {
    const limit = query.limit ?? 1000;
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`alert history limit must be a positive integer, got ${limit}`);
    const where: string[] = [];
    const params: Record<string, unknown> = { limit };
    if (query.since !== undefined) {
      where.push('at >= @since');
      params.since = query.since;
    }
    if (query.nodeId !== undefined) {
      where.push('node_id = @nodeId');
      params.nodeId = query.nodeId;
    }
    if (query.kind !== undefined) {
      where.push('kind = @kind');
      params.kind = query.kind;
    }
    const filter = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare(`SELECT * FROM (SELECT * FROM alerts ${filter} ORDER BY at DESC, seq DESC LIMIT @limit) ORDER BY at ASC, seq ASC`)
      .all(params) as AlertRow[];
    const written = rows.map(fromRow);
    // Alerts the full disk has not taken yet are history too (the disk-full alert among them).
    const unwritten = this.unwritten.filter((a) => matches(a, query));
    if (unwritten.length === 0) return written;
    return [...written, ...unwritten].sort((a, b) => a.at - b.at).slice(-limit);
  }
}

function matches(alert: Alert, query: AlertQuery): boolean {
  return (
    (query.since === undefined || alert.at >= query.since) &&
    (query.nodeId === undefined || alert.nodeId === query.nodeId) &&
    (query.kind === undefined || alert.kind === query.kind)
  );
}

function fromRow(row: AlertRow): Alert {
  return {
    v: row.v as Alert['v'],
    id: row.id,
    kind: row.kind as AlertKind,
    severity: row.severity as Alert['severity'],
    nodeId: row.node_id,
    message: row.message,
    at: row.at,
    details: JSON.parse(row.details) as Record<string, unknown>,
  };
}
