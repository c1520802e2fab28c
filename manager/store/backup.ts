/**
 * `kelvin manager backup`: a consistent copy of the manager's database, safe while the manager
 * runs. `VACUUM INTO` reads one snapshot of the WAL database through its own connection (writers
 * go on), and writes a compact file with no WAL beside it. The copy is made under a temporary
 * name and renamed, so FILE is either absent or complete; mode 600, as it holds the cluster's
 * tokens and secrets.
 */
import Database from 'better-sqlite3';
import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

export function backupDatabase(dbFile: string, target: string): { bytes: number } {
  if (!existsSync(dbFile)) throw new Error(`no manager database at ${dbFile} (is --data-dir right?)`);
  if (existsSync(target)) throw new Error(`${target} already exists; choose a new file name`);
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  const db = new Database(dbFile, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(tmp);
    chmodSync(tmp, 0o600);
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    db.close();
  }
  return { bytes: statSync(target).size };
}
