/**
 * NVIDIA GPU readings from one long-lived `nvidia-smi ... -lms 1000` process that prints a line per
 * GPU every second; one call costs about 0.6 s, so spawning per sample is out. The sampler only
 * looks at the latest line per GPU. A line older than a few intervals counts as stale (hung
 * nvidia-smi, driver gone), a silent process is killed, and an exited one is restarted with backoff.
 * Old drivers only know the `clocks_throttle_reasons.*` names: when the new names are refused the
 * stream restarts with the old ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Logger } from '../../shared/logger.js';
import type { GpuReading } from '../../shared/payloads/telemetry.js';
import { Backoff, type BackoffPolicy } from '../../shared/backoff.js';
import { csvActive, csvNumber, MIB, splitCsvLine } from './nvidia-smi-csv.js';

export const STREAM_INTERVAL_MS = 1_000;
/** A GPU whose latest line is older than this has stale readings. */
export const STALE_AFTER_MS = 3_500;
/** A stream silent this long is hung: kill it so the restart logic takes over. */
const HUNG_AFTER_MS = 10_000;
const KEEP_OUTPUT_CHARS = 2_000;

const FIELDS = (reasons: string) => [
  'index',
  'temperature.gpu',
  'utilization.gpu',
  'memory.used',
  `${reasons}.hw_thermal_slowdown`,
  `${reasons}.sw_thermal_slowdown`,
];

export function streamArgs(legacyNames: boolean): string[] {
  const fields = FIELDS(legacyNames ? 'clocks_throttle_reasons' : 'clocks_event_reasons');
  return [`--query-gpu=${fields.join(',')}`, '--format=csv,noheader,nounits', '-lms', String(STREAM_INTERVAL_MS)];
}

export type SmiReading = Omit<GpuReading, 'index'> & { smiIndex: number };

export function parseStreamLine(line: string): SmiReading | null {
  const [index, temp, util, memUsed, hwThermal, swThermal] = splitCsvLine(line);
  const smiIndex = csvNumber(index);
  if (smiIndex === null || !Number.isInteger(smiIndex) || swThermal === undefined) return null;
  const mem = csvNumber(memUsed);
  const hw = csvActive(hwThermal);
  const sw = csvActive(swThermal);
  return {
    smiIndex,
    tempC: csvNumber(temp),
    utilPct: csvNumber(util),
    memUsedBytes: mem === null ? null : mem * MIB,
    thermalSlowdown: hw === null && sw === null ? null : hw === true || sw === true,
  };
}

export interface StreamOptions {
  binary: string;
  env: NodeJS.ProcessEnv;
  now: () => number;
  logger: Logger;
}

/** Restart delays after the stream exits: 1 s, 2 s, 4 s ... up to a minute. */
export const RESTART_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, jitter: 0 };

export class NvidiaStream {
  private child: ChildProcess | null = null;
  private latest = new Map<number, { reading: SmiReading; at: number }>();
  private legacyNames = false;
  private closed = false;
  private readonly backoff = new Backoff(RESTART_BACKOFF);
  private restartTimer: NodeJS.Timeout | null = null;
  private hungTimer: NodeJS.Timeout | null = null;
  private firstLine: Array<() => void> = [];

  constructor(private readonly opts: StreamOptions) {}

  start(): void {
    if (this.closed || this.child) return;
    const child = spawn(this.opts.binary, streamArgs(this.legacyNames), { env: this.opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let pending = '';
    let output = '';
    const keep = (text: string) => (output = (output + text).slice(-KEEP_OUTPUT_CHARS));
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      keep(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.onLine(line);
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', keep);
    child.on('error', (err) => keep(err.message));
    child.on('close', (code, signal) => this.onExit(child, code, signal, output));
    this.armHungTimer();
  }

  /** Resolves at the first GPU line or after `timeoutMs`, whichever comes first. */
  waitForFirstLine(timeoutMs: number): Promise<void> {
    if (this.latest.size > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.firstLine.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** The latest reading of a GPU if it is fresh, else null. */
  reading(smiIndex: number): SmiReading | null {
    const entry = this.latest.get(smiIndex);
    return entry && this.opts.now() - entry.at <= STALE_AFTER_MS ? entry.reading : null;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGKILL');
      await exited;
    }
    for (const wake of this.firstLine.splice(0)) wake();
  }

  private onLine(line: string): void {
    const reading = parseStreamLine(line);
    if (!reading) return;
    this.latest.set(reading.smiIndex, { reading, at: this.opts.now() });
    this.backoff.reset();
    this.armHungTimer();
    for (const wake of this.firstLine.splice(0)) wake();
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null, output: string): void {
    if (this.child !== child) return;
    this.child = null;
    this.clearTimers();
    if (this.closed) return;
    if (!this.legacyNames && /not a valid field/i.test(output)) {
      this.legacyNames = true;
      this.opts.logger.info('nvidia-smi refused clocks_event_reasons fields; using the older clocks_throttle_reasons names');
      this.start();
      return;
    }
    const delay = this.backoff.next();
    this.opts.logger.warn({ code, signal, output: output.trim().slice(-300), restartInMs: delay }, 'nvidia-smi stream stopped; restarting');
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, delay);
    this.restartTimer.unref();
  }

  private armHungTimer(): void {
    if (this.hungTimer) clearTimeout(this.hungTimer);
    this.hungTimer = setTimeout(() => {
      this.opts.logger.warn({ silentMs: HUNG_AFTER_MS }, 'nvidia-smi stream is silent; killing it');
      this.child?.kill('SIGKILL');
    }, HUNG_AFTER_MS);
    this.hungTimer.unref();
  }

  private clearTimers(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    if (this.hungTimer) clearTimeout(this.hungTimer);
    this.restartTimer = null;
    this.hungTimer = null;
  }
}
