/**
 * Compose `secrets:` and `configs:`: the top-level definitions (`file`, `environment`, or
 * `external`, with an optional `name`) and each service's references, short (`- db_pass`) and long
 * (`source`, `target`, `uid`, `gid`, `mode`). Pure: the CLI reads the files and the environment
 * (cli/commands/stack-materials.ts). Service references keep the Compose key as their source until
 * the CLI maps it to the stored name (`<stack>_<key>`, or the external name).
 */
import { defaultTarget, materialNameProblem, targetProblem, type MaterialKind, type MaterialRef } from '../secrets/refs.js';
import type { Field } from './field.js';
import { readBoolean, readKeyValues, readString } from './read.js';
import { readSection } from './section.js';

export interface StackMaterial {
  /** The key under the top-level `secrets:`/`configs:`. */
  key: string;
  /** `external: true`: it must exist already, under `name` (default: the key). */
  external: boolean;
  /** The stored name when given with `name:`; otherwise the CLI makes `<stack>_<key>`. */
  name: string | null;
  /** Path as written, relative to the stack file. */
  file: string | null;
  /** Variable of the deploying shell that holds the value. */
  environment: string | null;
  labels: Record<string, string>;
}

/** The Compose keys defined at the top level, per kind: what service references may name. */
export type DefinedMaterials = Record<MaterialKind, ReadonlySet<string>>;

export function readTopLevelMaterials(field: Field, kind: MaterialKind): StackMaterial[] {
  if (field.isNull()) return [];
  if (!field.isMap()) {
    field.error(`expected a mapping of ${kind} names to their definitions`);
    return [];
  }
  return field.entries().flatMap(([key, f]) => {
    const m: StackMaterial = { key, external: false, name: null, file: null, environment: null, labels: {} };
    readSection(
      f,
      {
        file: (x) => (m.file = readString(x) ?? null),
        environment: (x) => (m.environment = readString(x) ?? null),
        external: (x) => (m.external = readBoolean(x) ?? false),
        name: (x) => (m.name = readString(x) ?? null),
        labels: (x) => (m.labels = readKeyValues(x, 'empty') ?? {}),
      },
      ['driver', 'driver_opts', 'template_driver'],
    );
    const problem = materialNameProblem(kind, m.name ?? key);
    if (problem) f.error(problem);
    const sources = [m.file !== null, m.environment !== null, m.external].filter(Boolean).length;
    if (f.isMap() && sources !== 1) f.error(`give exactly one of file, environment or external: true (found ${sources})`);
    return problem || sources !== 1 ? [] : [m];
  });
}

/** A service's `secrets:`/`configs:` list; sources are Compose keys, checked against `defined`. */
export function readServiceMaterialRefs(field: Field, kind: MaterialKind, defined: ReadonlySet<string> | null): MaterialRef[] {
  if (!field.isSeq()) {
    field.error(`expected a list of ${kind} names or mappings with source`);
    return [];
  }
  const refs: MaterialRef[] = [];
  for (const item of field.items()) {
    const ref: MaterialRef = { source: '', target: '', uid: null, gid: null, mode: null };
    if (item.isMap()) {
      readSection(item, {
        source: (x) => (ref.source = readString(x) ?? ''),
        target: (x) => (ref.target = readString(x) ?? ''),
        uid: (x) => (ref.uid = readId(x)),
        gid: (x) => (ref.gid = readId(x)),
        mode: (x) => (ref.mode = readMode(x)),
      });
      if (ref.source === '') {
        item.error('source is required');
        continue;
      }
    } else ref.source = readString(item) ?? '';
    if (ref.source === '') continue;
    if (defined !== null && !defined.has(ref.source)) {
      item.error(`undefined ${kind} '${ref.source}': define it under the top-level ${kind}s:`);
      continue;
    }
    if (ref.target === '') ref.target = defaultTarget(kind, ref.source);
    const problem = targetProblem(ref.target);
    if (problem) item.error(problem);
    else refs.push(ref);
  }
  // Two targets with one file name are reported by the spec check (service.ts checkLimits) on the item.
  return refs;
}

/** Compose writes ids as strings (`uid: '103'`); numbers are taken too. */
function readId(field: Field): number | null {
  const text = readString(field);
  if (text === undefined) return null;
  if (/^\d{1,10}$/.test(text) && Number(text) <= 0x7fffffff) return Number(text);
  field.error(`expected a user or group id (a whole number), got '${text}'`);
  return null;
}

/**
 * `mode: 0440` is octal to Compose (YAML 1.1), while YAML 1.2 would read 440: a leading 0 is taken
 * as octal, as docker does; `0o440` and a plain decimal (288) are taken as they are.
 */
function readMode(field: Field): number | null {
  const scalar = field.scalar();
  const source = scalar?.source ?? (scalar ? String(scalar.value) : '');
  let mode: number | null = null;
  if (/^0[0-7]{1,4}$/.test(source)) mode = parseInt(source, 8);
  else if (typeof scalar?.value === 'number' && Number.isInteger(scalar.value)) mode = scalar.value;
  if (mode === null || mode < 0 || mode > 0o777) {
    field.error(`expected a file mode such as 0440, got '${source}'`);
    return null;
  }
  return mode;
}
