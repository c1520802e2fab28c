/**
 * Heat and power failover across real processes (issue 6): the built `kelvin manager` with short
 * policy timings and a webhook to a real HTTP receiver here, two `kelvin agent`s on writable Pi 4
 * fixture boards whose temperature, under-voltage flags and boot id the tests change, and
 * process-driver tasks whose CPU cap is read from the kernel's cgroup files.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TaskView } from '../../manager/api/views.js';
import { canCapCpuByCgroup, taskCpuCap } from '../helpers/cgroup-cpu.js';
import { TestCluster } from '../helpers/cluster.js';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

const SERVICES = ['web', 'pinned', 'spread'];
const COOL_C = 55;
/** Pi 4 profile: hot from 70 C (tasks capped at half the board), critical from 76 C (a quarter). */
const HOT_C = 72;
const CRITICAL_C = 80;

let cluster: TestCluster;
let receiver: WebhookReceiver;
const boards = new Map<string, WritableBoard>();

const board = (host: string): WritableBoard => {
  const b = boards.get(host);
  if (!b) throw new Error(`no board ${host}`);
  return b;
};

async function nodeIdOf(host: string): Promise<string> {
  const node = (await cluster.nodes()).find((n) => n.hostname === host);
  if (!node) throw new Error(`no node ${host}`);
  return node.id;
}

const otherThan = (host: string): string => (host === 'pi-a' ? 'pi-b' : 'pi-a');

async function runningTasks(service: string): Promise<TaskView[]> {
  return (await cluster.tasks(service)).filter((t) => t.desiredState === 'running' && t.state === 'running');
}

async function createService(name: string, flags: string[], options: { ignoreHangup?: boolean } = {}): Promise<void> {
  await cluster.kelvin('service', 'create', '--name', name, ...flags, '--', ...cluster.loop(name, options));
}

/** The one running task of a one-replica service, once it runs, and its host. */
async function soleTask(service: string): Promise<{ task: TaskView; host: string }> {
  await expect.poll(() => cluster.runningOn(service), { timeout: 15_000 }).toHaveLength(1);
  const [task] = await runningTasks(service);
  if (!task) throw new Error(`${service} has no running task`);
  return { task, host: (await cluster.hostnames()).get(task.nodeId ?? '') ?? '?' };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  for (const host of ['pi-a', 'pi-b']) {
    const b = writableBoard('rpi4');
    b.setTempC(COOL_C);
    b.setUnderVoltage(false);
    b.setBootId(randomUUID());
    boards.set(host, b);
  }
  cluster = await TestCluster.start(['--thermal-sustain', '2s', '--thermal-hold', '2s', '--power-stable', '5s', '--alert-webhook', receiver.url]);
  for (const [host, b] of boards) cluster.startAgent(host, b.root);
  await cluster.waitForReadyNodes(2);
}, 60_000);

afterAll(async () => {
  await cluster?.stop(SERVICES);
  await receiver?.close();
  for (const b of boards.values()) b.remove();
}, 30_000);

describe.skipIf(!canCapCpuByCgroup())('failover on heat and power, with real processes', () => {
  it('throttles a hot board, moves its task to the cool one, alerts thermal.failover once, then thermal.recovered', async () => {
    await createService('web', ['--replicas', '1']);
    const { task, host } = await soleTask('web');
    const hotId = await nodeIdOf(host);

    board(host).setTempC(HOT_C);
    // Throttled first: half of the Pi's 4 cores, in the task's own cgroup.
    await expect.poll(() => taskCpuCap(task.id), { timeout: 5000, interval: 100 }).toBe(2);
    // Still hot after the 2 s sustain: moved (started on the other board, then the old one stopped).
    await expect.poll(() => cluster.runningOn('web'), { timeout: 15_000 }).toEqual([otherThan(host)]);
    await expect.poll(async () => (await cluster.tasks('web')).find((t) => t.id === task.id)?.desiredState, { timeout: 10_000 }).not.toBe('running');
    await expect.poll(() => cluster.processesOf('web').length, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => receiver.ofKind('thermal.failover', hotId).length, { timeout: 10_000 }).toBe(1);
    expect(receiver.ofKind('thermal.failover', hotId)[0]?.details.tasks).toEqual([expect.objectContaining({ taskId: task.id, service: 'web' })]);

    board(host).setTempC(COOL_C);
    await expect.poll(() => receiver.ofKind('thermal.recovered', hotId).length, { timeout: 10_000 }).toBe(1);
    expect(receiver.ofKind('thermal.failover', hotId)).toHaveLength(1);
    // Nothing is moved back.
    expect(await cluster.runningOn('web')).toEqual([otherThan(host)]);
  });

  it('keeps a pinned task on its critical board, capped, and raises thermal.no-target once', async () => {
    await createService('pinned', ['--replicas', '1', '--pinned']);
    const { task, host } = await soleTask('pinned');
    const hotId = await nodeIdOf(host);
    const recoveredBefore = receiver.ofKind('thermal.recovered', hotId).length;

    board(host).setTempC(CRITICAL_C);
    await expect.poll(() => taskCpuCap(task.id), { timeout: 5000, interval: 100 }).toBe(1);
    await expect.poll(() => receiver.ofKind('thermal.no-target', hotId).length, { timeout: 10_000 }).toBe(1);
    // Past the sustain time too: still there, still the same task, and no second alert.
    await new Promise((r) => setTimeout(r, 3000));
    expect((await runningTasks('pinned')).map((t) => t.id)).toEqual([task.id]);
    expect(cluster.processesOf('pinned')).toHaveLength(1);
    expect(receiver.ofKind('thermal.no-target', hotId)).toHaveLength(1);
    expect(receiver.ofKind('thermal.no-target', hotId)[0]?.details).toMatchObject({ taskId: task.id, reason: expect.stringMatching(/pinned/) });

    board(host).setTempC(COOL_C);
    await expect.poll(() => receiver.ofKind('thermal.recovered', hotId).length, { timeout: 10_000 }).toBe(recoveredBefore + 1);
    await expect.poll(() => taskCpuCap(task.id), { timeout: 5000, interval: 100 }).toBeNull();
  });

  it('reschedules a killed agent, and stops its stale copies when it comes back from a blip', async () => {
    await createService('spread', ['--replicas', '2'], { ignoreHangup: true });
    await expect.poll(() => cluster.runningOn('spread'), { timeout: 15_000 }).toHaveLength(2);
    const placed = await cluster.runningOn('spread');
    const victim = placed[0] ?? 'pi-a';
    const survivor = otherThan(victim);
    const victimId = await nodeIdOf(victim);
    const stale = placed.filter((h) => h === victim).length;

    // kill -9: the agent dies, its task processes live on (stale copies), the manager reschedules.
    await cluster.killAgent(victim);
    await expect.poll(() => cluster.runningOn('spread'), { timeout: 20_000 }).toEqual([survivor, survivor]);
    expect(cluster.processesOf('spread')).toHaveLength(2 + stale);

    // Back with the same boot id (a network blip): the agent stops the copy that was moved away.
    cluster.startAgent(victim, board(victim).root);
    await expect.poll(() => cluster.processesOf('spread').length, { timeout: 15_000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 2000));
    expect(cluster.processesOf('spread')).toHaveLength(2);
    expect(await runningTasks('spread')).toHaveLength(2);
    expect(await cluster.runningOn('spread')).toEqual([survivor, survivor]);
    expect(receiver.ofKind('node.brownout', victimId)).toHaveLength(0);
    expect(receiver.ofKind('node.reboot', victimId)).toHaveLength(0);
  });

  it('calls a reboot after under-voltage a brownout', async () => {
    const victim = 'pi-a';
    const victimId = await nodeIdOf(victim);
    // Under-voltage seen, then the board dies and comes back with a new boot id.
    board(victim).setUnderVoltage(true);
    await expect.poll(() => receiver.ofKind('power.undervoltage', victimId).length, { timeout: 10_000 }).toBe(1);
    await cluster.killAgent(victim);
    await expect.poll(async () => (await cluster.nodes()).find((n) => n.id === victimId)?.status, { timeout: 15_000 }).toBe('down');
    board(victim).setUnderVoltage(false);
    board(victim).setBootId(randomUUID());
    cluster.startAgent(victim, board(victim).root);
    await expect.poll(() => receiver.ofKind('node.brownout', victimId).length, { timeout: 15_000 }).toBe(1);
    expect(receiver.ofKind('node.brownout', victimId)[0]?.severity).toBe('critical');
  });
});
