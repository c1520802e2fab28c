import { describe, expect, it } from 'vitest';
import { mountOf } from '../../../shared/container-args.js';
import { parseStackFile } from '../../../shared/stack/index.js';
import type { StackFiles } from '../../../shared/stack/files.js';
import { onlyService, parseErrors, parseOk, yaml } from './parse-helpers.js';

const files = (contents: Record<string, string>): StackFiles => ({
  dir: '/srv/stacks',
  readFile: (path) => {
    const text = contents[path];
    if (text === undefined) throw new Error('no such file');
    return text;
  },
});

describe('stack file: devices, volumes and container options', () => {
  it('reads devices in Docker syntax', () => {
    const spec = onlyService(yaml`
      services:
        cam:
          image: motion
          devices: [/dev/video0, "/dev/ttyUSB0:/dev/gps:r"]
    `);
    expect(spec.devices).toEqual([
      { host: '/dev/video0', container: '/dev/video0', permissions: 'rwm' },
      { host: '/dev/ttyUSB0', container: '/dev/gps', permissions: 'r' },
    ]);
  });

  it('refuses a device outside /dev with its path and line', () => {
    expect(parseErrors(yaml`
      services:
        cam:
          image: motion
          devices: [/etc/passwd]
    `)).toEqual(["services.cam.devices[0]: '/etc/passwd': host must be a path under /dev (e.g. /dev/ttyUSB0) (line 4)"]);
  });

  it('reads volumes in short and long syntax, with top-level driver options, namespaced by the stack', () => {
    const result = parseStackFile(
      yaml`
        services:
          db:
            image: postgres:16
            volumes:
              - pgdata:/var/lib/postgresql/data
              - ./conf:/etc/postgresql:ro
              - /run/postgresql
              - type: tmpfs
                target: /tmp
                tmpfs: { size: 64m }
              - type: bind
                source: /srv/backups
                target: /backups
                read_only: true
              - shared:/shared
            deploy:
              placement:
                constraints: [node.hostname==nas]
        volumes:
          pgdata:
            driver_opts: { type: none, o: bind, device: /mnt/ssd/pg }
          shared:
            external: true
      `,
      { file: 'stack.yml', env: {}, files: files({}), stack: 'app' },
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.services[0]?.mounts).toEqual([
      mountOf({ type: 'volume', source: 'app_pgdata', target: '/var/lib/postgresql/data', volumeOptions: { type: 'none', o: 'bind', device: '/mnt/ssd/pg' } }),
      mountOf({ type: 'bind', source: '/srv/stacks/conf', target: '/etc/postgresql', readOnly: true }),
      mountOf({ type: 'volume', target: '/run/postgresql' }),
      mountOf({ type: 'tmpfs', target: '/tmp', tmpfsSizeBytes: 64 * 1024 * 1024 }),
      mountOf({ type: 'bind', source: '/srv/backups', target: '/backups', readOnly: true }),
      mountOf({ type: 'volume', source: 'shared', target: '/shared' }),
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('refuses a named volume that is not declared, and warns when a replicated service with one is not pinned', () => {
    expect(parseErrors(yaml`
      services:
        db:
          image: postgres:16
          volumes: [pgdata:/data]
    `)).toEqual(["services.db: volume 'pgdata' is not declared under the top-level volumes: (line 2)"]);
    expect(parseOk(yaml`
      services:
        db:
          image: postgres:16
          volumes: [pgdata:/data]
      volumes:
        pgdata:
    `).warnings).toEqual([
      "services.db: named volume 'pgdata' keeps its data on one board, and this replicated service has no placement constraint: a task placed elsewhere starts with an empty volume (pin it, e.g. deploy.placement.constraints: [node.hostname==...]) (line 2)",
    ]);
  });

  it('refuses a relative bind source without the stack file folder, and a bad mode', () => {
    expect(parseErrors(yaml`
      services:
        web:
          image: nginx
          volumes: ["./html:/usr/share/nginx/html", "/a:/b:rx"]
    `)).toEqual([
      "services.web.volumes[0]: relative bind source './html' needs the stack file's folder (line 4)",
      "services.web.volumes[1]: unknown volume mode 'rx' (expected ro or rw) (line 4)",
    ]);
  });

  it('passes the container options on', () => {
    const spec = onlyService(yaml`
      services:
        pihole:
          image: pihole/pihole
          cap_add: [NET_ADMIN]
          cap_drop: [MKNOD]
          user: "999:999"
          hostname: pihole
          sysctls: [net.ipv4.ip_forward=1]
          ulimits:
            nofile: { soft: 1024, hard: 4096 }
            nproc: 512
          init: true
          read_only: true
          stop_signal: SIGINT
          working_dir: /app
          extra_hosts: ["printer.local:192.168.1.20", "nas=192.168.1.5"]
          dns: 1.1.1.1
          tmpfs: [/run]
    `);
    expect(spec.container).toEqual({
      capAdd: ['NET_ADMIN'],
      capDrop: ['MKNOD'],
      privileged: false,
      user: '999:999',
      hostname: 'pihole',
      sysctls: { 'net.ipv4.ip_forward': '1' },
      ulimits: [
        { name: 'nofile', soft: 1024, hard: 4096 },
        { name: 'nproc', soft: 512, hard: 512 },
      ],
      init: true,
      readOnly: true,
      stopSignal: 'SIGINT',
      extraHosts: ['printer.local:192.168.1.20', 'nas:192.168.1.5'],
      dns: ['1.1.1.1'],
      labels: {},
    });
    expect(spec.workdir).toBe('/app');
    expect(spec.mounts).toEqual([mountOf({ type: 'tmpfs', target: '/run' })]);
  });

  it('runs a container privileged only when x-kelvin says so as well', () => {
    expect(parseErrors(yaml`
      services:
        hw:
          image: tool
          privileged: true
    `)).toEqual([
      'services.hw.privileged: a privileged container has full access to the board, and Swarm ignores this key: set x-kelvin.privileged: true as well to run it privileged (line 4)',
    ]);
    const spec = onlyService(yaml`
      services:
        hw:
          image: tool
          privileged: true
          x-kelvin: { privileged: true }
    `);
    expect(spec.container.privileged).toBe(true);
  });

  it('names a bad capability and a bad ulimit with their keys', () => {
    expect(parseErrors(yaml`
      services:
        web:
          image: nginx
          cap_add: ["NET ADMIN"]
          ulimits: { nofile: { soft: 10, hard: 5 } }
    `)).toEqual([
      "services.web.ulimits.nofile: 'nofile=10:5': the soft limit is above the hard limit (line 5)",
      'services.web.cap_add[0]: must be a capability name such as NET_ADMIN or ALL (line 4)',
    ]);
  });

  it('reads env_file relative to the stack file, under environment', () => {
    const result = parseStackFile(
      yaml`
        services:
          web:
            image: nginx
            env_file: [common.env, { path: missing.env, required: false }]
            environment: { MODE: prod }
      `,
      { file: 'stack.yml', env: { FROM_SHELL: 'yes' }, files: files({ '/srv/stacks/common.env': '# shared\nMODE=dev\nexport TOKEN="a b"\nFROM_SHELL\n\n' }) },
    );
    if (!result.ok) throw new Error(result.errors.join('\n'));
    expect(result.services[0]?.env).toEqual({ MODE: 'prod', TOKEN: 'a b', FROM_SHELL: 'yes' });
  });

  it('refuses an env_file that cannot be read or holds a bad line', () => {
    const result = parseStackFile(
      yaml`
        services:
          web:
            image: nginx
            env_file: [nope.env, bad.env]
      `,
      { file: 'stack.yml', env: {}, files: files({ '/srv/stacks/bad.env': 'OK=1\n9LIVES=x\n' }) },
    );
    expect(result.ok ? [] : result.errors).toEqual([
      'services.web.env_file[0]: cannot read env file /srv/stacks/nope.env: no such file (line 4)',
      "services.web.env_file[1]: env file /srv/stacks/bad.env: line 2: '9LIVES=x' is not KEY=value (line 4)",
    ]);
  });

  it('warns that container options do nothing for a process task', () => {
    expect(parseOk(yaml`
      services:
        job:
          command: [/bin/true]
          cap_add: [NET_ADMIN]
          x-kelvin: { driver: process }
    `).warnings).toEqual([
      'services.job: container options (cap_add, user, hostname, sysctls, ulimits, init, read_only, stop_signal, extra_hosts, dns, privileged) are ignored: a process task runs on the host (line 2)',
    ]);
  });
});
