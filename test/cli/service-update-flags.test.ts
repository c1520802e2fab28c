import { describe, expect, it } from 'vitest';
import { applyUpdateFlags, type UpdateFlags } from '../../cli/commands/service-update-flags.js';
import { defaultServiceSpec, type ServiceSpec } from '../../shared/service-spec.js';
import { usageMessage } from '../helpers/usage-error.js';

const none: UpdateFlags = {
  envAdd: [],
  envRm: [],
  labelAdd: [],
  labelRm: [],
  constraintAdd: [],
  constraintRm: [],
  placementPrefAdd: [],
  placementPrefRm: [],
  publishAdd: [],
  publishRm: [],
  secretAdd: [],
  secretRm: [],
  configAdd: [],
  configRm: [],
};
const flags = (over: Partial<UpdateFlags>): UpdateFlags => ({ ...none, ...over });

function docker(): ServiceSpec {
  return { ...defaultServiceSpec('web'), image: 'nginx:1', command: ['-g', 'daemon off;'], env: { A: '1', B: '2' }, labels: { tier: 'front' }, placement: { constraints: ['node.role==worker'], preferences: [{ spread: 'node.labels.zone' }], maxReplicasPerNode: 0 } };
}

describe('service update flags', () => {
  it('add and remove published ports, secrets, configs, devices, mounts and capabilities', () => {
    const after = applyUpdateFlags(
      docker(),
      flags({ publishAdd: ['8080:80'], secretAdd: ['source=db_pass,target=db,mode=0400'], configAdd: ['nginx_conf'], deviceAdd: ['/dev/video0'], mountAdd: ['type=tmpfs,target=/cache'], capAdd: ['NET_ADMIN'] }),
    );
    expect(after.ports).toEqual([{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }]);
    expect(after.secrets.map((r) => [r.source, r.target])).toEqual([['db_pass', 'db']]);
    expect(after.configs.map((r) => r.source)).toEqual(['nginx_conf']);
    expect(after.devices.map((d) => d.host)).toEqual(['/dev/video0']);
    expect(after.mounts.map((m) => [m.type, m.target])).toEqual([['tmpfs', '/cache']]);
    expect(after.container.capAdd).toEqual(['NET_ADMIN']);
    const back = applyUpdateFlags(after, flags({ publishRm: ['80'], secretRm: ['db_pass'], configRm: ['nginx_conf'], deviceRm: ['/dev/video0'], mountRm: ['/cache'], capDrop: ['NET_ADMIN'] }));
    expect([back.ports, back.secrets, back.configs, back.devices, back.mounts, back.container.capAdd]).toEqual([[], [], [], [], [], []]);
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ secretRm: ['nope'] })))).toBe("--secret-rm: the service has no secret 'nope'");
  });

  it('change only what they name', () => {
    const before = docker();
    const after = applyUpdateFlags(before, flags({ image: 'nginx:2', envAdd: ['C=3'], envRm: ['A'], replicas: '5', updateParallelism: '2', updateMonitor: '30s', rollbackOrder: 'start-first' }));
    expect(after).toEqual({
      ...before,
      image: 'nginx:2',
      env: { B: '2', C: '3' },
      replicas: 5,
      updateConfig: { ...before.updateConfig, parallelism: 2, monitorMs: 30_000 },
      rollbackConfig: { ...before.rollbackConfig, order: 'start-first' },
    });
    expect(before.env).toEqual({ A: '1', B: '2' }); // the current spec is not touched
  });

  it('adds and removes labels, constraints and placement preferences', () => {
    const after = applyUpdateFlags(docker(), flags({ labelAdd: ['x=y'], labelRm: ['tier'], constraintRm: ['node.role == worker'], constraintAdd: ['node.labels.gpu==true'], placementPrefRm: ['spread=node.labels.zone'], placementPrefAdd: ['spread=node.id'] }));
    expect(after.labels).toEqual({ x: 'y' });
    expect(after.placement.constraints).toEqual(['node.labels.gpu==true']);
    expect(after.placement.preferences).toEqual([{ spread: 'node.id' }]);
  });

  it('--args: the image arguments of a docker service, the whole command line of a process, split like a shell', () => {
    expect(applyUpdateFlags(docker(), flags({ args: `sh -c 'echo "hi there"'` })).command).toEqual(['sh', '-c', 'echo "hi there"']);
    const proc = { ...defaultServiceSpec('p'), driver: 'process' as const, command: ['sleep', '1'] };
    expect(applyUpdateFlags(proc, flags({ args: '/bin/sleep 60' })).command).toEqual(['/bin/sleep', '60']);
    expect(usageMessage(() => applyUpdateFlags(proc, flags({ args: '' })))).toBe('--args: a process service needs a command');
    expect(usageMessage(() => applyUpdateFlags(proc, flags({ image: 'x' })))).toMatch(/^--image: service p runs a process/);
  });

  it('refuses what is wrong, naming the flag, and an update that changes nothing', () => {
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ envRm: ['NOPE'] })))).toBe("--env-rm: 'NOPE' is not set");
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ updateFailureAction: 'retry' })))).toBe("--update-failure-action: 'retry' is not one of pause, continue, rollback");
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ rollbackFailureAction: 'rollback' })))).toBe("--rollback-failure-action: 'rollback' is not one of pause, continue");
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ updateMaxFailureRatio: '1.5' })))).toBe("--update-max-failure-ratio: '1.5' is not a number from 0 to 1");
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ constraintAdd: ['node.labels.gpu=true'] })))).toMatch(/^--constraint-add: /);
    expect(usageMessage(() => applyUpdateFlags(docker(), flags({ envAdd: ['A=1'] })))).toBe('nothing to update: no flag changes service web (pass --force to replace its tasks anyway)');
    expect(applyUpdateFlags(docker(), flags({ force: true }))).toEqual(docker());
  });

  it('take the health flags, as service create does', () => {
    const checked = applyUpdateFlags(docker(), flags({ healthCmd: 'wget -q localhost', healthRetries: '2' }));
    expect(checked.healthcheck).toMatchObject({ test: ['CMD-SHELL', 'wget -q localhost'], retries: 2 });
    expect(applyUpdateFlags(checked, flags({ healthcheck: false })).healthcheck).toBe('none');
  });
});
