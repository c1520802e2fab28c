/**
 * `kelvin service update` flags onto the service's current spec: each flag changes only what it
 * names (Swarm's `--env-add`/`--env-rm` pairs for lists and maps), everything else stays.
 */
import type { ServiceSpec } from '../../shared/service-spec.js';
import { splitShellWords } from '../../shared/stack/shell-words.js';
import { UsageError } from '../errors.js';
import { keyValues } from './args.js';
import { applyContainerUpdateFlags, type ContainerUpdateFlags } from './container-flags.js';
import { updateMaterialRefs } from './material-flags.js';
import { withPublishChanges, type PublishUpdateFlags } from './publish-flags.js';
import { applySpecFlags, checkedSpec, FLAG_OF, placementPrefs, validateConstraints, type SpecFlags } from './service-flags.js';

/** Commander's option bag for `service update`. */
export interface UpdateFlags extends SpecFlags, PublishUpdateFlags, ContainerUpdateFlags {
  secretAdd: string[];
  secretRm: string[];
  configAdd: string[];
  configRm: string[];
  image?: string;
  args?: string;
  envAdd: string[];
  envRm: string[];
  labelAdd: string[];
  labelRm: string[];
  constraintAdd: string[];
  constraintRm: string[];
  placementPrefAdd: string[];
  placementPrefRm: string[];
  force?: boolean;
  detach?: boolean;
}

const UPDATE_FLAG_OF: Record<string, string> = { ...FLAG_OF, env: '--env-add', labels: '--label-add', constraints: '--constraint-add', preferences: '--placement-pref-add', command: '--args', image: '--image' };

/** The new spec, or a UsageError naming the flag that is wrong. Throws when no flag changes anything and --force is absent. */
export function applyUpdateFlags(current: ServiceSpec, flags: UpdateFlags): ServiceSpec {
  const spec = applyContainerUpdateFlags(structuredClone(current), flags);
  spec.ports = withPublishChanges(spec.ports, flags);
  spec.secrets = updateMaterialRefs('secret', spec.secrets, flags.secretAdd, flags.secretRm);
  spec.configs = updateMaterialRefs('config', spec.configs, flags.configAdd, flags.configRm);
  if (flags.image !== undefined) {
    if (spec.driver !== 'docker') throw new UsageError(`--image: service ${spec.name} runs a process, not an image (change its command with --args)`);
    if (flags.image.trim() === '') throw new UsageError('--image: must not be empty');
    spec.image = flags.image;
  }
  if (flags.args !== undefined) spec.command = argsOf(spec, flags.args);
  spec.env = withMapChanges(spec.env, '--env-add', flags.envAdd, '--env-rm', flags.envRm, true);
  spec.labels = withMapChanges(spec.labels, '--label-add', flags.labelAdd, '--label-rm', flags.labelRm, false);
  validateConstraints('--constraint-add', flags.constraintAdd);
  spec.placement.constraints = withListChanges(spec.placement.constraints, flags.constraintAdd, flags.constraintRm, (c) => c.replace(/\s+/g, ''));
  const prefKey = (p: { spread: string }): string => p.spread;
  const removedPrefs = new Set(placementPrefs('--placement-pref-rm', flags.placementPrefRm).map(prefKey));
  spec.placement.preferences = [...spec.placement.preferences.filter((p) => !removedPrefs.has(prefKey(p))), ...placementPrefs('--placement-pref-add', flags.placementPrefAdd)];
  applySpecFlags(spec, flags);
  const checked = checkedSpec(spec, UPDATE_FLAG_OF);
  if (!flags.force && JSON.stringify(checked) === JSON.stringify(current)) throw new UsageError(`nothing to update: no flag changes service ${current.name} (pass --force to replace its tasks anyway)`);
  return checked;
}

/** `--args`: the image's arguments (docker), or the whole command line of a process, split as a shell would. */
function argsOf(spec: ServiceSpec, text: string): string[] | null {
  const split = splitShellWords(text);
  if (!split.ok) throw new UsageError(`--args: ${split.error}`);
  if (spec.driver === 'process' && split.words.length === 0) throw new UsageError('--args: a process service needs a command');
  return split.words.length === 0 ? null : split.words;
}

function withMapChanges(map: Record<string, string>, addFlag: string, add: string[], rmFlag: string, rm: string[], valueRequired: boolean): Record<string, string> {
  const out = { ...map };
  for (const key of rm) {
    if (!(key in out)) throw new UsageError(`${rmFlag}: '${key}' is not set`);
    delete out[key];
  }
  return { ...out, ...keyValues(addFlag, add, valueRequired) };
}

/** Removes what `rm` names (compared without spaces, as `node.role == worker` is `node.role==worker`), then appends `add`. */
function withListChanges(list: string[], add: string[], rm: string[], key: (item: string) => string): string[] {
  const removed = new Set(rm.map(key));
  const kept = list.filter((item) => !removed.has(key(item)));
  return [...kept, ...add.filter((item) => !kept.some((k) => key(k) === key(item)))];
}
