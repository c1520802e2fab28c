/**
 * Runs a process task's health check on the board, as Docker runs one in a container: in the
 * task's environment and working directory, first `interval` after the start and then `interval`
 * after each result, with the timeout (the check's whole process group is killed when it is
 * exceeded). Output is kept to its last HEALTH_OUTPUT_CHARS characters.
 */
import { spawn } from 'node:child_process';
import { HEALTH_OUTPUT_CHARS, type HealthCheck, type HealthResult } from '../../../shared/healthcheck.js';
import type { Logger } from '../../../shared/logger.js';
import { HealthTracker } from '../health/health-tracker.js';
import type { HealthMonitor, HealthReport } from '../health/types.js';
import { signalGroup } from './process-group.js';

export interface HealthRunnerOptions {
  check: HealthCheck;
  env: Record<string, string>;
  cwd: string;
  /** When the task started running (ms). */
  startedAt: number;
  logger: Logger;
  now?: () => number;
}

export class ProcessHealthRunner implements HealthMonitor {
  private readonly tracker: HealthTracker;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | null = null;
  private running: number | null = null;
  private stopped = false;

  constructor(private readonly options: HealthRunnerOptions) {
    this.tracker = new HealthTracker(options.check, options.startedAt);
    this.now = options.now ?? Date.now;
  }

  /** Reports `starting` at once, as Docker shows a checked container before its first result. */
  start(onReport: (report: HealthReport) => void): void {
    onReport(this.tracker.report());
    const next = (): void => {
      if (this.stopped) return;
      this.timer = setTimeout(() => {
        void this.runOnce().then((result) => {
          if (this.stopped) return;
          onReport(this.tracker.record(result));
          next();
        });
      }, this.options.check.intervalMs);
    };
    next();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.running !== null) signalGroup(this.running, 'SIGKILL');
  }

  /** One run of the check; never rejects (a check that cannot run is a failed check). */
  runOnce(): Promise<HealthResult> {
    const { check, env, cwd } = this.options;
    const [file, ...args] = check.test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', check.test[1] ?? ''] : check.test.slice(1);
    const start = this.now();
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-HEALTH_OUTPUT_CHARS);
    };
    return new Promise<HealthResult>((resolve) => {
      let timedOut = false;
      let settled = false;
      const done = (exitCode: number, text: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        this.running = null;
        resolve({ start, end: this.now(), exitCode, output: text.slice(-HEALTH_OUTPUT_CHARS) });
      };
      // detached: the check leads its own process group, so a timeout ends whatever it forked too.
      const child = spawn(file ?? '', args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      if (child.pid !== undefined) this.running = child.pid;
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const timeout = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      }, check.timeoutMs);
      child.on('error', (err) => done(-1, `could not run the health check: ${err.message}`));
      child.on('close', (code) => {
        if (timedOut) done(-1, `Health check exceeded timeout (${check.timeoutMs}ms)`);
        else done(code ?? -1, output);
      });
    }).catch((err: unknown) => {
      this.options.logger.warn({ err }, 'health check failed to run');
      return { start, end: this.now(), exitCode: -1, output: `could not run the health check: ${String(err)}` };
    });
  }
}
