import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiServer } from '../../manager/api/index.js';
import { startManager, type RunningManager } from '../../manager/manager.js';
import { silentLogger } from '../../shared/logger.js';
import { eventually, sleep, SimulatedBoard } from './broker/broker-client.js';
import { factsFor, spec } from './orchestrator/harness.js';

let dir: string;
let manager: RunningManager;
let api: ApiServer;
let board: SimulatedBoard;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-metrics-'));
  manager = await startManager({ dataDir: dir, mqttHost: '127.0.0.1', mqttPort: 0, insecureMqtt: true, nodeTimeoutMs: 3000 }, { logger: silentLogger() });
  api = await startApi(manager, { host: '127.0.0.1', port: 0, brokerUrl: manager.mqttUrl, logger: silentLogger() });
  token = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  board = await SimulatedBoard.connect(manager.mqttUrl, 'pi-1', manager.cluster.joinToken(), 'pi-1-secret', factsFor('pi-1'));
});

afterAll(async () => {
  await board?.close();
  await api?.close();
  await manager?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function scrape(auth: string | null = token): Promise<Response> {
  return fetch(`${api.url}/metrics`, { headers: auth === null ? {} : { authorization: `Bearer ${auth}` } });
}

/** The value of one series, e.g. `kelvin_nodes{state="ready"}`; null when absent. */
async function metric(series: string): Promise<number | null> {
  const text = await (await scrape()).text();
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
}

async function metricReaches(series: string, atLeast: number): Promise<number> {
  let last: number | null = null;
  for (const deadline = Date.now() + 5000; Date.now() < deadline; await sleep(100)) {
    last = await metric(series);
    if (last !== null && last >= atLeast) return last;
  }
  throw new Error(`${series} stayed at ${last} (wanted >= ${atLeast})`);
}

describe('GET /metrics', () => {
  it('needs the admin bearer token like every other route', async () => {
    expect((await scrape(null)).status).toBe(401);
    expect((await scrape('wrong')).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('counts accepted telemetry as a board reports, and shows the node ready', async () => {
    await eventually(() => manager.cluster.getNode('pi-1').status === 'ready', 5000, 'node ready');
    const first = await metricReaches('kelvin_telemetry_messages_total{result="accepted"}', 1);
    // The board publishes every 500 ms: the count keeps going up.
    await metricReaches('kelvin_telemetry_messages_total{result="accepted"}', first + 2);
    expect(await metric('kelvin_nodes{state="ready"}')).toBe(1);
    expect(await metric('kelvin_nodes{state="down"}')).toBe(0);
    expect(await metric('kelvin_ingest_lag_seconds_count')).toBeGreaterThan(0);
  });

  it('counts a placement and times the scheduling pass', async () => {
    expect(await metric('kelvin_placements_total')).toBe(0);
    manager.cluster.createService(spec('web'));
    await eventually(() => board.lastSet()?.tasks.length === 1, 5000, 'desired set on the board');
    expect(await metric('kelvin_placements_total')).toBe(1);
    expect(await metric('kelvin_scheduling_latency_seconds_count')).toBeGreaterThanOrEqual(1);
  });

  it('counts a telemetry payload that fails the wire schema as rejected', async () => {
    expect(await metric('kelvin_telemetry_messages_total{result="rejected"}')).toBe(0);
    board.client.publish('kelvin/v1/nodes/pi-1/telemetry', JSON.stringify({ v: 1, ts: Date.now(), seq: -1 }), { qos: 0 });
    board.client.publish('kelvin/v1/nodes/pi-1/telemetry', 'not json', { qos: 0 });
    expect(await metricReaches('kelvin_telemetry_messages_total{result="rejected"}', 2)).toBe(2);
  });

  it('counts every rejected payload by topic kind and reason', async () => {
    const series = (kind: string, reason: string): string => `kelvin_rejected_payloads_total{kind="${kind}",reason="${reason}"}`;
    expect(await metric(series('status', 'schema'))).toBeNull();
    const base = 'kelvin/v1/nodes/pi-1';
    board.client.publish(`${base}/status`, JSON.stringify({ v: 1, state: 'sleeping', bootId: 'boot-1', clean: false, ts: Date.now() }), { qos: 1 });
    board.client.publish(`${base}/facts`, '{"v":1,', { qos: 1 });
    board.client.publish(`${base}/task-status`, JSON.stringify({ v: 1, taskId: 't-1', state: 'exploded' }), { qos: 1 });
    board.client.publish(`${base}/task-status`, JSON.stringify({ v: 1, taskId: 't-1', state: 'exploded' }), { qos: 1 });
    // (Oversized payloads are the broker's to refuse before they arrive; the router's unit test covers `size`.)
    board.client.publish(`${base}/logs`, JSON.stringify({ v: 1, requestId: 'r-1', lines: 'all of them' }), { qos: 1 });
    expect(await metricReaches(series('status', 'schema'), 1)).toBe(1);
    expect(await metricReaches(series('facts', 'json'), 1)).toBe(1);
    expect(await metricReaches(series('task-status', 'schema'), 2)).toBe(2);
    expect(await metricReaches(series('logs', 'schema'), 1)).toBe(1);
    // The bad status was dropped, not applied: the node is still ready.
    expect(manager.cluster.getNode('pi-1').status).toBe('ready');
  });

  it('counts a task endpoint at an address its node did not advertise as an address rejection', async () => {
    const series = 'kelvin_rejected_payloads_total{kind="task-status",reason="address"}';
    board.client.publish('kelvin/v1/nodes/pi-1/facts', JSON.stringify({ ...factsFor('pi-1'), addr: '10.0.0.1' }), { qos: 1, retain: true });
    await eventually(() => manager.store.getNode('pi-1')?.facts?.addr === '10.0.0.1', 5000, 'the advertised address stored');
    const [web] = manager.store.listTasks({ nodeId: 'pi-1' });
    const endpoint = (addr: string): string =>
      JSON.stringify({
        v: 1, taskId: web?.id, generation: 1, state: 'running', exitCode: null, signal: null, error: null, message: 'running', runtimeId: 'c-1',
        throttled: false, ts: Date.now(), startedAt: Date.now(), finishedAt: null, addr, ports: [{ target: 80, protocol: 'tcp', hostPort: 40001 }],
      });
    board.client.publish('kelvin/v1/nodes/pi-1/task-status', endpoint('10.0.0.1'), { qos: 1 }); // its own: fine
    board.client.publish('kelvin/v1/nodes/pi-1/task-status', endpoint('10.0.0.99'), { qos: 1 }); // another host
    board.client.publish('kelvin/v1/nodes/pi-1/task-status', endpoint('0.0.0.0'), { qos: 1 }); // no host at all: the schema's
    // In order: once the last is counted, the first two were handled.
    expect(await metricReaches('kelvin_rejected_payloads_total{kind="task-status",reason="schema"}', 3)).toBe(3);
    expect(await metric(series)).toBe(1);
  });

  it('counts a node speaking of what is not its own as an identity rejection', async () => {
    const series = (kind: string): string => `kelvin_rejected_payloads_total{kind="${kind}",reason="identity"}`;
    const other = await SimulatedBoard.connect(manager.mqttUrl, 'pi-2', manager.cluster.joinToken(), 'pi-2-secret', factsFor('pi-2'));
    try {
      const [web] = manager.store.listTasks({ nodeId: 'pi-1' });
      other.report(web?.id ?? '', 'failed', 1); // pi-1's task, reported by pi-2
      board.client.publish('kelvin/v1/nodes/pi-1/facts', JSON.stringify(factsFor('pi-2')), { qos: 1 }); // facts naming another node
      expect(await metricReaches(series('task-status'), 1)).toBe(1);
      expect(await metricReaches(series('facts'), 1)).toBe(1);
      expect(manager.store.getTask(web?.id ?? '')?.state).not.toBe('failed');
    } finally {
      await other.close();
    }
  });
});
