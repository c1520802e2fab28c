/**
 * Every alert, kept in the manager's SQLite database so `kelvin alerts` can list them after a
 * restart. Owns its table (created idempotently on construction) and prunes the oldest rows
 * beyond `retain`, like the store's event log.
 */
import type { Database, Statement } from 'better-sqlite3';
import type { Alert } from '../../shared/payloads/alert.js';

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
  /** Rows kept; older ones are deleted as new ones arrive (default 10 000). */
  retain?: number;
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
  private readonly retain: number;

  constructor(
    private readonly db: Database,
    options: AlertHistoryOptions = {},
  ) {
    this.retain = options.retain ?? 10_000;
    db.exec(SCHEMA);
    // OR IGNORE: recording the same alert id twice (a replayed emit) keeps one row.
    this.insert = db.prepare(
      `INSERT OR IGNORE INTO alerts (id, v, at, kind, severity, node_id, message, details)
       VALUES (@id, @v, @at, @kind, @severity, @nodeId, @message, @details)`,
    );
    this.prune = db.prepare('DELETE FROM alerts WHERE seq <= ?');
  }

  record(alert: Alert): void {
    const { lastInsertRowid, changes } = this.insert.run({ ...alert, details: JSON.stringify(alert.details) });
    if (changes > 0) this.prune.run(Number(lastInsertRowid) - this.retain);
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
    return rows.map(fromRow);
  }
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
