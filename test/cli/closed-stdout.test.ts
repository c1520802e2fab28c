/**
 * A reader that closes the pipe early (`kelvin events | head -1`) makes kelvin exit quietly, as
 * `git log | head` does: no EPIPE stack trace. The pipe's read end is closed before kelvin writes.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnKelvin } from '../helpers/cli.js';
import { waitUntil } from '../helpers/cluster.js';
import { freePort } from '../helpers/mosquitto.js';
import { boardRoot, fixtureEnv } from '../agent/sensors/fixture-boards.js';
import type { ChildProcess } from 'node:child_process';

/** Runs kelvin with its stdout pipe closed at once on our side; returns its exit code and stderr. */
async function runIntoClosedPipe(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawnKelvin(args, { env });
  child.stdout?.destroy();
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr };
}

describe('closed stdout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-epipe-'));
  let manager: ChildProcess | null = null;
  let clientEnv: NodeJS.ProcessEnv = {};

  beforeAll(async () => {
    const httpPort = await freePort();
    manager = spawnKelvin(['manager', '--no-agent', '--data-dir', dir, '--mqtt-port', '0', '--mqtt-host', '127.0.0.1', '--http', `127.0.0.1:${httpPort}`]);
    manager.stdout?.resume();
    manager.stderr?.resume();
    await waitUntil('the manager API', () => fetch(`http://127.0.0.1:${httpPort}/`).then(() => true), 20_000);
    clientEnv = { ...process.env, KELVIN_HOST: `http://127.0.0.1:${httpPort}`, KELVIN_TOKEN: readFileSync(join(dir, 'admin.token'), 'utf8').trim() };
  }, 30_000);

  afterAll(() => {
    manager?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('kelvin events exits 0 without a word', async () => {
    expect(await runIntoClosedPipe(['events', '--json'], clientEnv)).toEqual({ code: 0, stderr: '' });
  });

  it('kelvin agent --once exits 0 without a word', async () => {
    const board = boardRoot('rpi4');
    expect(await runIntoClosedPipe(['agent', '--once', '--host-root', board], fixtureEnv(board))).toEqual({ code: 0, stderr: '' });
  });
});
