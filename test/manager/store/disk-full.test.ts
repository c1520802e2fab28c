/** The store on a real, full tmpfs: refused writes are errors with the data dir, never half-applied. */
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertHistory } from '../../../manager/alerts/history.js';
import { DataDiskFullError } from '../../../manager/store/disk-full.js';
import { Store } from '../../../manager/store/store.js';
import { mountSmallTmpfs, type SmallTmpfs } from '../../helpers/small-tmpfs.js';
import { makeAlert } from '../alerts/fixtures.js';

const mounted = mountSmallTmpfs();
if ('skip' in mounted) console.warn(`skipping the disk-full store tests: ${mounted.skip}`);

describe.skipIf('skip' in mounted)('Store on a full data disk', () => {
  const disk = mounted as SmallTmpfs;
  const stores: Store[] = [];
  let file = '';
  const open = (): Store => {
    const store = Store.open(join(disk.dir, file));
    stores.push(store);
    return store;
  };

  let n = 0;
  beforeEach(() => {
    disk.free();
    file = `kelvin-${++n}.db`;
  });
  afterEach(() => {
    for (const s of stores.splice(0)) s.close();
    disk.free();
  });
  afterAll(() => disk.unmount());

  it('refuses writes with the data dir, once announced, all or nothing, reads go on; a probe brings writes back', () => {
    const store = open();
    store.addEvent('test', 'x', 'before the disk filled');
    const announced: DataDiskFullError[] = [];
    let writable = 0;
    store.on('diskFull', (e) => announced.push(e));
    store.on('diskWritable', () => writable++);
    disk.fill();

    const big = 'x'.repeat(64 * 1024);
    expect(() => store.transaction(() => {
      store.addEvent('test', 'x', 'first of two');
      store.addEvent('test', 'x', big);
    })).toThrow(new DataDiskFullError(disk.dir, 'SQLITE_FULL'));
    expect(() => store.addEvent('test', 'x', 'again')).toThrow(`manager data disk full (${disk.dir})`);
    expect(announced).toHaveLength(1);
    expect(store.diskFull?.message).toBe(`manager data disk full (${disk.dir})`);
    expect(store.listEvents().map((e) => e.message)).toEqual(['before the disk filled']);
    expect(store.probeWritable()).toBe(false);

    disk.free();
    expect(store.probeWritable()).toBe(true);
    expect(writable).toBe(1);
    expect(store.diskFull).toBeNull();
    store.addEvent('test', 'x', 'after space was freed');
    expect(store.listEvents().map((e) => e.message)).toEqual(['before the disk filled', 'after space was freed']);
  });

  it('opens read-only on a disk that is already full, serves reads, and takes writes once space is freed', () => {
    const first = open();
    first.addEvent('test', 'x', 'written before the restart');
    first.close();
    stores.splice(0);
    disk.fill();

    const store = open();
    expect(store.diskFull).toBeInstanceOf(DataDiskFullError);
    expect(store.listEvents().map((e) => e.message)).toEqual(['written before the restart']);
    expect(() => store.addEvent('test', 'x', 'refused')).toThrow(DataDiskFullError);

    disk.free();
    expect(store.probeWritable()).toBe(true);
    store.addEvent('test', 'x', 'accepted');
    store.close();
    stores.splice(0);
    expect(open().listEvents().map((e) => e.message)).toEqual(['written before the restart', 'accepted']);
  });

  it('keeps alerts the disk refused, lists them, and writes them before the next one', () => {
    const store = open();
    const history = new AlertHistory(store.database, { write: (fn) => store.transaction(fn) });
    disk.fill();
    store.probeWritable();
    expect(() => store.addEvent('test', 'x', 'y')).toThrow(DataDiskFullError);

    history.record(makeAlert(1));
    expect(history.pending).toBe(1);
    expect(history.list().map((a) => a.at)).toEqual([makeAlert(1).at]);

    disk.free();
    expect(store.probeWritable()).toBe(true);
    history.record(makeAlert(2));
    expect(history.pending).toBe(0);
    expect(new AlertHistory(store.database).list()).toEqual([makeAlert(1), makeAlert(2)]);
  });
});
