import { describe, expect, it } from 'vitest';
import { withPublishChanges } from '../../cli/commands/publish-flags.js';
import { buildServiceSpec, type CreateFlags } from '../../cli/commands/service-flags.js';
import { formatPorts } from '../../cli/format/ports.js';
import type { PublishedPort } from '../../shared/published-ports.js';

const tcp = (published: number, target: number, mode: PublishedPort['mode'] = 'ingress'): PublishedPort => ({ published, target, protocol: 'tcp', mode });
const create = (publish: string[]) =>
  buildServiceSpec({ name: 'web', constraint: [], placementPref: [], env: [], label: [], publish } satisfies CreateFlags, ['nginx'], false);
const forms = `(write [PUBLISHED:]TARGET[/PROTOCOL] or published=PORT,target=PORT[,protocol=tcp|udp][,mode=ingress|host])`;

describe('service create --publish', () => {
  it('takes the short and long forms, ranges, and a bare target for the manager to assign', () => {
    expect(create(['8080:80', '5353:53/udp', 'published=9100,target=9100,mode=host', '8000-8001:81-82', '443', 'target=9000,protocol=udp']).ports).toEqual([
      tcp(8080, 80),
      { published: 5353, target: 53, protocol: 'udp', mode: 'ingress' },
      tcp(9100, 9100, 'host'),
      tcp(8000, 81),
      tcp(8001, 82),
      tcp(0, 443),
      { published: 0, target: 9000, protocol: 'udp', mode: 'ingress' },
    ]);
    expect(create([]).ports).toEqual([]);
  });

  it('refuses bad values with the flag, the value and what is wrong', () => {
    const cases: Array<[string, string]> = [
      ['8080:80/sctp', "protocol 'sctp' is not one of tcp, udp"],
      ['80:70000', 'target port 70000 is out of range (1-65535)'],
      ['http', "target port 'http' is not a port number"],
      ['127.0.0.1:8080:80', "a host IP (127.0.0.1) makes no sense cluster-wide: a published port listens on the boards themselves (every ready board for mode ingress, the task's board for mode host); write '8080:80'"],
      ['published=8080', 'target= is required (the port inside the task)'],
      ['published=8080,target=80,mode=vip', "mode 'vip' is not one of ingress, host"],
      ['target=80,src=8080', "unknown key 'src' (keys: published, target, protocol, mode)"],
      ['target=80,published', "'published' is not KEY=VALUE (keys: published, target, protocol, mode)"],
      ['8000-8009:80-81', "published range '8000-8009' has 10 ports but target '80-81' has 2"],
      ['1-1000', "target port range '1-1000' has 1000 ports, over the limit of 64 published ports"],
    ];
    for (const [value, problem] of cases) expect(() => create([value]), value).toThrow(`--publish: '${value}': ${problem} ${forms}`);
  });

  it('refuses a port given twice, quoting both values', () => {
    expect(() => create(['8000-8001:80-81', '8001:90'])).toThrow("--publish: port 8001/tcp is published twice ('8000-8001:80-81' and '8001:90')");
    expect(create(['8001:90', '8001:90/udp']).ports).toHaveLength(2);
  });
});

describe('service update --publish-add / --publish-rm', () => {
  const current = [tcp(8080, 80), tcp(30000, 443), tcp(9100, 9100, 'host')];

  it('removes by target port, protocol and mode as Docker does, then adds', () => {
    expect(withPublishChanges(current, { publishRm: ['443'], publishAdd: ['8443:443'] })).toEqual([tcp(8080, 80), tcp(9100, 9100, 'host'), tcp(8443, 443)]);
    expect(withPublishChanges(current, { publishRm: ['8080:80', 'target=9100,mode=host'], publishAdd: [] })).toEqual([tcp(30000, 443)]);
    // Adding what is there already changes nothing; a bare target is left to the manager.
    expect(withPublishChanges(current, { publishRm: [], publishAdd: ['8080:80', '53/udp'] })).toEqual([...current, { published: 0, target: 53, protocol: 'udp', mode: 'ingress' }]);
  });

  it('refuses a removal that matches nothing, and an added port already published for another target', () => {
    expect(() => withPublishChanges(current, { publishRm: ['8080'], publishAdd: [] })).toThrow(
      "--publish-rm: '8080' matches no published port (target 8080/tcp, mode ingress); it publishes *:8080->80/tcp, *:30000->443/tcp, 9100->9100/tcp (host)",
    );
    expect(() => withPublishChanges([], { publishRm: ['80'], publishAdd: [] })).toThrow("--publish-rm: '80' matches no published port (target 80/tcp, mode ingress); it publishes none");
    expect(() => withPublishChanges(current, { publishRm: [], publishAdd: ['8080:81'] })).toThrow('--publish-add: port 8080/tcp is already published (*:8080->80/tcp); remove it with --publish-rm first');
    expect(() => withPublishChanges(current, { publishRm: [], publishAdd: ['x'] })).toThrow(`--publish-add: 'x': target port 'x' is not a port number ${forms}`);
  });
});

describe('ports as service ls prints them', () => {
  it('prints the mesh as *:, host mode marked, and folds consecutive ports into ranges', () => {
    expect(formatPorts([tcp(8080, 80), tcp(8000, 81), tcp(8001, 82), { published: 53, target: 53, protocol: 'udp', mode: 'ingress' }, tcp(9100, 9100, 'host')])).toBe(
      '*:8080->80/tcp, *:8000-8001->81-82/tcp, *:53->53/udp, 9100->9100/tcp (host)',
    );
    expect(formatPorts([])).toBe('');
  });
});
