import { describe, expect, it } from 'vitest';
import { createBody } from '../../../../agent/runtime/docker/container-spec.js';
import { mountOf } from '../../../../shared/container-args.js';
import { defaultContainerOptions } from '../../../../shared/container-options.js';
import { taskSpec } from '../../../helpers/task-spec.js';

const docker = (overrides: Parameters<typeof taskSpec>[0] = {}) => taskSpec({ driver: 'docker', image: 'pihole/pihole', command: null, ...overrides });

describe('createBody: devices, mounts and container options', () => {
  it('adds nothing for a task that asks for none (the body of before)', () => {
    const body = createBody(docker(), 'pihole/pihole', 'n1', null);
    expect(body.HostConfig).toEqual({});
    expect(Object.keys(body)).not.toContain('User');
  });

  it('maps devices with their cgroup permissions, and mounts by type', () => {
    const body = createBody(
      docker({
        devices: [{ host: '/dev/ttyUSB0', container: '/dev/gps', permissions: 'r' }],
        mounts: [
          mountOf({ type: 'volume', source: 'app_data', target: '/data', volumeOptions: { type: 'nfs', o: 'addr=10.0.0.2' } }),
          mountOf({ type: 'volume', source: 'plain', target: '/plain' }),
          mountOf({ type: 'bind', source: '/srv/conf', target: '/etc/app', readOnly: true }),
          mountOf({ type: 'tmpfs', target: '/cache', tmpfsSizeBytes: 1_048_576 }),
        ],
      }),
      'pihole/pihole',
      'n1',
      null,
    );
    expect(body.HostConfig.Devices).toEqual([{ PathOnHost: '/dev/ttyUSB0', PathInContainer: '/dev/gps', CgroupPermissions: 'r' }]);
    expect(body.HostConfig.Mounts).toEqual([
      { Type: 'volume', Source: 'app_data', Target: '/data', ReadOnly: false, VolumeOptions: { DriverConfig: { Name: 'local', Options: { type: 'nfs', o: 'addr=10.0.0.2' } } } },
      { Type: 'volume', Source: 'plain', Target: '/plain', ReadOnly: false },
      { Type: 'bind', Source: '/srv/conf', Target: '/etc/app', ReadOnly: true },
      { Type: 'tmpfs', Target: '/cache', ReadOnly: false, TmpfsOptions: { SizeBytes: 1_048_576 } },
    ]);
  });

  it("passes the options, and a container label cannot replace Kelvin's own", () => {
    const container = {
      ...defaultContainerOptions(),
      capAdd: ['NET_ADMIN'],
      capDrop: ['MKNOD'],
      privileged: true,
      user: '999',
      hostname: 'pihole',
      sysctls: { 'net.ipv4.ip_forward': '1' },
      ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }],
      init: true,
      readOnly: true,
      stopSignal: 'SIGINT',
      extraHosts: ['nas:192.168.1.5'],
      dns: ['1.1.1.1'],
      labels: { team: 'edge', 'io.kelvin.task.id': 'forged' },
    };
    const spec = docker({ container });
    const body = createBody(spec, 'pihole/pihole', 'n1', null);
    expect(body).toMatchObject({ User: '999', Hostname: 'pihole', StopSignal: 'SIGINT' });
    expect(body.Labels).toMatchObject({ team: 'edge', 'io.kelvin.task.id': spec.id });
    expect(body.HostConfig).toEqual({
      CapAdd: ['NET_ADMIN'],
      CapDrop: ['MKNOD'],
      Privileged: true,
      Sysctls: { 'net.ipv4.ip_forward': '1' },
      Ulimits: [{ Name: 'nofile', Soft: 1024, Hard: 2048 }],
      Init: true,
      ReadonlyRootfs: true,
      ExtraHosts: ['nas:192.168.1.5'],
      Dns: ['1.1.1.1'],
    });
  });
});
