/**
 * `kelvin stack deploy` and the file's `secrets:`/`configs:`: reads each value (`file` relative to
 * the stack file, as docker does, or `environment` from the deploying shell), names it
 * `<stack>_<key>` (or its `name:`; externals keep theirs), and points the services' references at
 * those names. The manager creates the missing ones in the deploy's transaction.
 */
import { dirname, resolve } from 'node:path';
import { MAX_MATERIAL_BYTES, materialNameProblem, STACK_NAMESPACE_LABEL, type MaterialKind } from '../../shared/secrets/refs.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import type { StackMaterial } from '../../shared/stack/index.js';
import { CliError } from '../errors.js';
import { readMaterialData } from './material-data.js';

export interface StackMaterialBody {
  name: string;
  /** base64 */
  data: string;
  labels: Record<string, string>;
}

export interface ResolvedMaterials {
  bodies: StackMaterialBody[];
  /** Compose key -> stored name. */
  names: Map<string, string>;
}

export function resolveStackMaterials(stack: string, stackFile: string, kind: MaterialKind, defs: StackMaterial[], env: NodeJS.ProcessEnv): ResolvedMaterials {
  const out: ResolvedMaterials = { bodies: [], names: new Map() };
  for (const m of defs) {
    const where = `${stackFile}: ${kind}s.${m.key}`;
    const name = m.name ?? (m.external ? m.key : `${stack}_${m.key}`);
    const problem = materialNameProblem(kind, name);
    if (problem) throw new CliError(`${where}: ${problem}`);
    out.names.set(m.key, name);
    if (m.external) continue;
    let data: Buffer;
    if (m.file !== null) {
      try {
        data = readMaterialData(resolve(dirname(stackFile), m.file));
      } catch (err) {
        throw new CliError(`${where}: ${(err as Error).message}`);
      }
    } else {
      const value = env[m.environment ?? ''];
      if (value === undefined) throw new CliError(`${where}: environment variable ${m.environment} is not set`);
      data = Buffer.from(value);
      if (data.byteLength === 0 || data.byteLength > MAX_MATERIAL_BYTES) throw new CliError(`${where}: environment variable ${m.environment} must hold 1 byte to ${MAX_MATERIAL_BYTES / 1024} KiB`);
    }
    out.bodies.push({ name, data: data.toString('base64'), labels: { ...m.labels, [STACK_NAMESPACE_LABEL]: stack } });
  }
  return out;
}

/** The services with their references renamed from Compose keys to stored names. */
export function renameMaterialRefs(services: ServiceSpec[], secrets: Map<string, string>, configs: Map<string, string>): ServiceSpec[] {
  return services.map((s) => ({
    ...s,
    secrets: s.secrets.map((r) => ({ ...r, source: secrets.get(r.source) ?? r.source })),
    configs: s.configs.map((r) => ({ ...r, source: configs.get(r.source) ?? r.source })),
  }));
}
