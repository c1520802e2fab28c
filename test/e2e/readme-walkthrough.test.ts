/**
 * The README's walkthrough, run as written: every ```sh block after a `<!-- walkthrough -->` line,
 * one line at a time, in order, with free ports in place of 8883 and 8080 and a fresh HOME, so the
 * test fails as soon as the README drifts from what Kelvin does. A line ending in `&` starts in the
 * background (stopped at the end); `export NAME=...` sets NAME for the lines after it; any other line
 * must exit 0 and, with a `# -> TEXT` comment, print TEXT; each is retried for up to 30 s, as a user
 * waits for a manager or agent that is still starting.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KELVIN_BIN, REPO_ROOT } from '../helpers/cli.js';
import { freePort } from '../helpers/mosquitto.js';

const RETRY_MS = 30_000;

export function walkthroughLines(readme: string): string[] {
  const blocks = [...readme.matchAll(/<!-- walkthrough -->\s*```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  return blocks.flatMap((b) => b.split('\n')).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

const dir = mkdtempSync(join(tmpdir(), 'kelvin-readme-'));
const home = join(dir, 'home');
const background: ChildProcess[] = [];
const backgroundLog = join(dir, 'background.log');
const backgroundOutput = (): string => (existsSync(backgroundLog) ? readFileSync(backgroundLog, 'utf8').slice(-4000) : '');

function shellEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, KELVIN_DATA_DIR: join(home, '.kelvin'), KELVIN_LOG_LEVEL: 'warn', PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`, ...extra };
  for (const name of ['KELVIN_HOST', 'KELVIN_TOKEN', 'KELVIN_CONTEXT', 'XDG_CONFIG_HOME'] as const) if (!(name in extra)) delete env[name];
  if (!('KELVIN_JOIN_TOKEN' in extra)) delete env.KELVIN_JOIN_TOKEN;
  return env;
}

async function runUntil(line: string, env: NodeJS.ProcessEnv, expected: string | null): Promise<string> {
  const deadline = Date.now() + RETRY_MS;
  for (;;) {
    const r = spawnSync('bash', ['-c', line], { env, encoding: 'utf8', timeout: 20_000 });
    if (r.status === 0 && (expected === null || r.stdout.includes(expected))) return r.stdout;
    if (Date.now() > deadline) {
      throw new Error(`README walkthrough line failed: ${line}\nexit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nbackground output:\n${backgroundOutput()}`);
    }
    await new Promise((res) => setTimeout(res, 500));
  }
}

/** Each background line runs in its own process group (detached): signal the group. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

afterAll(async () => {
  const exited = background.map((child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r))));
  for (const child of background) signalGroup(child, 'SIGTERM');
  const timeout = new Promise((r) => setTimeout(r, 5000));
  await Promise.race([Promise.all(exited), timeout]);
  for (const child of background) if (child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}, 15_000);

describe('the README walkthrough', () => {
  it('has lines to run', () => {
    expect(walkthroughLines(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).length).toBeGreaterThan(5);
  });

  it('runs every line as written, in order', { timeout: 150_000 }, async () => {
    mkdirSync(join(dir, 'bin'), { recursive: true });
    mkdirSync(home);
    writeFileSync(join(dir, 'bin', 'kelvin'), `#!/bin/sh\nexec "${process.execPath}" "${KELVIN_BIN}" "$@"\n`);
    chmodSync(join(dir, 'bin', 'kelvin'), 0o755);
    const ports: Record<string, string> = { '8883': String(await freePort()), '8080': String(await freePort()) };
    const vars: Record<string, string> = {};
    for (const raw of walkthroughLines(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'))) {
      const line = raw.replace(/\b(8883|8080)\b/g, (port: string) => ports[port] ?? port);
      const expected = /#\s*->\s*(.+)$/.exec(line)?.[1]?.trim() ?? null;
      const command = line.replace(/\s+#.*$/, '').trim();
      const env = shellEnv(vars);
      if (command.endsWith('&')) {
        const out = openSync(backgroundLog, 'a');
        background.push(spawn('bash', ['-c', `exec ${command.slice(0, -1)}`], { env, detached: true, stdio: ['ignore', out, out] }));
        closeSync(out);
        continue;
      }
      const exported = /^export ([A-Z_]+)=/.exec(command);
      if (exported?.[1]) {
        const name = exported[1];
        vars[name] = (await runUntil(`${command}; [ -n "$${name}" ] && printf %s "$${name}"`, env, null)).trim();
        continue;
      }
      await runUntil(command, env, expected);
    }
  });
});
