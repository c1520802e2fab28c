/**
 * The queue of alerts waiting for one webhook receiver, delivered one at a time in order, each
 * retried with backoff until it is accepted, refused, or out of attempts. Bounded: when full, the
 * oldest undelivered alert (possibly the one being retried) is dropped so fresh alerts get through.
 */
import type { Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/payloads/alert.js';
import { abortableSleep } from '../../shared/abortable-sleep.js';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff.js';
import type { DeliveryCounters } from './sink.js';
import { postAlert } from './webhook-post.js';

export interface DeliveryQueueOptions {
  url: string;
  /** How the receiver is named in logs: the URL's origin only, since paths often carry tokens. */
  label: string;
  limit: number;
  maxAttempts: number;
  timeoutMs: number;
  backoff: BackoffPolicy;
  random: () => number;
  fetch: typeof globalThis.fetch;
  /** Shared with the other receivers' queues: the sink reports one total. */
  counters: DeliveryCounters;
  logger: Logger;
}

interface Entry {
  alert: Alert;
  json: string;
  /** Aborts this entry's POST or backoff wait when it is dropped. */
  cancel: AbortController;
}

export class DeliveryQueue {
  /** Undelivered alerts, oldest first; while running, the head is the one being delivered. */
  private readonly entries: Entry[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: DeliveryQueueOptions) {}

  get size(): number {
    return this.entries.length;
  }

  push(alert: Alert, json: string): void {
    if (this.entries.length >= this.options.limit) {
      const oldest = this.entries.shift();
      if (oldest) this.drop(oldest, `queue full (${this.options.limit} undelivered)`);
    }
    this.entries.push({ alert, json, cancel: new AbortController() });
    if (!this.running) void this.run();
  }

  /** Resolves once every queued alert has been settled (delivered, refused, failed or dropped). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops everything still queued, aborting the delivery in progress. */
  abandon(why: string): void {
    for (const entry of this.entries.splice(0)) this.drop(entry, why);
  }

  private drop(entry: Entry, why: string): void {
    entry.cancel.abort();
    this.options.counters.dropped++;
    this.options.logger.warn(
      { receiver: this.options.label, alertId: entry.alert.id, kind: entry.alert.kind, dropped: this.options.counters.dropped },
      `alert webhook ${this.options.label}: dropped alert ${entry.alert.id}: ${why}`,
    );
  }

  private async run(): Promise<void> {
    this.running = true;
    for (let entry = this.entries[0]; entry; entry = this.entries[0]) {
      await this.deliver(entry);
      // A dropped entry has already left the array; only remove the head if it is still this one.
      if (this.entries[0] === entry) this.entries.shift();
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async deliver(entry: Entry): Promise<void> {
    const { counters, logger, label, maxAttempts } = this.options;
    const signal = entry.cancel.signal;
    const about = { receiver: label, alertId: entry.alert.id, kind: entry.alert.kind };
    for (let attempt = 1; ; attempt++) {
      const outcome = await postAlert(this.options.url, entry.json, {
        fetch: this.options.fetch,
        timeoutMs: this.options.timeoutMs,
        signal,
        alertId: entry.alert.id,
      });
      if (signal.aborted) return;
      if (outcome.result === 'delivered') {
        counters.delivered++;
        return;
      }
      if (outcome.result === 'reject') {
        counters.failed++;
        logger.warn(about, `alert webhook ${label} refused alert ${entry.alert.id} (${outcome.reason}); not retrying`);
        return;
      }
      if (attempt >= maxAttempts) {
        counters.failed++;
        logger.error(about, `alert webhook ${label}: gave up on alert ${entry.alert.id} after ${attempt} attempts (last: ${outcome.reason})`);
        return;
      }
      const delayMs = backoffDelay(attempt - 1, this.options.backoff, this.options.random);
      counters.retried++;
      logger.debug({ ...about, attempt, delayMs }, `alert webhook ${label}: ${outcome.reason}; retrying in ${delayMs} ms`);
      await abortableSleep(delayMs, signal);
      if (signal.aborted) return;
    }
  }
}

