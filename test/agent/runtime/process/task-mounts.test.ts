/** Devices and mounts of process tasks, with real processes: what the task sees in its environment. */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ProcessExecutor } from '../../../../agent/runtime/process/index.js';
import { mountEnvName } from '../../../../agent/runtime/process/task-mounts.js';
import type { Controller } from '../../../../agent/runtime/types.js';
import { mountOf } from '../../../../shared/container-args.js';
import { silentLogger } from '../../../../shared/logger.js';
import { collect, sh, tempDir } from './helpers.js';

const state = tempDir('proc-mounts');
const board = tempDir('proc-board');
const hostDir = tempDir('proc-bind');
mkdirSync(join(board.path, 'dev'));
const executor = new ProcessExecutor({ stateDir: state.path, hostRoot: board.path, logger: silentLogger() });
const started: Controller[] = [];

async function runToEnd(script: string, overrides: Parameters<typeof sh>[1]): Promise<string[]> {
  const c = executor.controller(sh(script, overrides));
  started.push(c);
  await c.prepare();
  await c.start();
  await c.wait();
  return (await collect(c.logs({ tail: null, follow: false }))).map((l) => l.text);
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((c) => c.remove()));
});
afterAll(() => {
  for (const dir of [state, board, hostDir]) dir.cleanup();
});

describe('process tasks: devices and mounts', () => {
  it('names each mount in the environment from its target', () => {
    expect(mountEnvName('/var/lib/data')).toBe('KELVIN_MOUNT_VAR_LIB_DATA');
    expect(mountEnvName('/data-2')).toBe('KELVIN_MOUNT_DATA_2');
  });

  it('gives a named volume as a folder that keeps its data across task restarts on the board', async () => {
    const mounts = [mountOf({ type: 'volume', source: 'counter', target: '/data' })];
    await runToEnd('echo kept > "$KELVIN_MOUNT_DATA/file"', { mounts });
    expect(await runToEnd('cat "$KELVIN_MOUNT_DATA/file"; echo "$KELVIN_MOUNT_DATA"', { mounts })).toEqual(['kept', join(state.path, 'volumes', 'counter')]);
  });

  it('gives a bind mount as its source folder, and refuses a missing source', async () => {
    writeFileSync(join(hostDir.path, 'config.txt'), 'from the host\n');
    expect(await runToEnd('cat "$KELVIN_MOUNT_ETC_APP/config.txt"', { mounts: [mountOf({ type: 'bind', source: hostDir.path, target: '/etc/app' })] })).toEqual(['from the host']);
    const missing = executor.controller(sh('true', { mounts: [mountOf({ type: 'bind', source: '/nonexistent/kelvin', target: '/x' })] }));
    started.push(missing);
    await expect(missing.prepare()).rejects.toMatchObject({ kind: 'permanent', message: expect.stringMatching(/bind source path does not exist: \/nonexistent\/kelvin$/) });
  });

  it('refuses a tmpfs mount, which needs the docker driver', async () => {
    const c = executor.controller(sh('true', { mounts: [mountOf({ type: 'tmpfs', target: '/scratch' })] }));
    started.push(c);
    await expect(c.prepare()).rejects.toMatchObject({ kind: 'permanent', message: expect.stringMatching(/a tmpfs mount \(\/scratch\) needs the docker driver$/) });
  });

  it('starts while its device is on the board, and says so clearly once it is gone', async () => {
    const device = join(board.path, 'dev', 'ttyUSB0');
    writeFileSync(device, '');
    const devices = [{ host: '/dev/ttyUSB0', container: '/dev/ttyUSB0', permissions: 'rwm' }];
    expect(await runToEnd('echo started', { devices })).toEqual(['started']);
    rmSync(device);
    const c = executor.controller(sh('echo started', { devices }));
    started.push(c);
    await expect(c.prepare()).rejects.toMatchObject({ kind: 'permanent', message: expect.stringMatching(/needs device \/dev\/ttyUSB0, which is not on this board \(unplugged\?\)$/) });
  });
});
