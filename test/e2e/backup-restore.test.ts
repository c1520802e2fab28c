/**
 * Restoring the manager's database from an older backup (issue 10, item 6): the built manager and
 * an agent as real processes; `kelvin manager backup` taken while the manager runs, more work
 * created after it, then the manager stopped, the backup put back and the manager started again.
 * The agent had applied later generations than the backup knows; it must still converge on the
 * restored state instead of ignoring it as an older set.
 */
import { copyFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { runKelvin } from '../helpers/cli.js';
import { TestCluster } from '../helpers/cluster.js';

const SERVICES = ['kept', 'later'];
let cluster: TestCluster;

beforeAll(async () => {
  cluster = await TestCluster.start();
  cluster.startAgent('board', boardRoot('x86-intel'), { logLevel: 'info' });
  await cluster.waitForReadyNodes(1);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
}, 30_000);

describe('kelvin manager backup, then a restore', () => {
  it('refuses to overwrite a file and names a missing database', async () => {
    const missing = await runKelvin(['manager', 'backup', '--data-dir', join(cluster.dir, 'nowhere'), join(cluster.dir, 'x.db')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^kelvin: backup: no manager database at .*nowhere\/kelvin\.db/);
  });

  it('brings the agent back to the backup: work created after it stops, the backup\'s work keeps running', async () => {
    await cluster.kelvin('service', 'create', '--name', 'kept', '--', ...cluster.loop('kept'));
    await expect.poll(() => cluster.runningOn('kept'), { timeout: 20_000 }).toEqual(['board']);
    const keptPids = cluster.processesOf('kept');
    expect(keptPids.length).toBeGreaterThan(0);

    const backup = join(cluster.dir, 'backup.db');
    const out = await cluster.kelvin('manager', 'backup', '--data-dir', cluster.dataDir, backup);
    expect(out).toMatch(/^Backed up .*kelvin\.db to .*backup\.db \(\d+ bytes\)/);
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const again = await runKelvin(['manager', 'backup', '--data-dir', cluster.dataDir, backup]);
    expect(again.stderr).toContain('already exists');

    // Generations move on after the backup: a new service, then a scale-up.
    await cluster.kelvin('service', 'create', '--name', 'later', '--', ...cluster.loop('later'));
    await cluster.kelvin('service', 'scale', 'later=2');
    await expect.poll(() => cluster.runningOn('later'), { timeout: 20_000 }).toEqual(['board', 'board']);

    await cluster.stopManager();
    for (const suffix of ['', '-wal', '-shm']) rmSync(join(cluster.dataDir, `kelvin.db${suffix}`), { force: true });
    copyFileSync(backup, join(cluster.dataDir, 'kelvin.db'));
    await cluster.startManager();

    await expect.poll(() => cluster.processesOf('later'), { timeout: 30_000 }).toEqual([]);
    expect(await cluster.runningOn('kept')).toEqual(['board']);
    // The backup's task was never restarted: the same processes run it.
    expect(cluster.processesOf('kept')).toEqual(keptPids);
    const log = cluster.agentLogs.get('board') ?? '';
    expect(log).not.toContain('ignoring an older desired task set');
    expect(log).toContain('the manager started again');
    // The manager says that the board had seen more than the restored database knows.
    const events = JSON.parse(await cluster.kelvin('events', '--json')) as Array<{ kind: string; message: string }>;
    expect(events.find((e) => e.kind === 'node.desired-set-rewound')?.message).toMatch(/had applied generation \d+ of an earlier manager incarnation, but this database knows only generation \d+/);
  }, 120_000);
});
