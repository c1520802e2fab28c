/**
 * Schema versions. Each entry moves the database from version i to i+1 (PRAGMA user_version);
 * never edit a shipped entry, append a new one.
 */
import type { Database } from 'better-sqlite3';

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE cluster (
    singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
    id TEXT NOT NULL,
    join_token TEXT NOT NULL,
    admin_token_hash TEXT NOT NULL,
    broker_secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    hostname TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('manager', 'worker')),
    facts TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    availability TEXT NOT NULL CHECK (availability IN ('active', 'pause', 'drain')),
    status TEXT NOT NULL CHECK (status IN ('ready', 'down')),
    status_message TEXT NOT NULL DEFAULT '',
    boot_id TEXT,
    secret_hash TEXT NOT NULL,
    mosquitto_hash TEXT,
    last_seen_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE services (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    version INTEGER NOT NULL,
    force_update INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE tasks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    service_id TEXT NOT NULL,
    service_name TEXT NOT NULL,
    slot INTEGER,
    node_id TEXT,
    desired_state TEXT NOT NULL CHECK (desired_state IN ('running', 'shutdown')),
    state TEXT NOT NULL,
    error TEXT,
    message TEXT NOT NULL DEFAULT '',
    exit_code INTEGER,
    spec TEXT NOT NULL,
    service_version INTEGER NOT NULL,
    force_update INTEGER NOT NULL,
    restart_history TEXT NOT NULL DEFAULT '[]',
    restarted INTEGER NOT NULL DEFAULT 0,
    runtime_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
  );
  CREATE INDEX tasks_by_service ON tasks (service_id);
  CREATE INDEX tasks_by_node ON tasks (node_id);
  -- Survives node removal on purpose: a node that rejoins under the same id must never see its
  -- generation go backwards, or its agent would ignore the new set.
  CREATE TABLE desired_sets (
    node_id TEXT PRIMARY KEY,
    generation INTEGER NOT NULL,
    digest TEXT NOT NULL
  );
  CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL,
    details TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_by_time ON events (at);
  `,
  // `kelvin node update --thermal-warn/-throttle/-critical`: manager-set limits over the profile's.
  `
  ALTER TABLE nodes ADD COLUMN thermal_overrides TEXT NOT NULL DEFAULT '{}';
  `,
  // Event retention per subject (see store/event-limits.ts): each subject's oldest rows go first.
  `
  CREATE INDEX events_by_subject ON events (subject, id);
  `,
  // Hostnames are unique among nodes: the id of the node that holds the hostname this one reports.
  `
  ALTER TABLE nodes ADD COLUMN hostname_conflict TEXT;
  `,
  // Node ids whose credential is revoked (kelvin node rm --force, kelvin agent leave): the
  // broker refuses them, so a removed board cannot rejoin under its old identity.
  `
  CREATE TABLE revoked_nodes (
    node_id TEXT PRIMARY KEY,
    revoked_at INTEGER NOT NULL,
    reason TEXT NOT NULL
  );
  `,
  // `kelvin manager --require-approval`: a new node waits as pending until `kelvin node accept`.
  `
  ALTER TABLE nodes ADD COLUMN membership TEXT NOT NULL DEFAULT 'accepted';
  `,
  // Task health (starting/healthy/unhealthy, null without a check) and the check's last results.
  `
  ALTER TABLE tasks ADD COLUMN health TEXT;
  ALTER TABLE tasks ADD COLUMN health_log TEXT NOT NULL DEFAULT '[]';
  `,
  // Rolling updates: the spec before the last update (service rollback) and the update's progress.
  `
  ALTER TABLE services ADD COLUMN previous_spec TEXT;
  ALTER TABLE services ADD COLUMN update_status TEXT;
  `,
  // The platforms an image is built for, as a board that rejected it reported them (JSON list).
  `
  CREATE TABLE image_platforms (
    image TEXT PRIMARY KEY,
    platforms TEXT NOT NULL,
    learned_at INTEGER NOT NULL
  );
  CREATE INDEX image_platforms_by_age ON image_platforms (learned_at);
  `,
  // Reach by name: each service's virtual address (manager/vip-allocator.ts), unique; services
  // stored before it get one at the next manager start.
  `
  ALTER TABLE services ADD COLUMN vip TEXT;
  CREATE UNIQUE INDEX services_by_vip ON services (vip);
  `,
];

/** Applies every migration newer than the file's user_version, each in its own transaction. */
export function migrate(db: Database, migrations: readonly string[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this Kelvin (knows ${migrations.length}); upgrade Kelvin`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v] ?? '');
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return migrations.length;
}
