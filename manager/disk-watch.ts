/**
 * Watches the store's data disk: when a write is refused (or the manager started on a full disk)
 * it says so once in the log and in a `manager.disk-full` alert, then tries a small write every
 * `retryMs` until one goes through, and raises `manager.disk-recovered`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/logger.js';
import type { Alert } from '../shared/payloads/alert.js';
import type { AlertBus } from './alerts/bus.js';
import type { Clock, TimerHandle } from './options.js';
import type { DataDiskFullError } from './store/disk-full.js';
import type { Store } from './store/store.js';

export interface DiskWatchOptions {
  store: Store;
  alerts: Pick<AlertBus, 'emit'>;
  clock: Clock;
  logger: Logger;
  /** How often a full disk is tried again (default 1 s). */
  retryMs?: number;
}

export class DiskWatch {
  private retry: TimerHandle | null = null;
  private since = 0;
  private readonly onFull = (err: DataDiskFullError): void => this.full(err, false);
  private readonly onWritable = (): void => this.writable();

  constructor(private readonly o: DiskWatchOptions) {}

  start(): void {
    this.o.store.on('diskFull', this.onFull);
    this.o.store.on('diskWritable', this.onWritable);
    const err = this.o.store.diskFull;
    if (err) this.full(err, true);
  }

  stop(): void {
    this.o.store.off('diskFull', this.onFull);
    this.o.store.off('diskWritable', this.onWritable);
    this.retry?.cancel();
    this.retry = null;
  }

  private full(err: DataDiskFullError, atStart: boolean): void {
    const retryMs = this.o.retryMs ?? 1000;
    this.since = this.o.clock.now();
    const what = atStart
      ? 'started read-only: the API serves reads, writes answer 507'
      : 'writes are refused (the API answers 507), background work is kept for a retry';
    this.o.logger.error({ dataDir: err.dataDir, code: err.code }, `${err.message}: ${what}; a write is tried again every ${retryMs / 1000} s`);
    this.raise('manager.disk-full', 'critical', `${err.message}: writes refused`, { dataDir: err.dataDir, code: err.code, atStart });
    this.retry?.cancel();
    this.retry = this.o.clock.every(retryMs, () => this.probe());
  }

  /** Runs on a timer: nothing may escape it. */
  private probe(): void {
    try {
      this.o.store.probeWritable();
    } catch (err) {
      this.o.logger.error({ err }, 'probing the manager data disk failed');
    }
  }

  private writable(): void {
    this.retry?.cancel();
    this.retry = null;
    const seconds = Math.round((this.o.clock.now() - this.since) / 1000);
    this.raise('manager.disk-recovered', 'info', `manager data disk takes writes again (after ${seconds} s)`, { fullForMs: this.o.clock.now() - this.since });
  }

  private raise(kind: Alert['kind'], severity: Alert['severity'], message: string, details: Record<string, unknown>): void {
    this.o.alerts.emit({ v: 1, id: randomUUID(), kind, severity, nodeId: null, message, at: this.o.clock.now(), details });
  }
}
