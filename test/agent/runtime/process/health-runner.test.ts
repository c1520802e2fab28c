import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../../../agent/runtime/health/types.js';
import { ProcessHealthRunner } from '../../../../agent/runtime/process/health-runner.js';
import { baseEnv } from '../../../../agent/runtime/process/launch-plan.js';
import { healthCheckOf } from '../../../../shared/healthcheck.js';
import { silentLogger } from '../../../../shared/logger.js';
import { groupAlive, tempDir, waitFor } from './helpers.js';

const dir = tempDir('health');
const runners: ProcessHealthRunner[] = [];
afterEach(() => runners.splice(0).forEach((r) => r.stop()));

function runner(test: string[], timing: Parameters<typeof healthCheckOf>[1] = {}, env: Record<string, string> = {}): ProcessHealthRunner {
  const r = new ProcessHealthRunner({ check: healthCheckOf(test, timing), env: { ...baseEnv(), ...env }, cwd: dir.path, startedAt: Date.now(), logger: silentLogger() });
  runners.push(r);
  return r;
}

describe('process health runner (real processes)', () => {
  it("runs a CMD-SHELL check in the task's environment and working directory", async () => {
    const result = await runner(['CMD-SHELL', 'echo "token=$TOKEN in $(pwd)"; exit 3'], {}, { TOKEN: 'abc' }).runOnce();
    expect(result.exitCode).toBe(3);
    expect(result.output).toBe(`token=abc in ${dir.path}\n`);
    expect(result.end).toBeGreaterThanOrEqual(result.start);
  });

  it('runs a CMD check as argv, found on the task PATH, stderr kept too', async () => {
    expect(await runner(['CMD', 'sh', '-c', 'echo oops >&2']).runOnce()).toMatchObject({ exitCode: 0, output: 'oops\n' });
    const missing = await runner(['CMD', 'no-such-probe-kelvin']).runOnce();
    expect(missing.exitCode).toBe(-1);
    expect(missing.output).toMatch(/^could not run the health check: spawn no-such-probe-kelvin ENOENT/);
  });

  it('kills the whole check (what it forked too) when it exceeds its timeout', async () => {
    const r = runner(['CMD-SHELL', 'sleep 30 & echo $! > bg.pid; sleep 30'], { timeoutMs: 300 });
    const before = Date.now();
    const result = await r.runOnce();
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(result).toMatchObject({ exitCode: -1, output: 'Health check exceeded timeout (300ms)' });
    const { readFileSync } = await import('node:fs');
    const bg = Number(readFileSync(`${dir.path}/bg.pid`, 'utf8'));
    await waitFor(() => groupAlive(bg).length === 0 && !alive(bg));
  });

  it('keeps only the last 4096 characters of output', async () => {
    const result = await runner(['CMD-SHELL', "head -c 10000 /dev/zero | tr '\\0' a; echo END"]).runOnce();
    expect(result.output).toHaveLength(4096);
    expect(result.output.endsWith('aaaEND\n')).toBe(true);
  });

  it('reports starting at once, then unhealthy after `retries` failures at the interval', async () => {
    const reports: HealthReport[] = [];
    const before = Date.now();
    runner(['CMD-SHELL', 'echo not ready; exit 1'], { intervalMs: 150, retries: 2 }).start((r) => reports.push(r));
    expect(reports).toEqual([{ state: 'starting', log: [] }]);
    const unhealthy = await waitFor(() => reports.find((r) => r.state === 'unhealthy'), 10_000);
    expect(Date.now() - before).toBeGreaterThanOrEqual(300);
    expect(unhealthy.log).toHaveLength(2);
    expect(unhealthy.log.map((l) => [l.exitCode, l.output])).toEqual([[1, 'not ready\n'], [1, 'not ready\n']]);
  });

  it('turns healthy on the first pass, and stops running checks once stopped', async () => {
    const reports: HealthReport[] = [];
    const r = runner(['CMD-SHELL', 'echo run >> runs.log'], { intervalMs: 100 });
    r.start((report) => reports.push(report));
    await waitFor(() => reports.some((x) => x.state === 'healthy'));
    r.stop();
    const { readFileSync } = await import('node:fs');
    const runs = (): number => readFileSync(`${dir.path}/runs.log`, 'utf8').split('\n').length;
    const count = runs();
    await new Promise((res) => setTimeout(res, 400));
    expect(runs()).toBe(count);
  });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
