import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertBus, AlertHistory, createAlertBus, LogAlertSink, WebhookSink } from '../../../manager/alerts/index.js';
import type { Alert } from '../../../shared/payloads/alert.js';
import { captureLogger, makeAlert, startReceiver, until, type Receiver } from './fixtures.js';

let dir: string;
let db: Database.Database;
let receiver: Receiver;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kelvin-alertbus-'));
  db = new Database(join(dir, 'manager.db'));
  receiver = await startReceiver();
});

afterEach(async () => {
  await receiver.close();
  if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('AlertBus', () => {
  it('stores, streams, logs and POSTs every alert', async () => {
    const { logger, lines } = captureLogger();
    const history = new AlertHistory(db);
    const bus = new AlertBus({ history, sinks: [new LogAlertSink(logger), new WebhookSink({ urls: [receiver.url], logger })], logger });
    const streamed: Alert[] = [];
    bus.subscribe((a) => streamed.push(a));

    const critical = makeAlert(1, { kind: 'node.brownout', severity: 'critical', message: 'pi-1 browned out; 2 tasks rescheduled' });
    expect(bus.emit(critical)).toEqual({ ok: true });
    expect(bus.emit(makeAlert(2, { severity: 'info', kind: 'thermal.recovered' }))).toEqual({ ok: true });

    expect(streamed.map((a) => a.id)).toEqual(['alert-1', 'alert-2']);
    expect(bus.list().map((a) => a.id)).toEqual(['alert-1', 'alert-2']);
    const logged = lines.filter((l) => l.msg.startsWith('alert '));
    expect(logged.map((l) => [l.level, l.msg])).toEqual([
      [50, 'alert node.brownout: pi-1 browned out; 2 tasks rescheduled'],
      [30, `alert thermal.recovered: ${makeAlert(2).message}`],
    ]);
    await bus.close(5000);
    expect(receiver.posts.map((p) => p.body)).toEqual(bus.list());
    expect(bus.counters()).toEqual({
      log: { delivered: 2, retried: 0, dropped: 0, failed: 0 },
      webhook: { delivered: 2, retried: 0, dropped: 0, failed: 0 },
    });
  });

  it('rejects an alert that breaks the wire schema, naming the field, and delivers nothing', async () => {
    const { logger, lines } = captureLogger();
    const bus = new AlertBus({ history: new AlertHistory(db), sinks: [new WebhookSink({ urls: [receiver.url] })], logger });
    const heard: Alert[] = [];
    bus.subscribe((a) => heard.push(a));

    const bad = { ...makeAlert(1), kind: 'thermal.melting' } as unknown as Alert;
    const result = bus.emit(bad);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^alert rejected: invalid at kind: /);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(bus.emit(makeAlert(2, { details: circular })).ok).toBe(false);

    await bus.close(1000);
    expect(heard).toEqual([]);
    expect(bus.list()).toEqual([]);
    expect(receiver.posts).toEqual([]);
    expect(lines.filter((l) => l.msg.startsWith('alert rejected'))).toHaveLength(2);
  });

  it('keeps going when a subscriber throws or history fails, and unsubscribe stops the stream', async () => {
    const { logger, lines } = captureLogger();
    const bus = new AlertBus({ history: new AlertHistory(db), sinks: [new WebhookSink({ urls: [receiver.url] })], logger });
    const heard: string[] = [];
    bus.subscribe(() => {
      throw new Error('client went away');
    });
    const unsubscribe = bus.subscribe((a) => heard.push(a.id));

    bus.emit(makeAlert(1));
    unsubscribe();
    db.close(); // history now throws on every write
    expect(bus.emit(makeAlert(2))).toEqual({ ok: true });

    await until(() => receiver.posts.length === 2);
    await bus.close(1000);
    expect(heard).toEqual(['alert-1']);
    expect(lines.some((l) => l.msg === 'alert subscriber failed: client went away')).toBe(true);
    expect(lines.some((l) => l.msg.startsWith('alert history failed: '))).toBe(true);
  });
});

describe('createAlertBus', () => {
  it('wires history, log and webhook sinks from the manager flags', async () => {
    const bus = createAlertBus({ db, webhookUrls: [receiver.url], webhook: { timeoutMs: 1000 } });
    bus.emit(makeAlert(1));
    await bus.close(5000);
    expect(bus.list().map((a) => a.id)).toEqual(['alert-1']);
    expect(receiver.posts).toHaveLength(1);
    expect(Object.keys(bus.counters())).toEqual(['log', 'webhook']);
  });

  it('fails fast on a bad --alert-webhook', () => {
    expect(() => createAlertBus({ webhookUrls: ['localhost:9000/hook'] })).toThrow(/alert webhook #1 'localhost:9000\/hook'/);
  });
});
