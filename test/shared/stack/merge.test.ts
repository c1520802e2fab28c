/** `stack deploy -c a.yml -c b.yml`: the Compose merge rules, and errors that name their file. */
import { describe, expect, it } from 'vitest';
import { mergeTrees } from '../../../shared/stack/merge.js';
import { parseStackFiles } from '../../../shared/stack/merge-files.js';

const base = {
  services: {
    web: {
      image: 'nginx:1.25',
      command: ['nginx', '-g', 'daemon off;'],
      environment: ['A=1', 'B=2'],
      ports: ['8080:80', '9090:90/udp'],
      volumes: ['data:/var/data', '/cache'],
      deploy: { replicas: 2, labels: { team: 'edge' }, placement: { constraints: ['node.role==worker'] } },
    },
  },
};

describe('mergeTrees (Compose merge rules)', () => {
  const merged = mergeTrees(base, {
    services: {
      web: {
        image: 'nginx:1.27',
        command: ['nginx', '-T'],
        environment: { B: '3', C: '4' },
        ports: ['8081:80', '9090:90/udp'],
        volumes: ['other:/var/data'],
        deploy: { replicas: 5, labels: ['owner=ops'], placement: { constraints: ['node.labels.zone==a'] } },
      },
      db: { image: 'postgres:16' },
    },
  }) as typeof base & { services: { db: unknown } };
  const web = merged.services.web;

  it('replaces scalars and shell commands, and adds new services', () => {
    expect(web.image).toBe('nginx:1.27');
    expect(web.command).toEqual(['nginx', '-T']);
    expect(web.deploy.replicas).toBe(5);
    expect(merged.services.db).toEqual({ image: 'postgres:16' });
  });

  it('merges environment and labels as mappings whatever form each file used', () => {
    expect(web.environment).toEqual({ A: '1', B: '3', C: '4' });
    expect(web.deploy.labels).toEqual({ team: 'edge', owner: 'ops' });
  });

  it('appends other sequences, and merges ports and volumes by their unique key', () => {
    expect(web.deploy.placement.constraints).toEqual(['node.role==worker', 'node.labels.zone==a']);
    expect(web.ports).toEqual(['8080:80', '8081:80', '9090:90/udp']);
    expect(web.volumes).toEqual(['/cache', 'other:/var/data']);
  });
});

describe('parseStackFiles', () => {
  const env = {};

  it('deploys what the files say together: an override file need not be a whole stack', () => {
    const parsed = parseStackFiles(
      [
        { file: 'base.yml', text: 'services:\n  web:\n    image: nginx:1.25\n    deploy:\n      replicas: 2\n' },
        { file: 'prod.yml', text: 'services:\n  web:\n    deploy:\n      replicas: 6\n' },
      ],
      env,
    );
    expect(parsed.ok && parsed.services.map((s) => [s.name, s.image, s.replicas])).toEqual([['web', 'nginx:1.25', 6]]);
  });

  it('names the file and line of a syntax error, and the merged files for the rest', () => {
    const broken = parseStackFiles(
      [
        { file: 'base.yml', text: 'services:\n  web:\n    image: nginx\n' },
        { file: 'bad.yml', text: 'services:\n  web: [\n' },
      ],
      env,
    );
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.errors[0]).toMatch(/^bad\.yml: .* \(line \d\)$/);
    const invalid = parseStackFiles(
      [
        { file: 'base.yml', text: 'services:\n  web:\n    image: nginx\n' },
        { file: 'more.yml', text: 'services:\n  web:\n    deploy:\n      replicas: many\n' },
      ],
      env,
    );
    expect(!invalid.ok && invalid.errors).toEqual(["services.web.deploy.replicas: expected a whole number, got 'many' (in the merge of base.yml, more.yml)"]);
  });
});
