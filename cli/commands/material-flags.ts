/**
 * `--secret` and `--config` on `kelvin service create` (and `service update --secret-add` etc.),
 * as docker parses them: `NAME`, or `source=NAME[,target=PATH][,uid=N][,gid=N][,mode=0400]`.
 */
import { defaultTarget, materialNameProblem, materialRefs, targetProblem, type MaterialKind, type MaterialRef } from '../../shared/secrets/refs.js';
import { UsageError } from '../errors.js';

export function parseMaterialFlag(kind: MaterialKind, text: string): MaterialRef {
  const flag = `--${kind}`;
  const ref: MaterialRef = { source: '', target: '', uid: null, gid: null, mode: null };
  if (!text.includes('=')) ref.source = text;
  else {
    for (const part of text.split(',')) {
      const eq = part.indexOf('=');
      const key = eq < 0 ? part : part.slice(0, eq).trim().toLowerCase();
      const value = eq < 0 ? '' : part.slice(eq + 1).trim();
      if (eq < 0 || value === '') throw new UsageError(`${flag}: '${part}' is not KEY=VALUE in '${text}'`);
      if (key === 'source' || key === 'src') ref.source = value;
      else if (key === 'target') ref.target = value;
      else if (key === 'uid' || key === 'gid') ref[key] = wholeNumber(flag, key, value);
      else if (key === 'mode') ref.mode = fileMode(flag, value);
      else throw new UsageError(`${flag}: unknown key '${key}' in '${text}' (source, target, uid, gid, mode)`);
    }
  }
  if (ref.source === '') throw new UsageError(`${flag}: source is required in '${text}'`);
  const nameProblem = materialNameProblem(kind, ref.source);
  if (nameProblem) throw new UsageError(`${flag}: ${nameProblem}`);
  if (ref.target === '') ref.target = defaultTarget(kind, ref.source);
  const problem = targetProblem(ref.target);
  if (problem) throw new UsageError(`${flag}: ${problem}`);
  return ref;
}

/** Every `--secret` (or `--config`) given, checked as a set (no target twice). */
export function parseMaterialFlags(kind: MaterialKind, items: string[]): MaterialRef[] {
  return checkSet(kind, items.map((item) => parseMaterialFlag(kind, item)), `--${kind}`);
}

function wholeNumber(flag: string, key: string, value: string): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0x7fffffff) throw new UsageError(`${flag}: ${key} '${value}' is not a user or group id`);
  return Number(value);
}

/** Octal, as docker reads it (`0400`, `400`). */
function fileMode(flag: string, value: string): number {
  if (!/^0?[0-7]{1,3}$/.test(value)) throw new UsageError(`${flag}: mode '${value}' is not an octal file mode (e.g. 0400)`);
  return parseInt(value, 8);
}

/**
 * `service update --secret-rm NAME --secret-add SPEC` (and the --config pair): removals first, by
 * source name as docker matches them, then additions; an addition replaces a reference with the
 * same target. For h-update's `service update`.
 */
export function updateMaterialRefs(kind: MaterialKind, current: MaterialRef[], add: string[], rm: string[]): MaterialRef[] {
  for (const name of rm) {
    if (!current.some((r) => r.source === name)) throw new UsageError(`--${kind}-rm: the service has no ${kind} '${name}'`);
  }
  const added = add.map((item) => parseMaterialFlag(kind, item));
  const kept = current.filter((r) => !rm.includes(r.source) && !added.some((a) => a.target === r.target));
  return checkSet(kind, [...kept, ...added]);
}

function checkSet(kind: MaterialKind, refs: MaterialRef[], flag = `--${kind}-add`): MaterialRef[] {
  const checked = materialRefs.safeParse(refs);
  if (!checked.success) throw new UsageError(`${flag}: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return refs;
}
