import { describe, expect, it } from 'vitest';
import { containerName, cpuQuota, createBody, effectiveCpus } from '../../../../agent/runtime/docker/container-spec.js';
import type { TaskSpec } from '../../../../shared/payloads/tasks.js';

function spec(overrides: Partial<TaskSpec> = {}): TaskSpec {
  return {
    id: 'a1b2c3d4e5f6a7b8c9d0',
    serviceId: 'svc-1',
    serviceName: 'web',
    slot: 2,
    driver: 'docker',
    image: 'nginx:1.27',
    command: null,
    entrypoint: null,
    env: {},
    labels: {},
    workdir: null,
    resources: { cpus: null, memoryBytes: null, gpus: null },
    stopGracePeriodMs: 10_000,
    throttle: null,
    ...overrides,
  };
}

describe('containerName', () => {
  it('names replicated tasks by slot and global ones by short task id', () => {
    expect(containerName(spec())).toBe('kelvin-web-2-a1b2c3d4e5f6');
    expect(containerName(spec({ slot: null }))).toBe('kelvin-web-a1b2c3d4e5f6-a1b2c3d4e5f6');
  });

  it('replaces characters Docker refuses in names', () => {
    expect(containerName(spec({ serviceName: 'stack/web app', id: 'x:y' }))).toBe('kelvin-stack_web_app-2-x_y');
  });
});

describe('createBody', () => {
  it('passes image, command, entrypoint, env, workdir and the Kelvin labels', () => {
    const body = createBody(
      spec({ command: ['-g', 'daemon off;'], entrypoint: ['nginx'], env: { FOO: 'a=b' }, workdir: '/srv', labels: { team: 'ops' } }),
      'nginx:1.27',
      'node-1',
      null,
    );
    expect(body).toMatchObject({
      Image: 'nginx:1.27',
      Cmd: ['-g', 'daemon off;'],
      Entrypoint: ['nginx'],
      Env: ['FOO=a=b'],
      WorkingDir: '/srv',
      Tty: false,
      Labels: {
        team: 'ops',
        'io.kelvin.managed': 'true',
        'io.kelvin.task.id': 'a1b2c3d4e5f6a7b8c9d0',
        'io.kelvin.service.id': 'svc-1',
        'io.kelvin.service.name': 'web',
        'io.kelvin.node.id': 'node-1',
      },
      HostConfig: {},
    });
  });

  it('leaves Cmd and Entrypoint to the image when the spec has none', () => {
    const body = createBody(spec(), 'nginx:1.27', null, null);
    expect(body).not.toHaveProperty('Cmd');
    expect(body).not.toHaveProperty('Entrypoint');
    expect(body.Labels).not.toHaveProperty('io.kelvin.node.id');
  });

  it('does not let a spec label pose as another task', () => {
    const body = createBody(spec({ labels: { 'io.kelvin.task.id': 'other', 'io.kelvin.managed': 'false' } }), 'x', null, null);
    expect(body.Labels['io.kelvin.task.id']).toBe('a1b2c3d4e5f6a7b8c9d0');
    expect(body.Labels['io.kelvin.managed']).toBe('true');
  });

  it('maps CPU and memory limits and a GPU reservation to the host config', () => {
    const body = createBody(spec({ resources: { cpus: 1.5, memoryBytes: 256 * 1024 ** 2, gpus: 2 } }), 'x', null, null);
    expect(body.HostConfig).toEqual({
      CpuPeriod: 100_000,
      CpuQuota: 150_000,
      Memory: 268_435_456,
      DeviceRequests: [{ Driver: 'nvidia', Count: 2, Capabilities: [['gpu']] }],
    });
  });

  it('starts a task under an active heat throttle already capped', () => {
    const body = createBody(spec({ resources: { cpus: 2, memoryBytes: null, gpus: 0 } }), 'x', null, 0.25);
    expect(body.HostConfig).toEqual({ CpuPeriod: 100_000, CpuQuota: 25_000 });
  });
});

describe('CPU caps', () => {
  it('a throttle only ever tightens the spec limit', () => {
    expect(effectiveCpus(null, null)).toBeNull();
    expect(effectiveCpus(null, 0.5)).toBe(0.5);
    expect(effectiveCpus(1, null)).toBe(1);
    expect(effectiveCpus(1, 4)).toBe(1);
    expect(effectiveCpus(1, 0.2)).toBe(0.2);
  });

  it('turns cores into a CFS quota, -1 for no limit, never below the kernel minimum', () => {
    expect(cpuQuota(0.2)).toEqual({ CpuPeriod: 100_000, CpuQuota: 20_000 });
    expect(cpuQuota(null)).toEqual({ CpuPeriod: 100_000, CpuQuota: -1 });
    expect(cpuQuota(0.001).CpuQuota).toBe(1_000);
  });
});
