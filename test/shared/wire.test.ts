import { describe, expect, it } from 'vitest';
import type { Alert } from '../../shared/payloads/alert.js';
import type { NodeFacts } from '../../shared/payloads/facts.js';
import type { LogsChunk, LogsRequest } from '../../shared/payloads/logs.js';
import type { NodeStatus } from '../../shared/payloads/status.js';
import type { DesiredTaskSet, TaskSpec, TaskStatus } from '../../shared/payloads/tasks.js';
import type { Telemetry } from '../../shared/payloads/telemetry.js';
import type { NodeTopicKind } from '../../shared/topics.js';
import { MAX_DESIRED_SET_BYTES, MAX_PAYLOAD_BYTES, decodeMessage, decodePayload, encode, type NodePayload } from '../../shared/wire.js';

const TS = 1_732_000_000_000;

const status: NodeStatus = { v: 1, state: 'online', bootId: 'b0a7-1', clean: false, ts: TS };

const facts: NodeFacts = {
  v: 1,
  nodeId: 'pi-4',
  hostname: 'pi-4',
  arch: 'aarch64',
  os: 'linux',
  bootId: 'b0a7-1',
  board: { profile: 'raspberry-pi-4', model: 'Raspberry Pi 4 Model B Rev 1.4' },
  cpu: { model: 'Cortex-A72', cores: 4 },
  memoryBytes: 8 * 1024 ** 3,
  gpus: [],
  labels: { board: 'rpi4' },
  engineLabels: { rack: 'r1' },
  thermalLimits: { warnC: 70, throttleC: 80, criticalC: 85, hysteresisC: 5 },
  drivers: ['docker', 'process'],
  agentVersion: '0.1.0',
};

const telemetry: Telemetry = {
  v: 1,
  ts: TS,
  seq: 42,
  cpuTempC: 61.3,
  temps: [{ sensor: 'cpu-thermal', tempC: 61.3 }],
  voltages: [{ rail: 'core', volts: 0.85 }],
  power: {
    underVoltageNow: false,
    underVoltageOccurred: true,
    throttledNow: false,
    freqCappedNow: false,
    softTempLimitNow: false,
    inputVolts: null,
  },
  gpus: [],
  gpuStale: false,
  load1: 0.4,
  memUsedBytes: 1_200_000_000,
};

const task: TaskSpec = {
  id: 'web.1.abc',
  serviceId: 'svc-web',
  serviceName: 'web',
  slot: 1,
  driver: 'docker',
  image: 'kelvin-test/busybox:latest',
  command: ['sleep', '60'],
  entrypoint: null,
  env: { MODE: 'prod' },
  labels: {},
  workdir: null,
  resources: { cpus: 1.5, memoryBytes: 256 * 1024 ** 2, gpus: null },
  stopGracePeriodMs: 10_000,
  throttle: null,
};

const tasks: DesiredTaskSet = { v: 1, nodeId: 'pi-4', incarnation: '5f3a9c0d11e2b7a4', generation: 3, tasks: [task] };

const taskStatus: TaskStatus = {
  v: 1,
  taskId: 'web.1.abc',
  generation: 3,
  incarnation: '5f3a9c0d11e2b7a4',
  state: 'running',
  exitCode: null,
  signal: null,
  error: null,
  message: 'started',
  runtimeId: 'c0ffee',
  throttled: false,
  ts: TS,
  startedAt: TS,
  finishedAt: null,
};

const logsRequest: LogsRequest = { v: 1, requestId: 'r1', taskId: 'web.1.abc', tail: 100, follow: true, cancel: false };

const logs: LogsChunk = {
  v: 1,
  requestId: 'r1',
  lines: [{ taskId: 'web.1.abc', ts: TS, stream: 'stdout', text: 'hello' }],
  done: false,
  error: null,
};

const alert: Alert = {
  v: 1,
  id: 'a-1',
  kind: 'thermal.throttle',
  severity: 'warning',
  nodeId: 'pi-4',
  message: 'pi-4 at 82 C: throttling web.1',
  at: TS,
  details: { tempC: 82 },
};

const VALID: { [K in NodeTopicKind]: NodePayload<K> } = {
  status,
  facts,
  telemetry,
  tasks,
  'task-status': taskStatus,
  'logs-request': logsRequest,
  logs,
  leave: { v: 1, ts: TS },
  'secrets-request': { v: 1, requestId: 'r2', taskId: 'web.1.abc', kind: 'secret', name: 'db_pass', publicKey: 'MCowBQYDK2VuAyEA' },
  secrets: { v: 1, requestId: 'r2', ok: false, error: 'no such task' },
  endpoints: {
    v: 1,
    incarnation: '5f3a9c0d11e2b7a4',
    generation: 7,
    nodes: [{ id: 'pi-4', heat: 'warm', power: 'stable' }],
    services: [
      {
        id: 'svc1',
        name: 'web',
        stack: null,
        ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }],
        endpoints: [{ taskId: 'web.1.abc', nodeId: 'pi-4', addr: '10.0.0.4', ports: [{ target: 80, protocol: 'tcp', hostPort: 40123 }] }],
      },
    ],
  },
};

describe('decodeMessage', () => {
  it.each(Object.entries(VALID))('decodes a valid %s payload with the node id from the topic', (kind, payload) => {
    expect(decodeMessage(`kelvin/v1/nodes/pi-4/${kind}`, encode(payload))).toEqual({
      ok: true,
      message: { scope: 'node', nodeId: 'pi-4', kind, payload },
    });
  });

  it('decodes an alert', () => {
    expect(decodeMessage('kelvin/v1/alerts', JSON.stringify(alert))).toEqual({
      ok: true,
      message: { scope: 'alerts', payload: alert },
    });
  });

  it('takes a string or bytes alike', () => {
    const bytes = new Uint8Array(encode(status));
    expect(decodeMessage('kelvin/v1/nodes/pi-4/status', bytes)).toEqual(
      decodeMessage('kelvin/v1/nodes/pi-4/status', JSON.stringify(status)),
    );
  });

  it('rejects a message on a malformed topic without reading it', () => {
    expect(decodeMessage('kelvin/v1/nodes/Pi-4/status', encode(status))).toEqual({
      ok: false,
      reason: 'topic',
      error: "topic 'kelvin/v1/nodes/Pi-4/status' names invalid node id 'Pi-4'",
    });
  });

  it('accepts a payload of exactly 64 KiB', () => {
    const exact = padded(status, MAX_PAYLOAD_BYTES);
    expect(exact.byteLength).toBe(64 * 1024);
    expect(decodeMessage('kelvin/v1/nodes/pi-4/status', exact).ok).toBe(true);
  });

  it('rejects a payload over 64 KiB before parsing it', () => {
    const valid = padded(status, MAX_PAYLOAD_BYTES + 1);
    expect(decodeMessage('kelvin/v1/nodes/pi-4/status', valid)).toEqual({
      ok: false,
      reason: 'size',
      error: 'kelvin/v1/nodes/pi-4/status: payload of 65537 bytes exceeds 65536',
    });
    // Not even JSON: the size check answers first, so a huge junk payload is never parsed.
    const junk = Buffer.alloc(1024 * 1024, '{');
    expect(decodeMessage('kelvin/v1/nodes/pi-4/telemetry', junk)).toEqual({
      ok: false,
      reason: 'size',
      error: 'kelvin/v1/nodes/pi-4/telemetry: payload of 1048576 bytes exceeds 65536',
    });
    expect(decodeMessage('kelvin/v1/alerts', junk)).toEqual({ ok: false, reason: 'size', error: 'payload of 1048576 bytes exceeds 65536' });
  });

  it('lets a desired set grow to 1 MiB, since it lists every task of a node', () => {
    const task = {
      id: 't',
      serviceId: 's',
      serviceName: 'web',
      slot: 1,
      driver: 'process',
      image: null,
      command: ['sleep', '60'],
      entrypoint: null,
      env: {},
      labels: {},
      workdir: null,
      resources: { cpus: null, memoryBytes: null, gpus: null },
      stopGracePeriodMs: 10_000,
      throttle: null,
    };
    const set = (n: number): string =>
      JSON.stringify({ v: 1, nodeId: 'pi-4', generation: 3, tasks: Array.from({ length: n }, (_, i) => ({ ...task, id: `task-${i}` })) });
    const big = set(400);
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_PAYLOAD_BYTES);
    const r = decodePayload('tasks', big);
    expect(r.ok && r.value.tasks.length).toBe(400);
    const huge = set(4000);
    expect(Buffer.byteLength(huge)).toBeGreaterThan(MAX_DESIRED_SET_BYTES);
    expect(decodePayload('tasks', huge)).toEqual({ ok: false, reason: 'size', error: `payload of ${Buffer.byteLength(huge)} bytes exceeds ${MAX_DESIRED_SET_BYTES}` });
  });

  it('counts bytes, not characters', () => {
    // 'é' is two bytes in UTF-8: 40,000 of them are 80,000 bytes though only 40,000 characters.
    const wide = JSON.stringify({ ...status, bootId: 'é'.repeat(40_000) });
    expect(wide.length).toBeLessThan(MAX_PAYLOAD_BYTES);
    const r = decodeMessage('kelvin/v1/nodes/pi-4/status', wide);
    expect(r.ok ? 'accepted' : r.error).toMatch(/payload of \d+ bytes exceeds 65536$/);
  });

  it.each(['', '{', 'online', '{"v":1,}', "{'v':1}"])('rejects bad JSON %j', (text) => {
    expect(decodeMessage('kelvin/v1/nodes/pi-4/status', text)).toEqual({
      ok: false,
      reason: 'json',
      error: 'kelvin/v1/nodes/pi-4/status: payload is not valid JSON',
    });
  });

  it.each([
    ['status', { ...status, state: 'sleeping' }, 'state'],
    ['status', { ...status, ts: -1 }, 'ts'],
    ['facts', { ...facts, cpu: { model: null, cores: 0 } }, 'cpu.cores'],
    ['facts', { ...facts, gpus: [{ vendor: 'intel', model: 'x', memoryBytes: null, uuid: null }] }, 'gpus.0.vendor'],
    ['facts', { ...facts, nodeId: 'Pi_4' }, 'nodeId'],
    ['telemetry', { ...telemetry, power: { ...telemetry.power, inputVolts: '5.1' } }, 'power.inputVolts'],
    ['tasks', { ...tasks, tasks: [{ ...task, driver: 'podman' }] }, 'tasks.0.driver'],
    ['tasks', { ...tasks, tasks: [{ ...task, resources: { ...task.resources, cpus: 0 } }] }, 'tasks.0.resources.cpus'],
    ['task-status', { ...taskStatus, state: 'exploded' }, 'state'],
    ['logs-request', { ...logsRequest, requestId: '' }, 'requestId'],
    ['logs', { ...logs, lines: [{ ...logs.lines[0], stream: 'stdin' }] }, 'lines.0.stream'],
    ['status', [], '(root)'],
    ['status', null, '(root)'],
  ])('rejects a %s payload that breaks the schema, naming %j', (kind, payload, where) => {
    const r = decodeMessage(`kelvin/v1/nodes/pi-4/${kind}`, JSON.stringify(payload));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('schema');
    if (!r.ok) expect(r.error).toMatch(new RegExp(`^kelvin/v1/nodes/pi-4/${kind}: invalid payload at ${escape(where)}: .+`));
  });

  it('rejects a missing field by its name', () => {
    const { bootId: _bootId, ...noBootId } = status;
    const r = decodeMessage('kelvin/v1/nodes/pi-4/status', JSON.stringify(noBootId));
    expect(r.ok ? 'accepted' : r.error).toMatch(/^kelvin\/v1\/nodes\/pi-4\/status: invalid payload at bootId: /);
  });

  it.each(Object.entries(VALID))('rejects a %s payload from wire version 2', (kind, payload) => {
    const r = decodeMessage(`kelvin/v1/nodes/pi-4/${kind}`, JSON.stringify({ ...payload, v: 2 }));
    expect(r.ok ? 'accepted' : r.error).toMatch(new RegExp(`^kelvin/v1/nodes/pi-4/${kind}: invalid payload at v: `));
  });

  it('rejects a v2 alert', () => {
    const r = decodeMessage('kelvin/v1/alerts', JSON.stringify({ ...alert, v: 2 }));
    expect(r.ok ? 'accepted' : r.error).toMatch(/^invalid payload at v: /);
  });
});

describe('decodePayload', () => {
  it('parses the payload of a known kind without a topic', () => {
    expect(decodePayload('facts', encode(facts))).toEqual({ ok: true, value: facts });
    expect(decodePayload('facts', encode({ ...facts, memoryBytes: -1 }))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^invalid payload at memoryBytes: /) as unknown,
    });
  });
});

/** `value` as JSON padded with spaces (still valid JSON) to exactly `bytes` bytes. */
function padded(value: unknown, bytes: number): Buffer {
  const json = JSON.stringify(value);
  return Buffer.from(json + ' '.repeat(bytes - Buffer.byteLength(json)));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
