import { describe, expect, it } from 'vitest';
import { onlyService, parseErrors, parseOk, yaml } from './parse-helpers.js';

describe('stack secrets and configs', () => {
  it('reads top-level definitions (file, environment, external with a name) and short and long references', () => {
    const result = parseOk(yaml`
      services:
        web:
          image: busybox
          secrets:
            - db_pass
            - source: api_key
              target: key.txt
              uid: '103'
              gid: '104'
              mode: 0440
          configs:
            - app_cfg
            - { source: app_cfg, target: /etc/app.conf, mode: 0o444 }
      secrets:
        db_pass: { file: ./db_pass.txt }
        api_key: { environment: API_KEY, labels: [team=web] }
      configs:
        app_cfg: { external: true, name: shared_cfg }
    `);
    expect(result.secrets).toEqual([
      { key: 'db_pass', external: false, name: null, file: './db_pass.txt', environment: null, labels: {} },
      { key: 'api_key', external: false, name: null, file: null, environment: 'API_KEY', labels: { team: 'web' } },
    ]);
    expect(result.configs).toEqual([{ key: 'app_cfg', external: true, name: 'shared_cfg', file: null, environment: null, labels: {} }]);
    const [web] = result.services;
    expect(web?.secrets).toEqual([
      { source: 'db_pass', target: 'db_pass', uid: null, gid: null, mode: null },
      { source: 'api_key', target: 'key.txt', uid: 103, gid: 104, mode: 0o440 },
    ]);
    expect(web?.configs).toEqual([
      { source: 'app_cfg', target: '/app_cfg', uid: null, gid: null, mode: null },
      { source: 'app_cfg', target: '/etc/app.conf', uid: null, gid: null, mode: 0o444 },
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('takes the top level from anywhere in the file', () => {
    const spec = onlyService('secrets: { s: { external: true } }\nservices: { web: { image: busybox, secrets: [s] } }\n');
    expect(spec.secrets.map((r) => r.source)).toEqual(['s']);
  });

  it('refuses an undefined reference, a definition with no or two sources, a bad name, target or mode, each on its line', () => {
    expect(
      parseErrors(yaml`
        services:
          web:
            image: busybox
            secrets:
              - nope
              - source: ok
                target: ../escape
              - source: ok
                mode: 0999
        secrets:
          ok: { external: true }
          empty: {}
          both: { file: a, environment: B }
          -bad-: { external: true }
      `),
    ).toEqual([
      "secrets.empty: give exactly one of file, environment or external: true (found 0) (line 12)",
      "secrets.both: give exactly one of file, environment or external: true (found 2) (line 13)",
      "secrets.-bad-: secret name '-bad-': 1 to 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (line 14)",
      "services.web.secrets[0]: undefined secret 'nope': define it under the top-level secrets: (line 5)",
      "services.web.secrets[1]: target '../escape': a file name or an absolute path (letters, digits, '-', '_', '.'; no '..') (line 6)",
      "services.web.secrets[2].mode: expected a file mode such as 0440, got '0999' (line 9)",
    ]);
  });

  it('refuses two references with the same file name', () => {
    expect(parseErrors('services: { web: { image: busybox, secrets: [a, { source: a, target: /x/a }] } }\nsecrets: { a: { external: true } }\n')).toEqual([
      "services.web.secrets[1].target: target '/x/a': file name 'a' is used twice (line 1)",
    ]);
  });
});
