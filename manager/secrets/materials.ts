/**
 * `kelvin secret` and `kelvin config`: values sealed with the store's secrets key (cipher.ts) in
 * their own table of the manager's SQLite file. Only `value()` opens one, for a board that runs a
 * task using it (secrets-responder.ts) and for `config inspect`; nothing here logs or records a
 * value (events name the secret only).
 */
import type { Database } from 'better-sqlite3';
import { MAX_LABELS } from '../../shared/limits.js';
import { MAX_MATERIAL_BYTES, materialNameProblem, type MaterialKind } from '../../shared/secrets/refs.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import { ClusterError } from '../cluster.js';
import { newObjectId } from '../orchestrator/task-factory.js';
import type { Store } from '../store/store.js';
import type { SecretCipher } from './cipher.js';

export interface MaterialRecord {
  id: string;
  kind: MaterialKind;
  name: string;
  labels: Record<string, string>;
  createdAt: number;
}

/** What `ls` and `inspect` show: never the value of a secret. */
export interface MaterialView extends MaterialRecord {
  /** Services that reference it. */
  usedBy: string[];
  /** Configs only, with `inspect`: the value as base64. */
  data?: string;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS materials (
  id         TEXT PRIMARY KEY,
  kind       TEXT NOT NULL CHECK (kind IN ('secret', 'config')),
  name       TEXT NOT NULL,
  labels     TEXT NOT NULL,
  sealed     BLOB NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (kind, name)
);
CREATE TABLE IF NOT EXISTS materials_key (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  key_check TEXT NOT NULL
);
`;

interface Row {
  id: string;
  kind: MaterialKind;
  name: string;
  labels: string;
  sealed: Buffer;
  created_at: number;
}

export class Materials {
  private readonly db: Database;

  constructor(
    private readonly store: Store,
    private readonly cipher: SecretCipher,
    private readonly now: () => number,
  ) {
    this.db = store.database;
    this.db.exec(SCHEMA);
    this.checkKey();
  }

  /** A manager started with another key than the one that sealed the stored values refuses to start. */
  private checkKey(): void {
    const want = this.cipher.keyCheck();
    const row = this.db.prepare('SELECT key_check FROM materials_key WHERE singleton = 1').get() as { key_check: string } | undefined;
    if (!row) this.store.transaction(() => this.db.prepare('INSERT INTO materials_key (singleton, key_check) VALUES (1, ?)').run(want));
    else if (row.key_check !== want) throw new Error('the secrets key is not the one this data dir\'s secrets were sealed with (wrong --secrets-key-file, or secrets.key replaced)');
  }

  create(kind: MaterialKind, name: string, data: Buffer, labels: Record<string, string> = {}): MaterialRecord {
    const problem = materialNameProblem(kind, name);
    if (problem) throw new ClusterError(problem, 'invalid');
    if (data.byteLength === 0 || data.byteLength > MAX_MATERIAL_BYTES) {
      throw new ClusterError(`${kind} ${name}: data must be 1 byte to ${MAX_MATERIAL_BYTES / 1024} KiB, got ${data.byteLength} bytes`, 'invalid');
    }
    if (Object.keys(labels).length > MAX_LABELS) throw new ClusterError(`${kind} ${name}: over the limit of ${MAX_LABELS} labels`, 'invalid');
    return this.store.transaction(() => {
      if (this.find(kind, name)) throw new ClusterError(`${kind} '${name}' already exists`, 'conflict');
      const record: MaterialRecord = { id: newObjectId(), kind, name, labels, createdAt: this.now() };
      this.db
        .prepare('INSERT INTO materials (id, kind, name, labels, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(record.id, kind, name, JSON.stringify(labels), this.cipher.seal(data, aad(record)), record.createdAt);
      this.store.addEvent(`${kind}.create`, name, `${kind} ${name} created`, { id: record.id });
      return record;
    });
  }

  list(kind: MaterialKind): MaterialView[] {
    const rows = this.db.prepare('SELECT * FROM materials WHERE kind = ? ORDER BY name').all(kind) as Row[];
    const services = this.store.listServices();
    return rows.map((r) => ({ ...recordOf(r), usedBy: usersOf(kind, r.name, services.map((s) => s.spec)) }));
  }

  /** By id, exact name, or unique id prefix, as docker resolves them. */
  get(kind: MaterialKind, ref: string): MaterialView {
    const all = this.list(kind);
    const found = all.find((m) => m.id === ref) ?? all.find((m) => m.name === ref);
    if (found) return found;
    const byPrefix = ref.length > 0 ? all.filter((m) => m.id.startsWith(ref)) : [];
    if (byPrefix.length === 1 && byPrefix[0]) return byPrefix[0];
    if (byPrefix.length > 1) throw new ClusterError(`${kind} '${ref}' is ambiguous: matches ${byPrefix.map((m) => m.id).join(', ')}`, 'ambiguous');
    throw new ClusterError(`${kind} '${ref}' not found`, 'not-found');
  }

  /** Refused while a service references it, naming those services (as Swarm refuses it). */
  remove(kind: MaterialKind, ref: string): MaterialRecord {
    return this.store.transaction(() => {
      const found = this.get(kind, ref);
      if (found.usedBy.length > 0) throw new ClusterError(`${kind} '${found.name}' is in use by the following service${found.usedBy.length === 1 ? '' : 's'}: ${found.usedBy.join(', ')}`, 'conflict');
      this.db.prepare('DELETE FROM materials WHERE id = ?').run(found.id);
      this.store.addEvent(`${kind}.remove`, found.name, `${kind} ${found.name} removed`, { id: found.id });
      return found;
    });
  }

  /** The plaintext, or null when there is no such one. Callers must not log or store it. */
  value(kind: MaterialKind, name: string): Buffer | null {
    const row = this.find(kind, name);
    return row ? this.cipher.open(row.sealed, aad(recordOf(row))) : null;
  }

  /** A service may reference only secrets and configs that exist. */
  checkRefs(spec: ServiceSpec): void {
    for (const kind of ['secret', 'config'] as const) {
      for (const ref of kind === 'secret' ? spec.secrets : spec.configs) {
        if (!this.find(kind, ref.source)) throw new ClusterError(`service ${spec.name}: ${kind} '${ref.source}' not found`, 'invalid');
      }
    }
  }

  private find(kind: MaterialKind, name: string): Row | null {
    return (this.db.prepare('SELECT * FROM materials WHERE kind = ? AND name = ?').get(kind, name) as Row | undefined) ?? null;
  }
}

function recordOf(r: Row): MaterialRecord {
  return { id: r.id, kind: r.kind, name: r.name, labels: JSON.parse(r.labels) as Record<string, string>, createdAt: r.created_at };
}

function aad(r: Pick<MaterialRecord, 'kind' | 'id' | 'name'>): string {
  return `${r.kind}\n${r.id}\n${r.name}`;
}

function usersOf(kind: MaterialKind, name: string, specs: ServiceSpec[]): string[] {
  return specs.filter((s) => (kind === 'secret' ? s.secrets : s.configs).some((r) => r.source === name)).map((s) => s.name);
}
