/**
 * `kelvin manager --require-approval`: a board that joins with the token waits as pending, shown
 * in `node ls`, and takes no work (replicated or global) until `kelvin node accept`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardRoot } from '../agent/sensors/fixture-boards.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';

let cluster: TestCluster;
const SERVICES = ['held', 'held-global'];

beforeAll(async () => {
  cluster = await TestCluster.start(['--require-approval']);
  cluster.startAgent('newcomer', boardRoot('jetson-orin'));
  await cluster.waitForReadyNodes(1);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
}, 30_000);

describe('a manager that requires approval', () => {
  it('keeps a new node pending and idle until it is accepted', async () => {
    const [node] = await cluster.nodes();
    expect(node?.membership).toBe('pending');
    expect(await cluster.kelvin('node', 'ls')).toMatch(/newcomer\s+Pending/);
    await cluster.kelvin('service', 'create', '--name', 'held', '--', ...cluster.loop('held'));
    await cluster.kelvin('service', 'create', '--name', 'held-global', '--mode', 'global', '--', ...cluster.loop('held-global'));
    await new Promise((r) => setTimeout(r, 2000));
    expect((await cluster.tasks('held')).map((t) => t.state)).toEqual(['pending']);
    expect(await cluster.tasks('held-global')).toEqual([]);

    expect((await cluster.kelvin('node', 'accept', 'newcomer')).trim()).toBe(node?.id);
    expect((await cluster.nodes())[0]?.membership).toBe('accepted');
    await waitUntil('both services running on the accepted node', async () => (await cluster.runningOn('held')).length === 1 && (await cluster.runningOn('held-global')).length === 1, 20_000);
    const events = JSON.parse(await cluster.kelvin('events', '--json')) as Array<{ kind: string }>;
    expect(events.map((e) => e.kind)).toContain('node.accept');
  }, 60_000);
});
