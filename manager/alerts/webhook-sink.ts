/**
 * POSTs every alert as JSON to each configured receiver (`--alert-webhook URL`, repeatable).
 * Each receiver has its own bounded queue, so a dead one only delays itself; `deliver()` never
 * waits on the network.
 */
import { silentLogger, type Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/payloads/alert.js';
import type { BackoffPolicy } from '../../shared/backoff.js';
import { DeliveryQueue } from './delivery-queue.js';
import { zeroCounters, type AlertSink, type DeliveryCounters } from './sink.js';

export interface WebhookSinkOptions {
  urls: readonly string[];
  /** Per POST (default 5 s). */
  timeoutMs?: number;
  /** Attempts per alert, the first included (default 6). */
  maxAttempts?: number;
  /** Default: 1 s doubling to 60 s, up to half of it taken off at random. */
  backoff?: Partial<BackoffPolicy>;
  /** Undelivered alerts kept per receiver (default 500). */
  queueLimit?: number;
  fetch?: typeof globalThis.fetch;
  random?: () => number;
  logger?: Logger;
}

const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 60_000, jitter: 0.5 };

export class WebhookSink implements AlertSink {
  readonly name = 'webhook';
  readonly counters: DeliveryCounters = zeroCounters();
  private readonly queues: DeliveryQueue[];
  private closed = false;
  private readonly logger: Logger;

  /** Throws one clear error naming the bad URL or option; meant to run while flags are parsed. */
  constructor(options: WebhookSinkOptions) {
    this.logger = options.logger ?? silentLogger();
    const limit = positiveInt(options.queueLimit ?? 500, 'queueLimit');
    const maxAttempts = positiveInt(options.maxAttempts ?? 6, 'maxAttempts');
    const timeoutMs = positiveInt(options.timeoutMs ?? 5000, 'timeoutMs');
    const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.queues = options.urls.map((raw, i) => {
      const url = parseWebhookUrl(raw, i);
      return new DeliveryQueue({
        url: url.href,
        label: url.origin,
        limit,
        maxAttempts,
        timeoutMs,
        backoff,
        random: options.random ?? Math.random,
        fetch: options.fetch ?? globalThis.fetch,
        counters: this.counters,
        logger: this.logger,
      });
    });
  }

  deliver(alert: Alert, json: string): void {
    if (this.closed) {
      this.counters.dropped += this.queues.length;
      this.logger.warn({ alertId: alert.id }, `alert webhooks: alert ${alert.id} arrived after shutdown began; not sent`);
      return;
    }
    for (const queue of this.queues) queue.push(alert, json);
  }

  /** Undelivered alerts across all receivers. */
  get pending(): number {
    return this.queues.reduce((sum, q) => sum + q.size, 0);
  }

  /** Waits for the queues to drain; whatever is left at the deadline is dropped (and counted). */
  async close(deadlineMs: number): Promise<void> {
    this.closed = true;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, deadlineMs);
    });
    await Promise.race([Promise.all(this.queues.map((q) => q.idle())), deadline]);
    clearTimeout(timer);
    const left = this.pending;
    for (const queue of this.queues) queue.abandon(`not delivered within the ${deadlineMs} ms shutdown deadline`);
    await Promise.all(this.queues.map((q) => q.idle()));
    if (left > 0) this.logger.warn({ dropped: left }, `alert webhooks: ${left} alert(s) undelivered at shutdown`);
  }
}

function parseWebhookUrl(raw: string, index: number): URL {
  const where = `alert webhook #${index + 1}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${where} '${raw}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`${where} '${raw}' must be an http:// or https:// URL, not ${url.protocol}`);
  }
  return url;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`webhook option ${name} must be a positive integer, got ${value}`);
  return value;
}
