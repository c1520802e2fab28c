/**
 * `kelvin stack deploy -c stack.yml`: a Compose v3 file to ServiceSpecs. Every problem in the file
 * is collected (one line each, `<path>: <problem> (line <n>)`) rather than stopping at the first,
 * so a user fixes them all in one round. Keys Kelvin does not act on come back as warnings.
 */
import { LineCounter, parseDocument, type YAMLError } from 'yaml';
import type { ServiceSpec } from '../service-spec.js';
import { IGNORED_TOP_LEVEL_KEYS } from './compose-keys.js';
import { Field, type FileContext } from './field.js';
import type { Environment } from './interpolate.js';
import { readTopLevelMaterials, type DefinedMaterials, type StackMaterial } from './materials.js';
import { readService } from './service.js';
import { readComposeVersion } from './version.js';
import { readSection } from './section.js';
import type { StackFiles } from './files.js';
import { bindNamedVolumes, readTopLevelVolumes, type StackVolume } from './volumes.js';
import { checkServiceNetworks, readTopLevelNetworks } from './networks.js';
import { DEFAULT_NETWORK } from '../service-spec.js';

export interface StackParseResult {
  ok: true;
  services: ServiceSpec[];
  /** Top-level `secrets:` and `configs:`; service references name them by key. */
  secrets: StackMaterial[];
  configs: StackMaterial[];
  warnings: string[];
}

export type { StackMaterial };

export interface StackParseFailure {
  ok: false;
  errors: string[];
}

export interface StackParseOptions {
  /** Shown in messages about the file as a whole (syntax errors, no services). */
  file: string;
  /** Variables for `${VAR}` interpolation, normally the deploying shell's `process.env`. */
  env: Environment;
  /** The stack file's folder and a reader (env_file, relative bind sources); absent: such references are errors. */
  files?: StackFiles;
  /** The stack's name: its named volumes are `<stack>_<name>` on the boards. Absent: names as written. */
  stack?: string;
}

export function parseStackFile(text: string, options: StackParseOptions): StackParseResult | StackParseFailure {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (e: YAMLError): string => `${options.file}: ${e.message} (line ${lineCounter.linePos(e.pos[0]).line})`;
  if (doc.errors.length > 0) return { ok: false, errors: doc.errors.map(at) };

  const ctx: FileContext = { doc, lineCounter, env: options.env, diagnostics: { errors: [], warnings: doc.warnings.map(at) } };
  const { errors, warnings } = ctx.diagnostics;
  const root = Field.root(ctx, doc.contents);
  // Read before the services (wherever they are in the file), so references can be checked.
  const topLevel = (key: string): Field | undefined => (root.isMap() ? root.entries().find(([k]) => k === key)?.[1] : undefined);
  const secretsField = topLevel('secrets');
  const configsField = topLevel('configs');
  const secrets = secretsField ? readTopLevelMaterials(secretsField, 'secret') : [];
  const configs = configsField ? readTopLevelMaterials(configsField, 'config') : [];
  const defined: DefinedMaterials = { secret: new Set(secrets.map((m) => m.key)), config: new Set(configs.map((m) => m.key)) };
  const read: Array<{ spec: ServiceSpec; field: Field }> = [];
  let volumes = new Map<string, StackVolume>();
  let networks = new Set<string>([DEFAULT_NETWORK]);
  if (root.isMap()) {
    readSection(
      root,
      {
        version: readComposeVersion,
        services: (f) => {
          if (!f.isNull() && !f.isMap()) f.error('expected a mapping of service names to services');
          else if (f.entries().length === 0) f.error('no services defined');
          else read.push(...f.entries().map(([name, sf]) => ({ spec: readService(name, sf, defined, options.files), field: sf })));
        },
        secrets: () => undefined, // read above
        configs: () => undefined,
        volumes: (f) => (volumes = readTopLevelVolumes(f)),
        networks: (f) => (networks = readTopLevelNetworks(f)),
      },
      IGNORED_TOP_LEVEL_KEYS,
    );
  } else if (!root.isNull()) {
    errors.push(`${options.file}: expected a mapping with a services: section at the top level`);
  }
  bindNamedVolumes(read, volumes, options.stack ?? null);
  checkServiceNetworks(read.map((r) => ({ networks: r.spec.networks, field: r.field })), networks);
  const services = read.map((r) => r.spec);
  if (services.length === 0 && errors.length === 0) errors.push(`${options.file}: no services defined`);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, services, secrets, configs, warnings };
}
