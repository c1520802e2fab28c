/**
 * Several Compose files merged into one, in order, as `docker stack deploy -c a.yml -c b.yml`
 * and the Compose spec's merge rules have it: mappings merge key by key, a later scalar replaces
 * an earlier one, sequences append; except `command`, `entrypoint` and `healthcheck.test`, which the
 * later file replaces; `environment` and `labels` (list or mapping form) merge as mappings; and
 * `ports`, `volumes`, `secrets` and `configs` merge by their unique key (a later entry with the same
 * key replaces the earlier one): ports by ip/published/target/protocol, the others by target.
 */

type Tree = unknown;

const isMap = (v: Tree): v is Record<string, Tree> => v !== null && typeof v === 'object' && !Array.isArray(v);

const REPLACED = new Set(['command', 'entrypoint']);
const KEYED = new Set(['environment', 'labels']);
const UNIQUE = new Set(['ports', 'volumes', 'secrets', 'configs']);

/** `KEY=VALUE` list items (or a mapping) as a mapping; a bare `KEY` maps to null, as Compose reads it. */
function asMapping(v: Tree): Tree {
  if (!Array.isArray(v)) return v;
  const out: Record<string, Tree> = {};
  for (const item of v) {
    const text = String(item);
    const eq = text.indexOf('=');
    if (eq < 0) out[text] = null;
    else out[text.slice(0, eq)] = text.slice(eq + 1);
  }
  return out;
}

/** Short `[ip:][published:]target[/protocol]` or the long form, as one comparable key. */
function portKey(p: Tree): string {
  if (isMap(p)) return [p.host_ip ?? '', p.published ?? '', p.target ?? '', p.protocol ?? 'tcp'].join('|');
  const [spec = '', protocol = 'tcp'] = String(p).split('/');
  const parts = spec.split(':');
  const target = parts.pop() ?? '';
  const published = parts.pop() ?? '';
  return [parts.join(':'), published, target, protocol].join('|');
}

/** Volumes, secrets and configs are unique by where they land in the container. */
function targetKey(attribute: string, v: Tree): string {
  if (isMap(v)) return String(v.target ?? v.source ?? '');
  const text = String(v);
  if (attribute !== 'volumes') return text;
  const parts = text.split(':');
  return parts.length === 1 ? (parts[0] ?? '') : (parts[1] ?? '');
}

function mergeUnique(attribute: string, base: Tree[], override: Tree[]): Tree[] {
  const key = (v: Tree): string => (attribute === 'ports' ? portKey(v) : targetKey(attribute, v));
  const replaced = new Set(override.map(key));
  return [...base.filter((v) => !replaced.has(key(v))), ...override];
}

/** `path` is where `base` and `override` sit in the file: ['services', 'web', 'ports']. */
export function mergeTrees(base: Tree, override: Tree, path: readonly string[] = []): Tree {
  if (override === undefined) return base;
  if (base === undefined) return override;
  const attribute = path[path.length - 1] ?? '';
  const inService = path[0] === 'services' && path.length === 3;
  if (inService && REPLACED.has(attribute)) return override;
  if (path[0] === 'services' && path.length === 4 && path[2] === 'healthcheck' && attribute === 'test') return override;
  if (path[0] === 'services' && KEYED.has(attribute) && (path.length === 3 || (path.length === 4 && path[2] === 'deploy'))) {
    return mergeTrees(asMapping(base), asMapping(override), [...path, '']);
  }
  if (inService && UNIQUE.has(attribute) && Array.isArray(base) && Array.isArray(override)) return mergeUnique(attribute, base, override);
  if (Array.isArray(base) && Array.isArray(override)) return [...base, ...override];
  if (isMap(base) && isMap(override)) {
    const out: Record<string, Tree> = { ...base };
    for (const [k, v] of Object.entries(override)) out[k] = mergeTrees(base[k], v, [...path, k]);
    return out;
  }
  return override;
}
