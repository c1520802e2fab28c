import { createServer, type Server } from 'node:net';
import { pino, type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MqttSession, type MqttSessionOptions } from '../../agent/mqtt-session.js';
import { Backoff } from '../../shared/backoff.js';
import type { DesiredTaskSet } from '../../shared/payloads/tasks.js';
import { nodeTopic } from '../../shared/topics.js';
import { freePort, startMosquitto, type RunningBroker } from '../helpers/mosquitto.js';
import { hasMosquitto } from '../helpers/requirements.js';
import { MqttWatch } from './mqtt-watch.js';

const NODE = 'pi-test-1a2b';

/** A pino logger whose lines land in `lines` (to assert on what the session says it does). */
function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { logger, lines };
}

function desiredSet(generation: number, nodeId = NODE): DesiredTaskSet {
  return { v: 1, nodeId, generation, tasks: [] };
}

describe('MqttSession without a reachable broker', () => {
  let server: Server | null = null;
  let session: MqttSession | null = null;
  afterEach(async () => {
    await session?.stop();
    await new Promise((r) => (server ? server.close(r) : r(null)));
    session = null;
    server = null;
  });

  it('retries on the backoff schedule, each delay longer until the cap', async () => {
    const attempts: number[] = [];
    server = createServer((socket) => {
      attempts.push(Date.now());
      socket.destroy();
    });
    const port = await freePort();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    const { logger, lines } = capturingLogger();
    session = new MqttSession({
      ...sessionBase(logger, `mqtt://127.0.0.1:${port}`),
      backoff: new Backoff({ initialMs: 100, maxMs: 400, jitter: 0.5 }, () => 0),
    });
    session.start();
    await waitUntil(() => attempts.length >= 5, 5000);
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] ?? 0));
    const expected = [100, 200, 400, 400];
    gaps.slice(0, 4).forEach((gap, i) => {
      expect(gap).toBeGreaterThanOrEqual((expected[i] ?? 0) - 5);
      expect(gap).toBeLessThan((expected[i] ?? 0) + 300);
    });
    const scheduled = lines.filter((l) => l.msg === 'connection lost; reconnecting').map((l) => l.delayMs);
    expect(scheduled.slice(0, 4)).toEqual(expected);
  });

  it('drops publishes while disconnected instead of queueing them', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    session = new MqttSession({
      ...sessionBase(logger, `mqtt://127.0.0.1:${port}`),
      backoff: new Backoff({ initialMs: 100, maxMs: 200, jitter: 0.5 }, () => 0),
    });
    session.start();
    await waitUntil(() => lines.filter((l) => l.msg === 'connection lost; reconnecting').length >= 3, 5000);
    // The same refusal on every attempt is logged once, not once per attempt.
    expect(lines.filter((l) => l.msg === 'broker connection error').map((l) => l.err)).toEqual([expect.stringContaining('ECONNREFUSED')]);
    for (let seq = 0; seq < 1000; seq++) {
      expect(session.publish('telemetry', telemetry(seq), { qos: 0, retain: false })).toBe(false);
    }
    expect(session.publish('task-status', taskStatus(), { qos: 1, retain: false })).toBe(false);
    if (!hasMosquitto) return;
    // The broker appears on that port: nothing stale arrives, fresh publishes do.
    const broker = await startMosquitto([`listener ${port} 127.0.0.1`]);
    try {
      const watch = await MqttWatch.open(broker.url, [nodeTopic(NODE, 'telemetry'), nodeTopic(NODE, 'task-status')]);
      await waitUntil(() => session!.connected, 5000);
      session.publish('telemetry', telemetry(5000), { qos: 0, retain: false });
      const first = await watch.waitFor(nodeTopic(NODE, 'telemetry'));
      expect((first.json as { seq: number }).seq).toBe(5000);
      expect(watch.on(nodeTopic(NODE, 'task-status'))).toHaveLength(0);
      await watch.close();
    } finally {
      await session.stop();
      session = null;
      await broker.stop();
    }
  });
});

describe.skipIf(!hasMosquitto)('MqttSession against Mosquitto', () => {
  let broker: RunningBroker;
  let session: MqttSession | null = null;
  let watch: MqttWatch | null = null;
  afterEach(async () => {
    await session?.stop();
    await watch?.close();
    await broker?.stop();
    session = null;
    watch = null;
  });

  it('publishes retained online status on connect and offline clean:true on stop', async () => {
    broker = await startMosquitto();
    const { logger } = capturingLogger();
    let connects = 0;
    session = new MqttSession({ ...sessionBase(logger, broker.url), onConnect: () => connects++ });
    session.start();
    await waitUntil(() => connects === 1, 5000);
    // A late subscriber gets the retained status.
    watch = await MqttWatch.open(broker.url, [nodeTopic(NODE, 'status')]);
    const online = await watch.waitFor(nodeTopic(NODE, 'status'));
    expect(online.retain).toBe(true);
    expect(online.json).toMatchObject({ v: 1, state: 'online', bootId: 'boot-1' });
    await session.stop();
    session = null;
    const offline = await watch.waitFor(nodeTopic(NODE, 'status'), (j) => (j as { state: string }).state === 'offline');
    expect(offline.json).toMatchObject({ state: 'offline', clean: true, bootId: 'boot-1' });
  });

  it('hands valid desired sets over, drops bad ones (counted) and keeps going', async () => {
    broker = await startMosquitto();
    const { logger, lines } = capturingLogger();
    const sets: DesiredTaskSet[] = [];
    session = new MqttSession({ ...sessionBase(logger, broker.url), onTasks: (s) => sets.push(s) });
    watch = await MqttWatch.open(broker.url, []);
    // Retained before the agent connects: it must still be seen (level-triggered).
    await watch.publish(nodeTopic(NODE, 'tasks'), JSON.stringify(desiredSet(1)), { qos: 1, retain: true });
    session.start();
    await waitUntil(() => sets.length === 1, 5000);
    await watch.publish(nodeTopic(NODE, 'tasks'), '{not json');
    await watch.publish(nodeTopic(NODE, 'tasks'), JSON.stringify({ v: 1, nodeId: NODE, generation: -1, tasks: [] }));
    await watch.publish(nodeTopic(NODE, 'tasks'), JSON.stringify(desiredSet(2, 'someone-else')));
    await watch.publish(nodeTopic(NODE, 'logs-request'), JSON.stringify({ v: 1 }));
    await watch.publish(nodeTopic(NODE, 'tasks'), JSON.stringify(desiredSet(3)));
    await waitUntil(() => sets.length === 2, 5000);
    expect(sets.map((s) => s.generation)).toEqual([1, 3]);
    expect(session.droppedPayloads).toEqual({ tasks: 3, 'logs-request': 1, secrets: 0, endpoints: 0 });
    // Logged once per topic, not once per bad message.
    expect(lines.filter((l) => String(l.msg).startsWith('dropped a bad payload'))).toHaveLength(2);
    expect(session.connected).toBe(true);
  });

  it('reconnects after the broker restarts and runs onConnect again', async () => {
    const port = await freePort();
    broker = await startMosquitto([`listener ${port} 127.0.0.1`]);
    const { logger, lines } = capturingLogger();
    let connects = 0;
    session = new MqttSession({
      ...sessionBase(logger, `mqtt://127.0.0.1:${port}`),
      onConnect: () => connects++,
      backoff: new Backoff({ initialMs: 100, maxMs: 400, jitter: 0.5 }, () => 0),
    });
    session.start();
    await waitUntil(() => connects === 1, 5000);
    await broker.stop();
    await waitUntil(() => !session!.connected, 5000);
    broker = await startMosquitto([`listener ${port} 127.0.0.1`]);
    await waitUntil(() => connects === 2, 5000);
    // The password is never in the logs.
    expect(JSON.stringify(lines)).not.toContain('the-secret');
  });

  it('reconnects as soon as a refusing broker listens again, not at the end of its backoff delay', async () => {
    const port = await freePort();
    const { logger, lines } = capturingLogger();
    session = new MqttSession({ ...sessionBase(logger, `mqtt://127.0.0.1:${port}`), backoff: new Backoff({ initialMs: 60_000, maxMs: 60_000, jitter: 0 }) });
    session.start();
    await waitUntil(() => lines.some((l) => l.msg === 'connection lost; reconnecting' && l.delayMs === 60_000), 5000);
    broker = await startMosquitto([`listener ${port} 127.0.0.1`]);
    const back = Date.now();
    await waitUntil(() => session!.connected, 10_000);
    expect(Date.now() - back).toBeLessThan(10_000);
    expect(lines.some((l) => l.msg === 'broker accepts connections again; reconnecting now')).toBe(true);
  });
});

function sessionBase(logger: Logger, url: string): MqttSessionOptions {
  return {
    url,
    nodeId: NODE,
    password: 'kelvin1:tok:the-secret',
    ca: null,
    keepaliveS: 5,
    bootId: 'boot-1',
    logger,
    onConnect: () => undefined,
    onTasks: () => undefined,
    onLogsRequest: () => undefined,
  };
}

function telemetry(seq: number) {
  return {
    v: 1 as const,
    ts: Date.now(),
    seq,
    cpuTempC: 50,
    temps: [],
    voltages: [],
    power: { underVoltageNow: null, underVoltageOccurred: null, throttledNow: null, freqCappedNow: null, softTempLimitNow: null, inputVolts: null },
    gpus: [],
    gpuStale: false,
    load1: null,
    memUsedBytes: null,
  };
}

function taskStatus() {
  const now = Date.now();
  return { v: 1 as const, taskId: 't1', generation: 1, state: 'running' as const, exitCode: null, signal: null, error: null, message: '', runtimeId: '1', throttled: false, ts: now, startedAt: now, finishedAt: null };
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
