/**
 * The agent as a user runs it: the real `kelvin agent` process on a fixture board, against a real
 * Mosquitto, with real process tasks. Everything is observed from an MQTT subscriber, as the
 * manager would.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readNodeId } from '../../agent/identity.js';
import { nodeFacts } from '../../shared/payloads/facts.js';
import type { DesiredTaskSet, TaskSpec, TaskStatus } from '../../shared/payloads/tasks.js';
import { telemetry } from '../../shared/payloads/telemetry.js';
import { nodeTopic } from '../../shared/topics.js';
import { REPO_ROOT, spawnKelvin } from '../helpers/cli.js';
import { processSpec } from '../helpers/task-spec.js';
import { startMosquitto, type RunningBroker } from '../helpers/mosquitto.js';
import { hasMosquitto } from '../helpers/requirements.js';
import { MqttWatch } from './mqtt-watch.js';

const BOARD = join(REPO_ROOT, 'test/fixtures/boards/rpi4');
const topic = (nodeId: string, kind: Parameters<typeof nodeTopic>[1]) => nodeTopic(nodeId, kind);
const ALL = 'kelvin/v1/nodes/+/+';

interface Agent {
  child: ChildProcess;
  stderr: () => string;
  exited: Promise<number | null>;
}

function startAgent(brokerUrl: string, stateDir: string, extra: string[] = []): Agent {
  const child = spawnKelvin(
    ['agent', '--broker', brokerUrl, '--state-dir', stateDir, '--host-root', BOARD, '--name', 'kitchen-pi', '--label', 'zone=kitchen', ...extra],
    { env: { ...process.env, KELVIN_JOIN_TOKEN: 'join-token-1', KELVIN_LOG_LEVEL: 'info' } },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => err, exited };
}

/** The node id the agent made in its state dir on first start. */
async function nodeIdIn(stateDir: string, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const id = readNodeId(stateDir);
    if (id) return id;
    if (Date.now() > deadline) throw new Error(`no node id in ${stateDir} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function processTask(id: string, command: string[]): TaskSpec {
  return processSpec(command, { id, serviceName: 'sleeper' });
}

function killGroup(pid: number): void {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasMosquitto)('kelvin agent against Mosquitto', () => {
  let broker: RunningBroker;
  let dir: string;
  const agents: Agent[] = [];
  const watches: MqttWatch[] = [];
  const taskPids: number[] = [];

  // A broker per test: no retained message from an earlier test's agent can be mistaken for this one's.
  beforeEach(async () => {
    broker = await startMosquitto();
    dir = mkdtempSync(join(tmpdir(), 'kelvin-daemon-'));
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) {
      if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
      await a.exited;
    }
    for (const w of watches.splice(0)) await w.close();
    for (const pid of taskPids.splice(0)) killGroup(pid);
    rmSync(dir, { recursive: true, force: true });
    await broker.stop();
  });

  async function watchAll(): Promise<MqttWatch> {
    const w = await MqttWatch.open(broker.url, [ALL]);
    watches.push(w);
    return w;
  }

  const stateDir = () => join(dir, 'state');

  function run(extra: string[] = []): Agent {
    const a = startAgent(broker.url, stateDir(), extra);
    agents.push(a);
    return a;
  }

  it('publishes retained facts and online status a late subscriber sees, then telemetry at the interval', async () => {
    const early = await watchAll();
    run(['--interval', '200ms']);
    const nodeId = await nodeIdIn(stateDir());
    expect(nodeId).toMatch(/^kitchen-pi-[0-9a-f]{4}$/);
    await early.waitFor(topic(nodeId, 'facts'));

    const late = await watchAll();
    const status = await late.waitFor(topic(nodeId, 'status'));
    expect(status.retain).toBe(true);
    expect(status.json).toMatchObject({ state: 'online' });
    const facts = await late.waitFor(topic(nodeId, 'facts'));
    expect(facts.retain).toBe(true);
    const parsed = nodeFacts.parse(facts.json);
    expect(parsed).toMatchObject({ nodeId, hostname: 'kitchen-pi', engineLabels: { zone: 'kitchen' }, board: { profile: 'rpi-4' } });
    expect(parsed.drivers).toContain('process');

    await early.waitFor(topic(nodeId, 'telemetry'), (j) => (j as { seq: number }).seq >= 5, 5000);
    const samples = early.on(topic(nodeId, 'telemetry'));
    const seqs = samples.map((m) => telemetry.parse(m.json).seq);
    expect(seqs.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5]);
    const gaps = samples.slice(1, 6).map((m, i) => m.at - (samples[i]?.at ?? 0));
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeGreaterThan(150);
    expect(mean).toBeLessThan(300);
    expect(samples.every((m) => !m.retain)).toBe(true);
  });

  it('runs the retained desired set, answers log requests, survives a bad payload, and leaves tasks running on SIGTERM', async () => {
    const watch = await watchAll();
    const agent = run();
    const nodeId = await nodeIdIn(stateDir());
    const task = processTask('task-sleep-1', ['sh', '-c', 'echo hello from the task; exec sleep 30']);
    const set: DesiredTaskSet = { v: 1, nodeId, generation: 1, tasks: [task] };
    await watch.publish(topic(nodeId, 'tasks'), JSON.stringify(set), { qos: 1, retain: true });

    const running = await watch.waitFor(topic(nodeId, 'task-status'), (j) => (j as TaskStatus).state === 'running', 15_000);
    const pid = Number((running.json as TaskStatus).runtimeId);
    taskPids.push(pid);
    expect(alive(pid)).toBe(true);

    // A bad payload on the tasks topic is dropped; the agent keeps answering.
    await watch.publish(topic(nodeId, 'tasks'), '{"v":1,"nodeId":');
    await watch.publish(topic(nodeId, 'logs-request'), JSON.stringify({ v: 1, requestId: 'req-1', taskId: task.id, tail: null, follow: false, cancel: false }));
    const done = await watch.waitFor(topic(nodeId, 'logs'), (j) => (j as { done: boolean }).done, 10_000);
    const lines = watch.on(topic(nodeId, 'logs')).flatMap((m) => (m.json as { lines: Array<{ text: string }> }).lines.map((l) => l.text));
    expect(lines.join('\n')).toContain('hello from the task');
    expect(done.json).toMatchObject({ requestId: 'req-1', error: null });
    expect(agent.stderr()).toContain('dropped a bad payload');

    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    await watch.waitFor(topic(nodeId, 'status'), (j) => (j as { state: string }).state === 'offline');
    const late = await watchAll();
    const offline = await late.waitFor(topic(nodeId, 'status'));
    expect(offline.retain).toBe(true);
    expect(offline.json).toMatchObject({ state: 'offline', clean: true });
    expect(alive(pid)).toBe(true);
  });

  it('sends every task status again at --status-resync, so a report the broker dropped is not lost for good', async () => {
    const watch = await watchAll();
    run(['--status-resync', '300ms']);
    const nodeId = await nodeIdIn(stateDir());
    const task = processTask('task-resync-1', ['sh', '-c', 'exec sleep 30']);
    await watch.publish(topic(nodeId, 'tasks'), JSON.stringify({ v: 1, nodeId, generation: 1, tasks: [task] } satisfies DesiredTaskSet), { qos: 1, retain: true });
    const first = await watch.waitFor(topic(nodeId, 'task-status'), (j) => (j as TaskStatus).state === 'running', 15_000);
    taskPids.push(Number((first.json as TaskStatus).runtimeId));
    const isRunningReport = (j: unknown): boolean => (j as TaskStatus).taskId === task.id && (j as TaskStatus).state === 'running';
    await expect.poll(() => watch.on(topic(nodeId, 'task-status')).filter((m) => isRunningReport(m.json)).length, { timeout: 5000 }).toBeGreaterThanOrEqual(4);
    // Repeats of the same report, on one connection: no reconnect caused them.
    expect(watch.on(topic(nodeId, 'status')).filter((m) => (m.json as { state: string }).state === 'online')).toHaveLength(1);
  });

  it('after kill -9 the broker publishes the offline will within 1.5 x keepalive', async () => {
    const watch = await watchAll();
    const agent = run(['--keepalive', '2s']);
    const nodeId = await nodeIdIn(stateDir());
    await watch.waitFor(topic(nodeId, 'facts'));
    const killedAt = Date.now();
    agent.child.kill('SIGKILL');
    await agent.exited;
    const offline = await watch.waitFor(topic(nodeId, 'status'), (j) => (j as { state: string }).state === 'offline', 6000);
    expect(offline.json).toMatchObject({ state: 'offline', clean: false });
    expect(offline.at - killedAt).toBeLessThanOrEqual(3000 + 250);
  });

  it('keeps its node id across restarts and republishes facts after the broker restarts', async () => {
    let watch = await watchAll();
    const first = run();
    const nodeId = await nodeIdIn(stateDir());
    await watch.waitFor(topic(nodeId, 'facts'));
    first.child.kill('SIGTERM');
    await first.exited;
    const restartedAt = Date.now();

    const again = run();
    await watch.waitFor(topic(nodeId, 'status'), (j, m) => (j as { state: string }).state === 'online' && m.at >= restartedAt);
    expect(readNodeId(stateDir())).toBe(nodeId);
    await broker.stop();
    await watch.close();
    watches.length = 0;
    broker = await restartOnSamePort(broker);
    watch = await watchAll();
    // Mosquitto lost its retained messages with the restart: only a republish brings facts back.
    const facts = await watch.waitFor(topic(nodeId, 'facts'), () => true, 15_000);
    expect(nodeFacts.parse(facts.json).nodeId).toBe(nodeId);
    expect(again.child.exitCode).toBeNull();
  });
});

async function restartOnSamePort(old: RunningBroker): Promise<RunningBroker> {
  // The helper picks a fresh port; a second listener on the old one is where the agent reconnects.
  const fresh = await startMosquitto([`listener ${old.port} 127.0.0.1`]);
  return { url: old.url, port: old.port, stop: () => fresh.stop() };
}
