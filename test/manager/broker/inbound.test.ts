import { pino } from 'pino';
import type { Logger } from '../../../shared/logger.js';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BAD_PAYLOAD_LOG_INTERVAL_MS, InboundRouter, type NodeMessage } from '../../../manager/broker/inbound.js';
import { DataDiskFullError } from '../../../manager/store/disk-full.js';

function capture(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, cb) => (lines.push(chunk.toString()), cb()) });
  return { logger: pino({ level: 'info' }, stream) as unknown as Logger, lines };
}

describe('InboundRouter', () => {
  it('hands decoded messages to every handler', () => {
    const { logger } = capture();
    const router = new InboundRouter(logger);
    const got: NodeMessage[] = [];
    router.add((m) => got.push(m));
    router.route('kelvin/v1/nodes/pi-1/status', Buffer.from(JSON.stringify({ v: 1, state: 'online', bootId: 'b', clean: false, ts: 1 })));
    expect(got).toEqual([{ scope: 'node', nodeId: 'pi-1', kind: 'status', payload: { v: 1, state: 'online', bootId: 'b', clean: false, ts: 1 } }]);
  });

  it('drops bad payloads, counting them per source and logging only the first', () => {
    const { logger, lines } = capture();
    const router = new InboundRouter(logger);
    const got: NodeMessage[] = [];
    router.add((m) => got.push(m));
    router.route('kelvin/v1/nodes/pi-1/telemetry', Buffer.from('{not json'));
    router.route('kelvin/v1/nodes/pi-1/telemetry', Buffer.from('{not json either'));
    router.route('kelvin/v1/nodes/pi-2/status', Buffer.from('{"v":2}'));
    router.route('kelvin/v1/nodes/pi-1/status', Buffer.alloc(0)); // a cleared retained message: not an error
    expect(got).toEqual([]);
    expect([...router.badPayloads()]).toEqual([
      ['pi-1', 2],
      ['pi-2', 1],
    ]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain('not valid JSON');
  });

  it('tells the listener the topic kind and reason of every rejected payload', () => {
    const seen: string[] = [];
    const router = new InboundRouter(capture().logger, { onBadPayload: (kind, reason) => seen.push(`${kind}/${reason}`) });
    router.route('kelvin/v1/nodes/pi-1/status', Buffer.from('{"v":2}'));
    router.route('kelvin/v1/nodes/pi-1/facts', Buffer.from('nope'));
    router.route('kelvin/v1/nodes/pi-1/task-status', Buffer.alloc(70 * 1024, 0x20));
    router.route('kelvin/v1/nodes/Pi-1/logs', Buffer.from('{}'));
    router.route('kelvin/v1/alerts', Buffer.from('{}'));
    expect(seen).toEqual(['status/schema', 'facts/json', 'task-status/size', 'unknown/topic', 'alerts/schema']);
  });

  it('logs a source that keeps sending bad payloads once a minute per reason, with what it dropped between', () => {
    const { logger, lines } = capture();
    let now = 0;
    const router = new InboundRouter(logger, { now: () => now });
    const bad = (): void => router.route('kelvin/v1/nodes/pi-1/status', Buffer.from('{"v":2}'));
    bad();
    router.route('kelvin/v1/nodes/pi-1/status', Buffer.from('junk')); // another reason: its own line
    for (let i = 0; i < 500; i++) bad();
    expect(lines).toHaveLength(2);
    now = BAD_PAYLOAD_LOG_INTERVAL_MS - 1;
    bad();
    expect(lines).toHaveLength(2);
    now = BAD_PAYLOAD_LOG_INTERVAL_MS;
    bad();
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[2] ?? '{}')).toMatchObject({ source: 'pi-1', reason: 'schema', msg: expect.stringContaining('(501 more like it dropped since the last report)') as unknown });
    expect([...router.badPayloads()]).toEqual([['pi-1', 504]]);
  });

  it('keeps going when a handler throws', () => {
    const { logger } = capture();
    const router = new InboundRouter(logger);
    let reached = false;
    router.add(() => {
      throw new Error('boom');
    });
    router.add(() => (reached = true));
    router.route('kelvin/v1/nodes/pi-1/status', Buffer.from(JSON.stringify({ v: 1, state: 'online', bootId: 'b', clean: false, ts: 1 })));
    expect(reached).toBe(true);
  });

  it('keeps task status and facts a full disk refused, the latest per task, and replays them once; status (repeated by the board) is not kept', () => {
    const { logger, lines } = capture();
    const router = new InboundRouter(logger);
    let diskFull = true;
    const stored: string[] = [];
    router.add((m) => {
      if (diskFull) throw new DataDiskFullError('/var/lib/kelvin', 'SQLITE_FULL');
      stored.push(m.kind === 'task-status' ? `${m.payload.taskId}:${m.payload.state}` : m.kind);
    });
    const status = (taskId: string, state: string): Buffer =>
      Buffer.from(JSON.stringify({ v: 1, taskId, generation: 1, state, exitCode: null, signal: null, error: null, message: '', runtimeId: null, throttled: false, ts: 1, startedAt: null, finishedAt: null }));
    router.route('kelvin/v1/nodes/pi-1/task-status', status('t1', 'starting'));
    router.route('kelvin/v1/nodes/pi-1/task-status', status('t2', 'running'));
    router.route('kelvin/v1/nodes/pi-1/task-status', status('t1', 'running'));
    router.route('kelvin/v1/nodes/pi-1/status', Buffer.from(JSON.stringify({ v: 1, state: 'online', bootId: 'b', clean: false, ts: 1 })));
    expect(router.deferredCount).toBe(2);
    expect(lines).toEqual([]); // the store announces a full disk once; handlers do not log each refusal

    diskFull = false;
    router.replayDeferred();
    expect(stored).toEqual(['t2:running', 't1:running']);
    expect(router.deferredCount).toBe(0);
    router.replayDeferred();
    expect(stored).toHaveLength(2);
  });
});
