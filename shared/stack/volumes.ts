/**
 * Top-level `volumes:` of a stack file and the services' named volumes against them, as
 * `docker stack deploy` does: every named volume a service mounts must be declared; `driver` and
 * `driver_opts` go with each mount (the board's engine creates the volume with them); a volume is
 * `<stack>_<name>` on the board unless it is `external` or has its own `name`.
 */
import { VOLUME_NAME } from '../container-options.js';
import type { ServiceSpec } from '../service-spec.js';
import type { Field } from './field.js';
import { readBoolean, readKeyValues, readString } from './read.js';
import { readSection } from './section.js';

export interface StackVolume {
  external: boolean;
  /** The volume's own name on the board (`name:`), or null for `<stack>_<key>`. */
  name: string | null;
  driver: string | null;
  driverOpts: Record<string, string>;
}

export function readTopLevelVolumes(f: Field): Map<string, StackVolume> {
  const out = new Map<string, StackVolume>();
  if (f.isNull()) return out;
  if (!f.isMap()) {
    f.error('expected a mapping of volume names');
    return out;
  }
  for (const [key, entry] of f.entries()) {
    if (!VOLUME_NAME.test(key)) entry.error(`'${key}' is not a volume name (letters, digits, _ . -, starting with a letter or digit)`);
    const volume: StackVolume = { external: false, name: null, driver: null, driverOpts: {} };
    if (!entry.isNull()) {
      readSection(
        entry,
        {
          external: (e) => (volume.external = e.isMap() ? true : (readBoolean(e) ?? false)),
          name: (n) => (volume.name = readString(n) ?? null),
          driver: (d) => (volume.driver = readString(d) ?? null),
          driver_opts: (o) => (volume.driverOpts = readKeyValues(o, 'empty') ?? {}),
        },
        ['labels'],
      );
    }
    out.set(key, volume);
  }
  return out;
}

/**
 * Gives each named volume mount its board name and driver; an undeclared one is an error on the
 * service. `stack` null (a parse without a stack name) keeps the names as written.
 */
export function bindNamedVolumes(services: Array<{ spec: ServiceSpec; field: Field }>, volumes: Map<string, StackVolume>, stack: string | null): void {
  for (const { spec, field } of services) {
    for (const mount of spec.mounts) {
      if (mount.type !== 'volume' || mount.source === null) continue;
      const declared = volumes.get(mount.source);
      if (!declared) {
        field.error(`volume '${mount.source}' is not declared under the top-level volumes:`);
        continue;
      }
      mount.volumeDriver = declared.driver;
      mount.volumeOptions = { ...declared.driverOpts };
      if (declared.name !== null) mount.source = declared.name;
      else if (!declared.external && stack !== null) mount.source = `${stack}_${mount.source}`;
    }
    warnUnpinnedVolumes(spec, field);
  }
}

/** A named volume's data stays on its board: a replicated task that may land elsewhere starts empty. */
function warnUnpinnedVolumes(spec: ServiceSpec, field: Field): void {
  if (spec.mode !== 'replicated' || spec.placement.constraints.length > 0) return;
  const named = spec.mounts.filter((m) => m.type === 'volume' && m.source !== null).map((m) => m.source);
  if (named.length === 0) return;
  field.warn(
    `named volume ${named.map((n) => `'${n}'`).join(', ')} keeps its data on one board, and this replicated service has no placement constraint: a task placed elsewhere starts with an empty volume (pin it, e.g. deploy.placement.constraints: [node.hostname==...])`,
  );
}
