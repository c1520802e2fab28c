import { pino } from 'pino';
import type { Logger } from '../../../shared/logger.js';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InboundRouter, type NodeMessage } from '../../../manager/broker/inbound.js';

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
    router.route('kelvin/v1/nodes/pi-1/telemetry', Buffer.from('{"v":1}'));
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
});
