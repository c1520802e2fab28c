/**
 * The routing mesh across real processes (issue 13): the built `kelvin manager` and three
 * `kelvin agent`s on writable Pi 4 fixture boards, each in its own network namespace joined by a
 * bridge (so every forward crosses a real network hop, and each agent's advertise address is its
 * default: its address towards the broker), running a three-replica process service that
 * publishes a TCP and a UDP port. Every board answers on the published ports and forwards to tasks
 * anywhere, skipping a dead one (TCP: refused; UDP: port unreachable). Where namespaces cannot be
 * made, the agents share this namespace on 127.0.0.11-13 with --advertise-addr, and the run says so.
 */
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultServiceSpec, type ServiceSpec } from '../../shared/service-spec.js';
import { TestCluster, waitUntil } from '../helpers/cluster.js';
import { freePort } from '../helpers/mosquitto.js';
import { createTestNetwork, type TestNetwork } from '../helpers/netns.js';
import { writableBoard, type WritableBoard } from '../helpers/writable-board.js';

const NAMES = ['mesh-a', 'mesh-b', 'mesh-c'];
let BOARDS: Array<{ name: string; addr: string; netns?: string }> = [];
let network: TestNetwork | null = null;
/** Both in stack `shop`, so web reaches api by its compose name. */
const WEB = 'shop_web';
const API = 'shop_api';
const COOL_C = 55;
const HOT_C = 72;

let cluster: TestCluster;
let tcpPort = 0;
let udpPort = 0;
let apiPort = 0;
const boards = new Map<string, WritableBoard>();

/** The api service: answers `api <PORT>`. */
const API_SERVER = "require('http').createServer((q,r)=>r.end('api '+process.env.PORT)).listen(+process.env.PORT);";

/** `/api` asks the api service by name and relays its answer. Answers every other HTTP request with its PORT (unique per task on this machine); `/slow` after 3 s. UDP echoes `PORT:message`. */
const SERVER = [
  "const http=require('http'),dgram=require('dgram');const id=process.env.PORT;",
  "http.createServer((q,r)=>{if(q.url==='/slow'){setTimeout(()=>r.end(id),3000);return;}",
  "if(q.url==='/api'){http.get({host:process.env.KELVIN_HOST_API,port:90},(a)=>a.pipe(r)).on('error',(e)=>r.end('api unreachable: '+e.message));return;}",
  'r.end(id);}).listen(+process.env.PORT);',
  "dgram.createSocket('udp4').on('message',function(m,ri){this.send(id+':'+m,ri.port,ri.address);}).bind(+process.env.KELVIN_PORT_81);",
].join('');

function get(host: string, path = '/', timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port: tcpPort, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

function udpAsk(host: string, message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error('no UDP answer'));
    }, 2000);
    socket.on('message', (m) => {
      clearTimeout(timer);
      socket.close();
      resolve(m.toString());
    });
    socket.send(message, udpPort, host);
  });
}

/** Replies to `count` sequential requests through `host`; failures as 'error'. */
async function replies(host: string, count: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(await get(host).catch(() => 'error'));
  return out;
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

/** The task processes of `web` that the agent `board` started. */
function tasksOf(board: string): number[] {
  const agentPid = cluster.agents.get(board)?.pid;
  return cluster.processesOf('web').filter((pid) => {
    for (let p = parentOf(pid), hops = 0; p > 1 && hops < 5; p = parentOf(p), hops++) if (p === agentPid) return true;
    return false;
  });
}

function portOfTask(pid: number): string {
  const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  return env.find((e) => e.startsWith('PORT='))?.slice('PORT='.length) ?? '?';
}

async function createService(spec: ServiceSpec): Promise<void> {
  const res = await fetch(`${cluster.env.KELVIN_HOST}/v1/services`, {
    method: 'POST',
    headers: { authorization: `Bearer ${cluster.env.KELVIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  });
  if (!res.ok) throw new Error(`service create: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  tcpPort = await freePort();
  udpPort = await freePort();
  apiPort = await freePort();
  network = createTestNetwork(NAMES.length);
  if (network) {
    BOARDS = NAMES.map((name, i) => ({ name, addr: network?.boards[i]?.addr ?? '?', netns: network?.boards[i]?.ns ?? '?' }));
  } else {
    console.warn('mesh e2e: cannot create network namespaces here; the boards share this one on 127.0.0.11-13');
    BOARDS = NAMES.map((name, i) => ({ name, addr: `127.0.0.${11 + i}` }));
  }
  // Sustain long enough that a hot board keeps its task: the test watches the mesh, not the migration.
  cluster = await TestCluster.start(['--thermal-sustain', '120s', '--thermal-hold', '1s'], { mqttHost: network?.hostAddr ?? '127.0.0.1' });
  for (const { name, addr, netns } of BOARDS) {
    const b = writableBoard('rpi4');
    b.setTempC(COOL_C);
    b.setUnderVoltage(false);
    boards.set(name, b);
    cluster.startAgent(name, b.root, netns ? { netns } : { extraArgs: ['--advertise-addr', addr] });
  }
  await cluster.waitForReadyNodes(3);
  await createService({
    ...defaultServiceSpec(API),
    stack: 'shop',
    driver: 'process',
    command: [process.execPath, '-e', API_SERVER, cluster.marker('api')],
    ports: [{ published: apiPort, target: 90, protocol: 'tcp', mode: 'ingress' }],
  });
  await waitUntil('the api task', async () => (await cluster.runningOn(API)).length === 1, 20_000);
  const spec = defaultServiceSpec(WEB);
  await createService({
    ...spec,
    stack: 'shop',
    driver: 'process',
    command: [process.execPath, '-e', SERVER, cluster.marker('web')],
    replicas: 3,
    placement: { ...spec.placement, maxReplicasPerNode: 1 },
    stopGracePeriodMs: 5000,
    ports: [
      { published: tcpPort, target: 80, protocol: 'tcp', mode: 'ingress' },
      { published: udpPort, target: 81, protocol: 'udp', mode: 'ingress' },
    ],
  });
  await waitUntil('3 running tasks of web', async () => (await cluster.runningOn(WEB)).length === 3, 20_000);
}, 60_000);

afterAll(async () => {
  await cluster?.stop([WEB, API]);
  for (const b of boards.values()) b.remove();
  network?.remove();
}, 30_000);

describe('routing mesh', () => {
  it('answers on every board and reaches every task, over TCP and UDP', async () => {
    const ports = BOARDS.flatMap(({ name }) => tasksOf(name).map(portOfTask));
    expect(new Set(ports).size).toBe(3);
    for (const { addr } of BOARDS) {
      await expect.poll(async () => new Set(await replies(addr, 9)), { timeout: 15_000 }).toEqual(new Set(ports));
    }
    for (const { addr } of BOARDS) expect(ports).toContain((await udpAsk(addr, 'ping')).replace(/:ping$/, ''));
  });

  it('lets web reach api by its compose name from every board, api running on one of them', async () => {
    const [apiHost] = await cluster.runningOn(API);
    const webHosts = await cluster.runningOn(WEB);
    expect(webHosts.filter((h) => h !== apiHost)).toHaveLength(2);
    // Round-robin: 6 requests reach every web task, two of them on boards without the api task.
    const answers = await Promise.all(Array.from({ length: 6 }, () => get(BOARDS[0]!.addr, '/api')));
    expect(answers[0]).toMatch(/^api \d+$/);
    expect(answers).toEqual(Array(6).fill(answers[0]));
  });

  it('sends no new connections to a task on a hot board while cooler ones answer', async () => {
    const hot = BOARDS[0]!;
    const [hotTask] = tasksOf(hot.name);
    const hotPort = portOfTask(hotTask ?? 0);
    boards.get(hot.name)?.setTempC(HOT_C);
    await expect.poll(async () => (await replies(BOARDS[1]!.addr, 12)).includes(hotPort), { timeout: 15_000 }).toBe(false);
    const later = [...(await replies(BOARDS[2]!.addr, 12)), ...(await replies(hot.addr, 12))];
    expect(later).not.toContain(hotPort);
    expect(later).not.toContain('error');
    expect(new Set(later).size).toBe(2);
    boards.get(hot.name)?.setTempC(COOL_C);
    await expect.poll(async () => (await replies(BOARDS[1]!.addr, 12)).includes(hotPort), { timeout: 15_000 }).toBe(true);
  });

  it('keeps answering after one board dies with its tasks (kill -9)', async () => {
    const dead = BOARDS[1]!;
    const deadTasks = tasksOf(dead.name);
    const deadPorts = deadTasks.map(portOfTask);
    expect(deadTasks).toHaveLength(1);
    await cluster.killAgent(dead.name);
    for (const pid of deadTasks) process.kill(pid, 'SIGKILL');
    // Gone, not dying: a connection a dying process accepted is lost whatever forwards it.
    await expect.poll(() => deadTasks.filter((pid) => existsSync(`/proc/${pid}`)), { timeout: 5000, interval: 20 }).toEqual([]);
    // Straight away, before the manager notices (node timeout 2 s): a refused endpoint is skipped
    // for the next one. UDP: the dead task's board answers "port unreachable", so each new client
    // is answered by a live task.
    const udp: string[] = [];
    for (const { addr } of [BOARDS[0]!, BOARDS[2]!]) for (let i = 0; i < 3; i++) udp.push(await udpAsk(addr, 'ping').catch(() => 'no answer'));
    expect(udp.filter((r) => !r.endsWith(':ping'))).toEqual([]);
    expect(udp.filter((r) => deadPorts.includes(r.replace(/:ping$/, '')))).toEqual([]);
    const started = Date.now();
    const through = [...(await replies(BOARDS[0]!.addr, 10)), ...(await replies(BOARDS[2]!.addr, 10))];
    expect(through).not.toContain('error');
    expect(through.filter((r) => deadPorts.includes(r))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('drains a task before scale-down stops it: open requests finish, new ones go elsewhere', async () => {
    await expect.poll(() => cluster.runningOn(WEB), { timeout: 20_000 }).toHaveLength(2);
    const before = new Set(BOARDS.flatMap(({ name }) => tasksOf(name)).map(portOfTask));
    // Slow requests open on both remaining tasks (round-robin), then one task is scaled away.
    const slow = Array.from({ length: 4 }, () => get(BOARDS[0]!.addr, '/slow', 15_000).catch((err: Error) => `error: ${err.message}`));
    await new Promise((r) => setTimeout(r, 300));
    await cluster.kelvin('service', 'scale', `${WEB}=1`);
    await expect.poll(() => cluster.runningOn(WEB), { timeout: 10_000 }).toHaveLength(1);
    // By task, not by board: after the kill -9 above, both tasks may run on the same board.
    const keptTask = (await cluster.tasks(WEB)).find((t) => t.desiredState === 'running' && t.state === 'running');
    const keptPort = portOfTask(Number(keptTask?.runtimeId));
    // While the other drains (its slow requests still open), new connections go to the kept task
    // as soon as the endpoint list without it has reached the board (recomputed every 250 ms).
    await expect.poll(() => replies(BOARDS[2]!.addr, 4), { timeout: 5000, interval: 200 }).toEqual(Array(4).fill(keptPort));
    const answers = await Promise.all(slow);
    expect(answers.filter((a) => !before.has(a))).toEqual([]);
    expect(new Set(answers)).toEqual(before);
    await expect.poll(() => BOARDS.flatMap(({ name }) => tasksOf(name)).length, { timeout: 15_000 }).toBe(1);
  });

  it('keeps forwarding over the last endpoint list with the manager gone', async () => {
    const [kept] = await cluster.runningOn(WEB);
    const keptPort = portOfTask(tasksOf(kept ?? '?')[0] ?? 0);
    await cluster.stopManager('SIGKILL');
    for (const { addr } of [BOARDS[0]!, BOARDS[2]!]) expect(await replies(addr, 3)).toEqual(Array(3).fill(keptPort));
  });
});
