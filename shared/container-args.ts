/**
 * Docker's text forms for mounts and ulimits (`--mount type=volume,source=data,target=/data`,
 * `--ulimit nofile=1024:2048`), shared by the CLI flags and the stack file's short syntax. Each
 * throws an Error whose message names what is wrong; callers prefix the flag or field.
 */
import { parseBytes } from './units.js';
import { mountSpec, ulimit, type MountSpec, type Ulimit } from './container-options.js';

const MOUNT_KEYS = new Map<string, string>([
  ['type', 'type'],
  ['source', 'source'],
  ['src', 'source'],
  ['target', 'target'],
  ['destination', 'target'],
  ['dst', 'target'],
  ['readonly', 'readonly'],
  ['ro', 'readonly'],
  ['volume-driver', 'volume-driver'],
  ['volume-opt', 'volume-opt'],
  ['tmpfs-size', 'tmpfs-size'],
]);

/** A mount with every optional field at its default. */
export function mountOf(fields: Pick<MountSpec, 'type' | 'target'> & Partial<MountSpec>): MountSpec {
  return { source: null, readOnly: false, volumeDriver: null, volumeOptions: {}, tmpfsSizeBytes: null, ...fields };
}

/** Validates with the spec's schema; the first problem becomes the message. */
export function checkedMount(candidate: MountSpec): MountSpec {
  const parsed = mountSpec.safeParse(candidate);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue?.path[0] === 'tmpfsSizeBytes' ? 'tmpfs-size' : issue?.path[0] === 'volumeDriver' ? 'volume-driver' : String(issue?.path[0] ?? 'mount');
  throw new Error(`${where}: ${issue?.message ?? 'invalid'}`);
}

/** `type=volume|bind|tmpfs,source=,target=,readonly[,volume-driver=,volume-opt=k=v,tmpfs-size=]` */
export function parseMountArg(text: string): MountSpec {
  const fields: Record<string, string> = {};
  const volumeOptions: Record<string, string> = {};
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const rawKey = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const key = MOUNT_KEYS.get(rawKey);
    if (key === undefined) throw new Error(`unknown key '${rawKey}' (expected type, source, target, readonly, volume-driver, volume-opt, tmpfs-size)`);
    const value = eq < 0 ? null : part.slice(eq + 1);
    if (key === 'readonly') {
      fields.readonly = value ?? 'true';
      continue;
    }
    if (value === null) throw new Error(`${rawKey} needs a value (${rawKey}=...)`);
    if (key === 'volume-opt') {
      const optEq = value.indexOf('=');
      if (optEq <= 0) throw new Error(`volume-opt '${value}' is not KEY=VALUE`);
      volumeOptions[value.slice(0, optEq)] = value.slice(optEq + 1);
      continue;
    }
    fields[key] = value;
  }
  const type = fields.type ?? 'volume';
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') throw new Error(`type '${type}' is not one of volume, bind, tmpfs`);
  if (!fields.target) throw new Error('target is required (target=/path/in/container)');
  return checkedMount(
    mountOf({
      type,
      target: fields.target,
      source: fields.source ? fields.source : null,
      readOnly: readBool('readonly', fields.readonly ?? 'false'),
      volumeDriver: fields['volume-driver'] ?? null,
      volumeOptions,
      tmpfsSizeBytes: fields['tmpfs-size'] === undefined ? null : size('tmpfs-size', fields['tmpfs-size']),
    }),
  );
}

function readBool(key: string, text: string): boolean {
  if (['true', '1', 'yes'].includes(text.toLowerCase())) return true;
  if (['false', '0', 'no'].includes(text.toLowerCase())) return false;
  throw new Error(`${key} '${text}' is not true or false`);
}

export function size(key: string, text: string): number {
  const n = parseBytes(text);
  if (n === null || n <= 0) throw new Error(`${key} '${text}' is not a size (e.g. 64M)`);
  return n;
}

/** `nofile=1024[:2048]`: soft and hard (hard = soft when only one is given). */
export function parseUlimitArg(text: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(text);
  if (!m?.[1] || m[2] === undefined) throw new Error(`'${text}' is not NAME=SOFT[:HARD] (e.g. nofile=1024:2048)`);
  const candidate = { name: m[1], soft: Number(m[2]), hard: Number(m[3] ?? m[2]) };
  const parsed = ulimit.safeParse(candidate);
  if (!parsed.success) throw new Error(`'${text}': ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  if (candidate.hard !== -1 && (candidate.soft === -1 || candidate.soft > candidate.hard)) throw new Error(`'${text}': the soft limit is above the hard limit`);
  return parsed.data;
}
