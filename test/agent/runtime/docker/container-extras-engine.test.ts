/**
 * Devices, mounts, container options and the image platform check on the real engine: what a
 * user would see inside the container and in `docker inspect`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DockerExecutor } from '../../../../agent/runtime/docker/index.js';
import { mountOf } from '../../../../shared/container-args.js';
import { defaultContainerOptions } from '../../../../shared/container-options.js';
import { silentLogger } from '../../../../shared/logger.js';
import { DOCKER_SOCKET, hasDocker, TEST_IMAGE } from '../../../helpers/requirements.js';
import { collectLogs, EngineFixture } from './engine-fixture.js';

const CAP_NET_ADMIN_BIT = 12n;

describe.skipIf(!hasDocker)('Docker driver: devices, mounts and container options on the real engine', () => {
  const fx = new EngineFixture();
  const executor = fx.executor();
  const volume = `kelvin-test-${fx.runId}`;
  const optsVolume = `kelvin-test-opts-${fx.runId}`;
  const hostDir = mkdtempSync(join(tmpdir(), 'kelvin-bind-'));
  afterAll(async () => {
    await fx.removeAll();
    for (const v of [volume, optsVolume]) await fx.engine.request('DELETE', `/volumes/${v}`).catch(() => undefined);
    rmSync(hostDir, { recursive: true, force: true });
  });

  async function run(command: string, overrides: Parameters<EngineFixture['spec']>[1] = {}): Promise<{ exitCode: number | null; lines: string[]; id: string }> {
    const task = executor.controller(fx.spec(['sh', '-c', command], overrides));
    await task.start();
    const exit = await task.wait();
    const lines = await collectLogs(task, null);
    return { exitCode: exit.exitCode, lines, id: task.runtimeId ?? '' };
  }

  it('gives cap_add NET_ADMIN to the container: in CapAdd and in its effective capabilities', async () => {
    const container = { ...defaultContainerOptions(), capAdd: ['NET_ADMIN'] };
    const { exitCode, lines, id } = await run('grep CapEff /proc/self/status', { container });
    expect(exitCode).toBe(0);
    expect((await fx.inspect(id)).HostConfig.CapAdd).toEqual(['NET_ADMIN']);
    const capEff = BigInt(`0x${lines.join('').split(/\s+/)[1] ?? '0'}`);
    expect((capEff >> CAP_NET_ADMIN_BIT) & 1n).toBe(1n);
    const plain = await run('grep CapEff /proc/self/status');
    expect((BigInt(`0x${plain.lines.join('').split(/\s+/)[1] ?? '0'}`) >> CAP_NET_ADMIN_BIT) & 1n).toBe(0n);
  });

  it('passes user, hostname, sysctls, extra hosts, read-only root and container labels', async () => {
    const container = {
      ...defaultContainerOptions(),
      user: '1234:5678',
      hostname: 'sensor-hub',
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '80' },
      extraHosts: ['printer.local:192.0.2.7'],
      readOnly: true,
      labels: { 'com.example.team': 'edge' },
    };
    const script = 'id -u; id -g; cat /proc/sys/kernel/hostname; cat /proc/sys/net/ipv4/ip_unprivileged_port_start; grep printer.local /etc/hosts; touch /x 2>/dev/null && echo writable || echo read-only';
    const { exitCode, lines, id } = await run(script, { container });
    expect(exitCode).toBe(0);
    expect(lines).toEqual(['1234', '5678', 'sensor-hub', '80', '192.0.2.7\tprinter.local', 'read-only']);
    expect((await fx.inspect(id)).Config.Labels).toMatchObject({ 'com.example.team': 'edge', 'io.kelvin.task.id': expect.any(String) });
  });

  it('keeps a named volume across a task restart on the same board', async () => {
    const mounts = [mountOf({ type: 'volume', source: volume, target: '/data' })];
    expect((await run('echo kept > /data/file', { mounts })).exitCode).toBe(0);
    expect((await run('cat /data/file', { mounts })).lines).toEqual(['kept']);
  });

  it('creates a named volume with its driver options (compose driver_opts)', async () => {
    const mounts = [mountOf({ type: 'volume', source: optsVolume, target: '/cache', volumeDriver: 'local', volumeOptions: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' } })];
    const { exitCode, lines } = await run('grep " /cache " /proc/mounts', { mounts });
    expect(exitCode).toBe(0);
    expect(lines[0]).toMatch(/^tmpfs \/cache tmpfs .*size=8192k/);
    const { body } = await fx.engine.request<{ Driver: string; Options: Record<string, string> }>('GET', `/volumes/${optsVolume}`);
    expect(body).toMatchObject({ Driver: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: 'size=8m' } });
  });

  it('bind-mounts a host folder (read-only when asked) and sizes a tmpfs', async () => {
    writeFileSync(join(hostDir, 'config.txt'), 'from the host\n');
    const mounts = [
      mountOf({ type: 'bind', source: hostDir, target: '/etc/app', readOnly: true }),
      mountOf({ type: 'tmpfs', target: '/scratch', tmpfsSizeBytes: 4 * 1024 * 1024 }),
    ];
    const script = 'cat /etc/app/config.txt; touch /etc/app/new 2>/dev/null && echo bind-writable || echo bind-read-only; grep " /scratch " /proc/mounts';
    const { exitCode, lines } = await run(script, { mounts });
    expect(exitCode).toBe(0);
    expect(lines.slice(0, 2)).toEqual(['from the host', 'bind-read-only']);
    expect(lines[2]).toMatch(/^tmpfs \/scratch tmpfs .*size=4096k/);
  });

  it('fails a task whose bind source is missing, permanently and naming the path, as Swarm does', async () => {
    const mounts = [mountOf({ type: 'bind', source: '/nonexistent/kelvin-bind', target: '/x' })];
    const task = executor.controller(fx.spec(['true'], { mounts }));
    await expect(task.start()).rejects.toMatchObject({ kind: 'permanent', message: expect.stringContaining('bind source path does not exist: /nonexistent/kelvin-bind') });
  });

  it('maps a host device into the container with its cgroup permission', async () => {
    const devices = [{ host: '/dev/null', container: '/dev/kelvin-sensor', permissions: 'rw' }];
    const { exitCode, lines, id } = await run('echo ping > /dev/kelvin-sensor && echo written; ls -l /dev/kelvin-sensor | cut -c1', { devices });
    expect(exitCode).toBe(0);
    expect(lines).toEqual(['written', 'c']);
    expect((await fx.inspect(id)).HostConfig.Devices).toEqual([{ PathOnHost: '/dev/null', PathInContainer: '/dev/kelvin-sensor', CgroupPermissions: 'rw' }]);
  });

  it("rejects an image built for another architecture than the board's, permanently and with both platforms", async () => {
    const { body } = await fx.engine.request<{ Os: string; Architecture: string }>('GET', `/images/${encodeURIComponent(TEST_IMAGE)}/json`);
    const other = body.Architecture === 'arm64' ? 'x86_64' : 'aarch64';
    const otherGo = other === 'aarch64' ? 'arm64' : 'amd64';
    const onOtherBoard = new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId: fx.nodeId, platform: { os: 'linux', arch: other } });
    const task = onOtherBoard.controller(fx.spec(['true']));
    await expect(task.start()).rejects.toMatchObject({ kind: 'permanent', message: `image ${TEST_IMAGE} is linux/${body.Architecture}, this board is linux/${otherGo}` });
    expect(task.runtimeId).toBeNull(); // no container was made
    const sameBoard = new DockerExecutor({ socketPath: DOCKER_SOCKET, logger: silentLogger(), nodeId: fx.nodeId, platform: { os: 'linux', arch: body.Architecture } });
    const ok = sameBoard.controller(fx.spec(['true']));
    await ok.start();
    expect((await ok.wait()).exitCode).toBe(0);
  });
});
