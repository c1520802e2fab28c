import { describe, expect, it } from 'vitest';
import { assignHostPorts, boundPorts, dockerPorts, portEnv } from '../../../agent/mesh/task-ports.js';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { taskSpec } from '../../helpers/task-spec.js';

const ports: TaskSpec['ports'] = [
  { published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' },
  { published: 8443, target: 80, protocol: 'tcp', mode: 'ingress' },
  { published: 5353, target: 53, protocol: 'udp', mode: 'ingress' },
  { published: 9100, target: 9100, protocol: 'tcp', mode: 'host' },
];

describe('task ports', () => {
  it('gives each target one free host port, the published one in host mode, and keeps them once chosen', async () => {
    const spec = await assignHostPorts(taskSpec({ ports }));
    const bound = boundPorts(spec);
    expect(bound.map((b) => `${b.target}/${b.protocol}`)).toEqual(['80/tcp', '53/udp', '9100/tcp']);
    expect(bound[2]?.hostPort).toBe(9100);
    expect(spec.ports?.[0]?.hostPort).toBe(spec.ports?.[1]?.hostPort);
    expect(new Set(bound.map((b) => b.hostPort)).size).toBe(3);
    expect(await assignHostPorts(spec)).toBe(spec);
  });

  it('tells a process task its ports and a container its bindings', async () => {
    const spec = await assignHostPorts(taskSpec({ ports }));
    const [web, dns] = boundPorts(spec);
    expect(portEnv(spec)).toEqual({ PORT: String(web?.hostPort), KELVIN_PORT_80: String(web?.hostPort), KELVIN_PORT_53: String(dns?.hostPort), KELVIN_PORT_9100: '9100' });
    expect(dockerPorts(spec)).toEqual({
      ExposedPorts: { '80/tcp': {}, '53/udp': {}, '9100/tcp': {} },
      PortBindings: { '80/tcp': [{ HostPort: String(web?.hostPort) }], '53/udp': [{ HostPort: String(dns?.hostPort) }], '9100/tcp': [{ HostPort: '9100' }] },
    });
  });

  it('adds nothing for a task without published ports', async () => {
    const spec = await assignHostPorts(taskSpec());
    expect(portEnv(spec)).toEqual({});
    expect(dockerPorts(spec)).toEqual({});
  });
});
