import { describe, expect, it } from 'vitest';
import { parseMaterialFlag, parseMaterialFlags, updateMaterialRefs } from '../../cli/commands/material-flags.js';
import { buildServiceSpec, type CreateFlags } from '../../cli/commands/service-flags.js';

const flags = (over: Partial<CreateFlags>): CreateFlags => ({ name: 'web', constraint: [], placementPref: [], env: [], label: [], ...over });

function usage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  return 'no error';
}

describe('--secret and --config', () => {
  it('take a bare name with Swarm defaults (/run/secrets/<name>, /<name> for configs)', () => {
    expect(parseMaterialFlag('secret', 'db_pass')).toEqual({ source: 'db_pass', target: 'db_pass', uid: null, gid: null, mode: null });
    expect(parseMaterialFlag('config', 'app_cfg')).toEqual({ source: 'app_cfg', target: '/app_cfg', uid: null, gid: null, mode: null });
  });

  it('take the long form, with the mode in octal', () => {
    expect(parseMaterialFlag('secret', 'source=db_pass,target=db,uid=103,gid=104,mode=0440')).toEqual({ source: 'db_pass', target: 'db', uid: 103, gid: 104, mode: 0o440 });
    expect(parseMaterialFlag('config', 'src=app,target=/etc/app.conf,mode=444').mode).toBe(0o444);
  });

  it('refuse what docker refuses, with one line naming the flag and the problem', () => {
    expect(usage(() => parseMaterialFlag('secret', 'target=x'))).toBe("--secret: source is required in 'target=x'");
    expect(usage(() => parseMaterialFlag('secret', 'source=a,colour=red'))).toBe("--secret: unknown key 'colour' in 'source=a,colour=red' (source, target, uid, gid, mode)");
    expect(usage(() => parseMaterialFlag('secret', 'source=a,mode=0999'))).toBe("--secret: mode '0999' is not an octal file mode (e.g. 0400)");
    expect(usage(() => parseMaterialFlag('secret', 'source=a,uid=root'))).toBe("--secret: uid 'root' is not a user or group id");
    expect(usage(() => parseMaterialFlag('config', 'source=a,target=../../etc/passwd'))).toBe(
      "--config: target '../../etc/passwd': a file name or an absolute path (letters, digits, '-', '_', '.'; no '..')",
    );
    expect(usage(() => parseMaterialFlag('secret', 'a b'))).toBe("--secret: secret name 'a b': 1 to 64 letters, digits, '-', '_' or '.', starting and ending with a letter or digit");
    expect(usage(() => parseMaterialFlags('secret', ['a', 'source=b,target=a']))).toBe("--secret: target 'a': file name 'a' is used twice");
  });

  it('land in the service spec from service create', () => {
    const spec = buildServiceSpec(flags({ secret: ['db_pass'], config: ['source=app,target=/etc/app.conf'] }), ['busybox'], false);
    expect(spec.secrets.map((r) => r.target)).toEqual(['db_pass']);
    expect(spec.configs.map((r) => r.target)).toEqual(['/etc/app.conf']);
  });

  it('update: --secret-rm by name, --secret-add replacing the same target (rotation)', () => {
    const current = parseMaterialFlags('secret', ['source=db_v1,target=db', 'api']);
    expect(updateMaterialRefs('secret', current, ['source=db_v2,target=db'], ['db_v1']).map((r) => `${r.source}:${r.target}`)).toEqual(['api:api', 'db_v2:db']);
    expect(usage(() => updateMaterialRefs('secret', current, [], ['nope']))).toBe("--secret-rm: the service has no secret 'nope'");
  });
});
