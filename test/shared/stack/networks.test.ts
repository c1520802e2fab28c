import { describe, expect, it } from 'vitest';
import { parseStackFile } from '../../../shared/stack/index.js';
import { parseOk, yaml } from './parse-helpers.js';

describe('compose networks and expose', () => {
  it('reads service networks (list or mapping) and expose ports; no networks: is the default network', () => {
    const { services, warnings } = parseOk(yaml`
      services:
        web:
          image: busybox
          networks: [front]
        api:
          image: busybox
          expose: ["8080", 9000, "53/udp", "7000-7001"]
          networks:
            front:
            back:
              aliases: [backend]
        db:
          image: busybox
      networks:
        front: {}
        back:
          driver: overlay
    `);
    expect(services.map((s) => [s.name, s.networks])).toEqual([
      ['web', ['front']],
      ['api', ['front', 'back']],
      ['db', []],
    ]);
    expect(services[1]?.expose).toEqual([
      { target: 8080, protocol: 'tcp' },
      { target: 9000, protocol: 'tcp' },
      { target: 53, protocol: 'udp' },
      { target: 7000, protocol: 'tcp' },
      { target: 7001, protocol: 'tcp' },
    ]);
    expect(warnings).toEqual([
      'services.api.networks.back: ignored: Kelvin does not act on per-network options (aliases, addresses) (line 10)',
      "networks.back: ignored: Kelvin creates no networks; a network only decides which of the stack's services reach each other by name (line 16)",
    ]);
  });

  it('refuses a network the file does not define and an expose entry that publishes', () => {
    const result = parseStackFile(
      yaml`
        services:
          web:
            image: busybox
            networks: [front, default]
            expose: ["8080:80"]
      `,
      { file: 'stack.yml', env: {} },
    );
    expect(result.ok ? [] : result.errors).toEqual([
      "services.web.expose[0]: '8080:80' is not PORT[/PROTOCOL] or a range (expose names target ports; publish with ports:) (line 5)",
      "services.web.networks: network 'front' is not defined under the top-level networks: (line 4)",
    ]);
  });
});
