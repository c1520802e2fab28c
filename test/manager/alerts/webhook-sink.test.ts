import { afterEach, describe, expect, it } from 'vitest';
import { WebhookSink, type WebhookSinkOptions } from '../../../manager/alerts/webhook-sink.js';
import type { Alert } from '../../../shared/payloads/alert.js';
import { freePort } from '../../helpers/mosquitto.js';
import { captureLogger, makeAlert, startReceiver, until, type Receiver } from './fixtures.js';

const receivers: Receiver[] = [];
const sinks: WebhookSink[] = [];

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

function sink(options: WebhookSinkOptions): WebhookSink {
  const s = new WebhookSink({ random: () => 0, timeoutMs: 2000, ...options });
  sinks.push(s);
  return s;
}

function send(s: WebhookSink, alert: Alert): void {
  s.deliver(alert, JSON.stringify(alert));
}

const ids = (r: Receiver): unknown[] => r.posts.map((p) => (p.body as Alert).id);

afterEach(async () => {
  await Promise.all(sinks.splice(0).map((s) => s.close(100)));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

describe('WebhookSink', () => {
  it('POSTs each alert exactly once as JSON', async () => {
    const r = await receiver();
    const s = sink({ urls: [r.url] });
    const alerts = [1, 2, 3].map((n) => makeAlert(n));
    for (const a of alerts) send(s, a);
    await s.close(5000);

    expect(r.posts.map((p) => p.body)).toEqual(alerts);
    expect(r.posts[0]?.headers['content-type']).toBe('application/json');
    expect(r.posts[0]?.headers['x-kelvin-alert-id']).toBe('alert-1');
    expect(s.counters).toEqual({ delivered: 3, retried: 0, dropped: 0, failed: 0 });

    send(s, makeAlert(4)); // after close: counted as dropped, never sent
    await new Promise((r) => setTimeout(r, 50));
    expect(r.posts).toHaveLength(3);
    expect(s.counters.dropped).toBe(1);
  });

  it('retries a 500 with growing backoff and delivers on the third try', async () => {
    const r = await receiver((_post, i, respond) => respond(i < 2 ? 500 : 200));
    const { logger, lines } = captureLogger();
    const s = sink({ urls: [r.url], backoff: { initialMs: 40, maxMs: 1000 }, logger });
    send(s, makeAlert(1));
    await r.waitFor(3);
    await s.close(5000);

    expect(ids(r)).toEqual(['alert-1', 'alert-1', 'alert-1']);
    const planned = lines.filter((l) => l.delayMs !== undefined).map((l) => l.delayMs);
    expect(planned).toEqual([40, 80]);
    const [first, second, third] = r.posts.map((p) => p.atMs) as [number, number, number];
    // Timers never fire early, so each gap is at least its planned delay (1 ms for timer rounding).
    expect(second - first).toBeGreaterThanOrEqual(39);
    expect(third - second).toBeGreaterThanOrEqual(79);
    expect(s.counters).toEqual({ delivered: 1, retried: 2, dropped: 0, failed: 0 });
  });

  it('gives up after maxAttempts and moves on to the next alert', async () => {
    const r = await receiver((post, _i, respond) => respond((post.body as Alert).id === 'alert-1' ? 503 : 200));
    const { logger, lines } = captureLogger();
    const s = sink({ urls: [r.url], maxAttempts: 3, backoff: { initialMs: 5 }, logger });
    send(s, makeAlert(1));
    send(s, makeAlert(2));
    await s.close(5000);

    expect(ids(r)).toEqual(['alert-1', 'alert-1', 'alert-1', 'alert-2']);
    expect(s.counters).toEqual({ delivered: 1, retried: 2, dropped: 0, failed: 1 });
    expect(lines.some((l) => l.msg.includes('gave up on alert alert-1 after 3 attempts (last: HTTP 503'))).toBe(true);
  });

  it('does not retry a 400, and logs the refusal', async () => {
    const r = await receiver((_p, _i, respond) => respond(400));
    const { logger, lines } = captureLogger();
    const s = sink({ urls: [r.url], backoff: { initialMs: 5 }, logger });
    send(s, makeAlert(1));
    await s.close(5000);

    expect(r.posts).toHaveLength(1);
    expect(s.counters).toEqual({ delivered: 0, retried: 0, dropped: 0, failed: 1 });
    expect(lines.some((l) => l.msg.includes('refused alert alert-1 (HTTP 400'))).toBe(true);
  });

  it('retries 408 and 429 like server errors', async () => {
    const r = await receiver((_p, i, respond) => respond([408, 429][i] ?? 200));
    const s = sink({ urls: [r.url], backoff: { initialMs: 5 } });
    send(s, makeAlert(1));
    await r.waitFor(3);
    await s.close(5000);
    expect(s.counters).toEqual({ delivered: 1, retried: 2, dropped: 0, failed: 0 });
  });

  it('a receiver that is down blocks neither deliver() nor the other receiver', async () => {
    const deadUrl = `http://127.0.0.1:${await freePort()}/hook`;
    const live = await receiver();
    const { logger, lines } = captureLogger();
    const s = sink({ urls: [deadUrl, live.url], backoff: { initialMs: 10_000 }, logger });

    const started = performance.now();
    for (const n of [1, 2, 3]) send(s, makeAlert(n));
    // Waiting on the dead receiver would take its 10 s backoff; a loaded CI box still returns far sooner.
    expect(performance.now() - started).toBeLessThan(1000);

    await until(() => s.counters.delivered === 3);
    expect(ids(live)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    expect(s.pending).toBe(3); // all three still waiting for the dead receiver
    const refused = lines.find((l) => l.delayMs !== undefined);
    expect(refused?.msg).toContain('ECONNREFUSED');

    await s.close(100);
    expect(s.counters).toEqual({ delivered: 3, retried: 1, dropped: 3, failed: 0 });
    expect(lines.some((l) => l.msg.includes('3 alert(s) undelivered at shutdown'))).toBe(true);
  });

  it('bounds the queue: with a stalled receiver, N+k alerts drop the k oldest', async () => {
    const held: ((status: number) => void)[] = [];
    let stalled = true;
    const r = await receiver((_p, _i, respond) => (stalled ? held.push(respond) : respond(200)));
    const { logger, lines } = captureLogger();
    const N = 4;
    const k = 3;
    const s = sink({ urls: [r.url], queueLimit: N, logger });

    send(s, makeAlert(1));
    await r.waitFor(1); // alert-1 is now in flight, its answer held back
    for (let n = 2; n <= N + k; n++) send(s, makeAlert(n));

    expect(s.counters.dropped).toBe(k);
    expect(s.pending).toBe(N);
    const drops = lines.filter((l) => l.msg.includes('dropped alert'));
    expect(drops.map((l) => l.alertId)).toEqual(['alert-1', 'alert-2', 'alert-3']);
    expect(drops[0]?.msg).toContain('queue full (4 undelivered)');
    // Receivers are named by origin only: webhook paths and queries often carry tokens.
    expect(JSON.stringify(lines)).not.toContain('secret');

    stalled = false;
    for (const respond of held.splice(0)) respond(200);
    await s.close(5000);
    expect(ids(r)).toEqual(['alert-1', 'alert-4', 'alert-5', 'alert-6', 'alert-7']);
    expect(s.counters).toEqual({ delivered: 4, retried: 0, dropped: 3, failed: 0 });
  });

  it('retries a receiver that does not answer within the timeout', async () => {
    const r = await receiver((_p, i, respond) => (i === 0 ? undefined : respond(200)));
    const { logger, lines } = captureLogger();
    const s = sink({ urls: [r.url], timeoutMs: 100, backoff: { initialMs: 5 }, logger });
    send(s, makeAlert(1));
    await r.waitFor(2);
    await s.close(5000);
    expect(s.counters).toEqual({ delivered: 1, retried: 1, dropped: 0, failed: 0 });
    expect(lines.some((l) => l.msg.includes('no answer within 100 ms'))).toBe(true);
  });

  it('rejects a bad URL at construction, naming which one', () => {
    expect(() => new WebhookSink({ urls: ['http://127.0.0.1:1/a', 'ftp://example.org/x'] })).toThrow(
      "alert webhook #2 'ftp://example.org/x' must be an http:// or https:// URL, not ftp:",
    );
    expect(() => new WebhookSink({ urls: ['not a url'] })).toThrow("alert webhook #1 'not a url' is not a valid URL");
  });
});
