import { describe, expect, it } from 'vitest';
import { MAX_MESH_ENDPOINTS, MAX_MESH_SERVICES, type EndpointList } from '../../shared/payloads/endpoints.js';
import { decodePayload, MAX_DESIRED_SET_BYTES } from '../../shared/wire.js';

function list(patch: Record<string, unknown> = {}): Record<string, unknown> {
  const base: EndpointList = {
    v: 1,
    incarnation: 'inc1',
    generation: 1,
    nodes: [{ id: 'pi-1', heat: 'normal', power: 'stable' }],
    services: [
      {
        id: 's1',
        name: 'web',
        stack: null,
        ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }],
        endpoints: [{ taskId: 't1', nodeId: 'pi-1', addr: '10.1.2.3', ports: [{ target: 80, protocol: 'tcp', hostPort: 40000 }] }],
      },
    ],
  };
  return { ...base, ...patch };
}

const service = list().services as EndpointList['services'];
const first = service[0]!;
const endpoint = first.endpoints[0]!;

describe('endpoint list decoding (hostile input)', () => {
  it('decodes a valid list, IPv6 addresses included', () => {
    const v6 = list({ services: [{ ...first, endpoints: [{ ...endpoint, addr: 'fd00::4' }] }] });
    expect(decodePayload('endpoints', JSON.stringify(v6)).ok).toBe(true);
  });

  it.each([
    ['an address that is a host name', { services: [{ ...first, endpoints: [{ ...endpoint, addr: 'evil.example' }] }] }, 'addr'],
    ['a host port out of range', { services: [{ ...first, endpoints: [{ ...endpoint, ports: [{ target: 80, protocol: 'tcp', hostPort: 70000 }] }] }] }, 'hostPort'],
    ['an unknown protocol', { services: [{ ...first, ports: [{ published: 1, target: 1, protocol: 'sctp', mode: 'ingress' }] }] }, 'protocol'],
    ['an unknown heat state', { nodes: [{ id: 'pi-1', heat: 'melting', power: 'stable' }] }, 'heat'],
    ['a bad node id', { nodes: [{ id: '../x', heat: 'normal', power: 'stable' }] }, 'id'],
    ['a negative generation', { generation: -1 }, 'generation'],
    ['too many services', { services: Array(MAX_MESH_SERVICES + 1).fill({ ...first, endpoints: [] }) }, 'services'],
    ['too many endpoints', { services: [{ ...first, endpoints: Array(MAX_MESH_ENDPOINTS + 1).fill(endpoint) }] }, 'endpoints'],
  ])('refuses %s, naming where', (_what, patch, where) => {
    const r = decodePayload('endpoints', JSON.stringify(list(patch)));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(where);
  });

  it('refuses a list over the size limit before parsing it', () => {
    const r = decodePayload('endpoints', `{"pad":"${'x'.repeat(MAX_DESIRED_SET_BYTES)}"}`);
    expect(r).toMatchObject({ ok: false, reason: 'size' });
  });

  it('refuses JSON that is not a list, and never throws', () => {
    for (const bad of ['', 'null', '[]', '{"v":2}', '{"__proto__":{"x":1}}', '\u0000']) {
      expect(decodePayload('endpoints', bad).ok).toBe(false);
    }
  });
});
