import { describe, expect, it } from 'vitest';
import type { PublishedPort } from '../../../shared/published-ports.js';
import { onlyService, parseErrors, yaml } from './parse-helpers.js';

const tcp = (published: number, target: number, mode: PublishedPort['mode'] = 'ingress'): PublishedPort => ({ published, target, protocol: 'tcp', mode });
const ports = (...items: string[]): string => `services:\n  web:\n    image: nginx\n    ports:\n${items.map((i) => `      - ${i}\n`).join('')}`;

describe('compose ports', () => {
  it('reads the short syntax: published:target, target alone (the manager assigns), udp, numbers', () => {
    expect(onlyService(ports('"8080:80"', '"443"', '"5353:53/udp"', '9000')).ports).toEqual([
      tcp(8080, 80),
      tcp(0, 443),
      { published: 5353, target: 53, protocol: 'udp', mode: 'ingress' },
      tcp(0, 9000),
    ]);
  });

  it('expands ranges pairwise', () => {
    expect(onlyService(ports('"8000-8001:80-81"', '"9000-9001"')).ports).toEqual([tcp(8000, 80), tcp(8001, 81), tcp(0, 9000), tcp(0, 9001)]);
  });

  it('reads the long syntax, defaults tcp and ingress, ignores name and app_protocol', () => {
    const spec = onlyService(yaml`
      services:
        dns:
          image: coredns
          ports:
            - target: 53
              published: 53
              protocol: udp
              mode: host
            - target: 8080
              published: "8081"
            - target: 9153
              name: metrics
    `);
    expect(spec.ports).toEqual([{ published: 53, target: 53, protocol: 'udp', mode: 'host' }, tcp(8081, 8080), tcp(0, 9153)]);
  });

  it('refuses a host IP, naming the service, the entry and its line', () => {
    expect(parseErrors(ports('"8080:80"', '"127.0.0.1:8081:81"'))).toEqual([
      "services.web.ports[1]: a host IP (127.0.0.1) makes no sense cluster-wide: a published port listens on the boards themselves (every ready board for mode ingress, the task's board for mode host); write '8081:81' (line 6)",
    ]);
    expect(parseErrors(ports('target: 80\n        host_ip: 10.0.0.1'))).toEqual([
      "services.web.ports[0].host_ip: a host IP (10.0.0.1) makes no sense cluster-wide: a published port listens on the boards themselves (every ready board for mode ingress, the task's board for mode host); leave host_ip out (line 6)",
    ]);
  });

  it('names the entry and what is wrong with it', () => {
    expect(
      parseErrors(ports('"8080:80/sctp"', '"70000:80"', '"8000-8002:80-81"', '"8080:"', 'target: 0', 'published: 80', 'target: 80\n        mode: routed', '"8080:81"')),
    ).toEqual([
      "services.web.ports[0]: protocol 'sctp' is not one of tcp, udp (line 5)",
      'services.web.ports[1]: published port 70000 is out of range (1-65535) (line 6)',
      "services.web.ports[2]: published range '8000-8002' has 3 ports but target '80-81' has 2 (line 7)",
      "services.web.ports[3]: '8080:' has no target port (write [PUBLISHED:]TARGET[/PROTOCOL], e.g. 8080:80) (line 8)",
      'services.web.ports[4].target: target port 0 is out of range (1-65535) (line 9)',
      "services.web.ports[5]: missing 'target' (line 10)",
      "services.web.ports[6].mode: unknown mode 'routed', expected 'ingress' or 'host' (line 12)",
    ]);
  });

  it('refuses a port published twice in one service, on the line that repeats it', () => {
    expect(parseErrors(ports('"8000-8001:80-81"', '"8001:90"', '"8001:90/udp"'))).toEqual(['services.web.ports[1]: port 8001/tcp is published twice (line 6)']);
  });

  it('refuses a list that is not one', () => {
    expect(parseErrors('services:\n  web:\n    image: nginx\n    ports: "8080:80"\n')).toEqual([
      'services.web.ports: expected a list of ports such as `- "8080:80"` or `- target: 80` (line 4)',
    ]);
  });
});
