import { describe, expect, it } from 'vitest';
import { applyContainerUpdateFlags } from '../../cli/commands/container-flags.js';
import { buildServiceSpec, type CreateFlags } from '../../cli/commands/service-flags.js';
import { mountOf } from '../../shared/container-args.js';

const base: CreateFlags = { name: 'svc', constraint: [], placementPref: [], env: [], label: [] };
const build = (flags: Partial<CreateFlags>, args = ['busybox']) => buildServiceSpec({ ...base, ...flags }, args, false);

describe('service create: devices, mounts and container options', () => {
  it('reads --device in its three forms', () => {
    expect(build({ device: ['/dev/ttyUSB0', '/dev/video0:/dev/cam', '/dev/i2c-1:/dev/i2c-1:rw', '/dev/gpiochip0:r'] }).devices).toEqual([
      { host: '/dev/ttyUSB0', container: '/dev/ttyUSB0', permissions: 'rwm' },
      { host: '/dev/video0', container: '/dev/cam', permissions: 'rwm' },
      { host: '/dev/i2c-1', container: '/dev/i2c-1', permissions: 'rw' },
      { host: '/dev/gpiochip0', container: '/dev/gpiochip0', permissions: 'r' },
    ]);
  });

  it.each([
    ['/etc/shadow', "--device: '/etc/shadow': host must be a path under /dev (e.g. /dev/ttyUSB0)"],
    ['/dev/../etc/shadow', "--device: '/dev/../etc/shadow': host must not contain '..'"],
    ['/dev/video0:/dev/video0:rwx', "--device: '/dev/video0:/dev/video0:rwx': permissions must be letters of 'rwm' (e.g. rwm, r)"],
    ['/dev/a:/b:r:w', "--device: '/dev/a:/b:r:w' is not HOST[:CONTAINER[:PERMISSIONS]] (e.g. /dev/ttyUSB0 or /dev/video0:/dev/video0:r)"],
  ])('refuses --device %s', (value, message) => {
    expect(() => build({ device: [value] })).toThrow(message);
  });

  it('reads --mount for volumes, binds and tmpfs', () => {
    const spec = build({
      mount: [
        'type=volume,source=pgdata,target=/var/lib/postgresql/data,volume-driver=local,volume-opt=type=nfs,volume-opt=o=addr=10.0.0.2',
        'type=bind,src=/srv/conf,dst=/etc/app,readonly',
        'type=tmpfs,target=/cache,tmpfs-size=64M',
        'source=anon-less,target=/x,ro=false',
      ],
    });
    expect(spec.mounts).toEqual([
      mountOf({ type: 'volume', source: 'pgdata', target: '/var/lib/postgresql/data', volumeDriver: 'local', volumeOptions: { type: 'nfs', o: 'addr=10.0.0.2' } }),
      mountOf({ type: 'bind', source: '/srv/conf', target: '/etc/app', readOnly: true }),
      mountOf({ type: 'tmpfs', target: '/cache', tmpfsSizeBytes: 64 * 1024 * 1024 }),
      mountOf({ type: 'volume', source: 'anon-less', target: '/x' }),
    ]);
  });

  it.each([
    ['type=bind,target=/x', '--mount: source: a bind mount needs an absolute host path as source'],
    ['type=tmpfs,source=x,target=/x', '--mount: source: a tmpfs mount takes no source'],
    ['type=volume,source=data,target=/x,tmpfs-size=1M', '--mount: tmpfs-size: tmpfs-size applies only to type=tmpfs'],
    ['type=nfs,target=/x', "--mount: type 'nfs' is not one of volume, bind, tmpfs"],
    ['type=volume,source=data', '--mount: target is required (target=/path/in/container)'],
    ['type=volume,source=../etc,target=/x', "--mount: source: '../etc' is not a volume name (letters, digits, _ . -, starting with a letter or digit)"],
    ['type=volume,target=x', '--mount: target: must be an absolute path'],
    ['type=volume,colour=red,target=/x', "--mount: unknown key 'colour' (expected type, source, target, readonly, volume-driver, volume-opt, tmpfs-size)"],
    ['type=tmpfs,target=/x,tmpfs-size=big', "--mount: tmpfs-size 'big' is not a size (e.g. 64M)"],
  ])('refuses --mount %s', (value, message) => {
    expect(() => build({ mount: [value] })).toThrow(message);
  });

  it('passes the container options with Docker flag names', () => {
    const spec = build({
      capAdd: ['NET_ADMIN', 'SYS_TIME'],
      capDrop: ['MKNOD'],
      privileged: true,
      user: 'pi',
      hostname: 'gw',
      sysctl: ['net.ipv4.ip_forward=1'],
      ulimit: ['nofile=1024:2048', 'nproc=64'],
      init: true,
      readOnly: true,
      stopSignal: 'SIGINT',
      host: ['printer.local:192.168.1.20'],
      dns: ['1.1.1.1'],
      containerLabel: ['com.example.team=edge'],
    });
    expect(spec.container).toEqual({
      capAdd: ['NET_ADMIN', 'SYS_TIME'],
      capDrop: ['MKNOD'],
      privileged: true,
      user: 'pi',
      hostname: 'gw',
      sysctls: { 'net.ipv4.ip_forward': '1' },
      ulimits: [
        { name: 'nofile', soft: 1024, hard: 2048 },
        { name: 'nproc', soft: 64, hard: 64 },
      ],
      init: true,
      readOnly: true,
      stopSignal: 'SIGINT',
      extraHosts: ['printer.local:192.168.1.20'],
      dns: ['1.1.1.1'],
      labels: { 'com.example.team': 'edge' },
    });
  });

  it('is not privileged unless --privileged is given', () => {
    expect(build({ capAdd: ['ALL'] }).container.privileged).toBe(false);
  });

  it.each<[Partial<CreateFlags>, string]>([
    [{ capAdd: ['NET ADMIN'] }, "--cap-add 'NET ADMIN': must be a capability name such as NET_ADMIN or ALL"],
    [{ ulimit: ['nofile=10:5'] }, "--ulimit: 'nofile=10:5': the soft limit is above the hard limit"],
    [{ ulimit: ['nofile'] }, "--ulimit: 'nofile' is not NAME=SOFT[:HARD] (e.g. nofile=1024:2048)"],
    [{ host: ['printer.local'] }, "--host: 'printer.local' is not HOST:IP (e.g. printer.local:192.168.1.20)"],
    [{ stopSignal: 'SIG TERM' }, '--stop-signal: must be a signal name or number (e.g. SIGINT)'],
    [{ hostname: 'a b' }, '--hostname: must be a hostname (letters, digits, . -)'],
    [{ sysctl: ['net.ipv4.ip_forward'] }, "--sysctl: 'net.ipv4.ip_forward' is not KEY=VALUE"],
  ])('refuses %o', (flags, message) => {
    expect(() => build(flags)).toThrow(message);
  });
});

describe('service update: the container flag module', () => {
  it('adds and removes devices, mounts and capabilities the Swarm way', () => {
    const before = build({ device: ['/dev/ttyUSB0'], mount: ['type=volume,source=a,target=/a', 'type=tmpfs,target=/t'], capAdd: ['NET_ADMIN'], capDrop: ['MKNOD'] });
    const after = applyContainerUpdateFlags(before, {
      deviceAdd: ['/dev/video0'],
      deviceRm: ['/dev/ttyUSB0'],
      mountAdd: ['type=volume,source=b,target=/a'],
      mountRm: ['/t'],
      capAdd: ['MKNOD'],
      capDrop: ['NET_ADMIN'],
      user: 'pi',
    });
    expect(after.devices.map((d) => d.host)).toEqual(['/dev/video0']);
    expect(after.mounts).toEqual([mountOf({ type: 'volume', source: 'b', target: '/a' })]);
    expect(after.container).toMatchObject({ capAdd: ['MKNOD'], capDrop: ['NET_ADMIN'], user: 'pi' });
    expect(before.devices.map((d) => d.host)).toEqual(['/dev/ttyUSB0']); // the input is left alone
  });

  it('names the flag of a bad value', () => {
    const spec = build({});
    expect(() => applyContainerUpdateFlags(spec, { deviceAdd: ['/tmp/x'] })).toThrow("--device-add: '/tmp/x': host must be a path under /dev (e.g. /dev/ttyUSB0)");
  });
});
