import { describe, expect, it } from 'vitest';
import { onlyService, parseOk, yaml } from './parse-helpers.js';

describe('command and entrypoint', () => {
  it('splits the string form like a shell and takes the list form as is', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          entrypoint: sh -c 'echo "$$HOME" && sleep 1'
          command: [serve, --port, 8080, --verbose, true]
    `);
    expect(spec.entrypoint).toEqual(['sh', '-c', 'echo "$HOME" && sleep 1']);
    expect(spec.command).toEqual(['serve', '--port', '8080', '--verbose', 'true']);
  });

  it('keeps an empty list (clear the image default) apart from an absent key', () => {
    const spec = onlyService(yaml`
      services:
        web: { image: busybox, entrypoint: [] }
    `);
    expect(spec.entrypoint).toEqual([]);
    expect(spec.command).toBeNull();
  });

  it('interpolates each list item', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          command: ["--host", "\${HOST}", "--port=\${PORT:-80}"]
    `, { HOST: 'pi-01' });
    expect(spec.command).toEqual(['--host', 'pi-01', '--port=80']);
  });
});

describe('environment', () => {
  it('reads the map form, keeping numbers and booleans as written', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          environment:
            VERSION: 1.10
            DEBUG: true
            RETRIES: 3
            NAME: "edge node"
    `);
    expect(spec.env).toEqual({ VERSION: '1.10', DEBUG: 'true', RETRIES: '3', NAME: 'edge node' });
  });

  it('reads the list form, splitting at the first =', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          environment:
            - URL=mqtt://a?x=1
            - EMPTY=
            - TAG=\${TAG}
    `, { TAG: 'v2' });
    expect(spec.env).toEqual({ URL: 'mqtt://a?x=1', EMPTY: '', TAG: 'v2' });
  });

  it('takes a bare name from the deploying shell, and leaves it out with a warning when unset', () => {
    const result = parseOk(
      yaml`
        services:
          web:
            image: busybox
            environment:
              - TOKEN
              - MISSING
          api:
            image: busybox
            environment:
              TOKEN:
              MISSING:
      `,
      { TOKEN: 's3cret' },
    );
    expect(result.services.map((s) => s.env)).toEqual([{ TOKEN: 's3cret' }, { TOKEN: 's3cret' }]);
    expect(result.warnings).toEqual([
      "services.web.environment[1]: 'MISSING' has no value and is not set in the environment, left out (line 6)",
      "services.api.environment.MISSING: 'MISSING' has no value and is not set in the environment, left out (line 11)",
    ]);
  });
});

describe('labels', () => {
  it('merges container labels and deploy.labels, deploy.labels winning with a warning on a clash', () => {
    const result = parseOk(yaml`
      services:
        web:
          image: busybox
          labels:
            - com.example.team=vision
            - com.example.tier=edge
            - com.example.flag
          deploy:
            labels:
              com.example.tier: inference
              com.example.owner: ops
    `);
    expect(result.services[0]?.labels).toEqual({
      'com.example.team': 'vision',
      'com.example.tier': 'inference',
      'com.example.flag': '',
      'com.example.owner': 'ops',
    });
    expect(result.warnings).toEqual([
      "services.web.labels: label 'com.example.tier' is also set in deploy.labels, which wins ('inference') (line 4)",
    ]);
  });

  it('does not warn when both sections agree', () => {
    const result = parseOk(yaml`
      services:
        web:
          image: busybox
          labels: { a: "1" }
          deploy: { labels: { a: "1" } }
    `);
    expect(result.warnings).toEqual([]);
  });
});

describe('other service fields', () => {
  it('reads working_dir and stop_grace_period', () => {
    const spec = onlyService(yaml`
      services:
        web:
          image: busybox
          working_dir: /srv
          stop_grace_period: 1m30s
    `);
    expect(spec.workdir).toBe('/srv');
    expect(spec.stopGracePeriodMs).toBe(90_000);
  });

  it('x-kelvin sets the driver and pins work against thermal migration', () => {
    const spec = onlyService(yaml`
      services:
        logger:
          command: ["/usr/bin/logger-daemon", "--dir", "/var/log/edge"]
          x-kelvin:
            driver: process
            thermal: { movable: "\${MOVABLE}" }
    `, { MOVABLE: 'false' });
    expect(spec).toMatchObject({ driver: 'process', image: null, thermal: { movable: false } });
  });

  it('defaults to a movable docker service', () => {
    const spec = onlyService(yaml`
      services:
        web: { image: busybox }
    `);
    expect(spec).toMatchObject({ driver: 'docker', thermal: { movable: true }, mode: 'replicated', replicas: 1 });
  });

  it('warns for every variable used without a value', () => {
    const result = parseOk(yaml`
      services:
        web:
          image: "registry/\${NAME}:\${TAG}"
    `);
    expect(result.services[0]?.image).toBe('registry/:');
    expect(result.warnings).toEqual([
      "services.web.image: variable 'NAME' is not set, using an empty string (line 3)",
      "services.web.image: variable 'TAG' is not set, using an empty string (line 3)",
    ]);
  });
});
