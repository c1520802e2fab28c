/** One entry under `services:` turned into a ServiceSpec (over Swarm's defaults). */
import { SERVICE_NAME, defaultServiceSpec, serviceSpec, type ServiceSpec } from '../service-spec.js';
import { IGNORED_SERVICE_KEYS } from './compose-keys.js';
import { readDeploy } from './deploy.js';
import type { Field } from './field.js';
import { readHealthcheck } from './healthcheck.js';
import { readArgv, readBoolean, readChoice, readDurationMs, readKeyValues, readString } from './read.js';
import { readExpose, readPorts } from './ports.js';
import { readServiceNetworks } from './networks.js';
import { hasDeployRestartPolicy, readServiceRestart } from './restart.js';
import { readServiceMaterialRefs, type DefinedMaterials } from './materials.js';
import { readSection } from './section.js';
import { containerHandlers, finishContainerKeys, type ContainerKeys } from './container.js';
import type { StackFiles } from './files.js';

/** Where the fields that the driver rules look at were written, to point errors at them. */
interface Written {
  image?: Field;
  command?: Field;
  entrypoint?: Field;
  containerLabels?: Field;
  restart?: Field;
}

/** `files`: the stack file's folder and a reader, for env_file and relative bind sources. */
export function readService(name: string, field: Field, defined: DefinedMaterials | null = null, files?: StackFiles): ServiceSpec {
  if (!SERVICE_NAME.test(name)) {
    field.error(`invalid service name '${name}': letters, digits, _ . - (max 63), starting with a letter or digit`);
  }
  const spec = defaultServiceSpec(name);
  const written: Written = {};
  let containerLabels: Record<string, string> = {};
  let serviceLabels: Record<string, string> = {};
  const containerKeys: ContainerKeys = { envFileVars: {} };
  readSection(
    field,
    {
      image: (f) => {
        written.image = f;
        const image = readString(f);
        if (image === '') f.error('image is empty');
        spec.image = image || null;
      },
      command: (f) => {
        written.command = f;
        spec.command = f.isNull() ? null : (readArgv(f) ?? null);
      },
      entrypoint: (f) => {
        written.entrypoint = f;
        spec.entrypoint = f.isNull() ? null : (readArgv(f) ?? null);
      },
      environment: (f) => (spec.env = readKeyValues(f, 'from-env') ?? {}),
      labels: (f) => {
        written.containerLabels = f;
        containerLabels = readKeyValues(f, 'empty') ?? {};
      },
      working_dir: (f) => (spec.workdir = readString(f) ?? null),
      stop_grace_period: (f) => (spec.stopGracePeriodMs = readDurationMs(f) ?? spec.stopGracePeriodMs),
      ports: (f) => (spec.ports = readPorts(f)),
      expose: (f) => (spec.expose = readExpose(f)),
      networks: (f) => (spec.networks = readServiceNetworks(f)),
      deploy: (f) => (serviceLabels = readDeploy(f, spec)),
      healthcheck: (f) => (spec.healthcheck = readHealthcheck(f) ?? spec.healthcheck),
      restart: (f) => (written.restart = f),
      'x-kelvin': (f) => readKelvinExtension(f, spec),
      secrets: (f) => (spec.secrets = readServiceMaterialRefs(f, 'secret', defined?.secret ?? null)),
      configs: (f) => (spec.configs = readServiceMaterialRefs(f, 'config', defined?.config ?? null)),
      ...containerHandlers(spec, containerKeys, files),
    },
    IGNORED_SERVICE_KEYS,
  );
  if (written.restart && !hasDeployRestartPolicy(field)) spec.restartPolicy = readServiceRestart(written.restart, spec.restartPolicy) ?? spec.restartPolicy;
  spec.labels = mergeLabels(containerLabels, serviceLabels, written.containerLabels);
  finishContainerKeys(field, spec, containerKeys);
  if (field.isMap()) checkDriverFields(field, spec, written);
  checkLimits(field, spec);
  return spec;
}

/** Where each spec field is written in a service of the stack file. */
const STACK_KEYS: Record<string, string[]> = {
  env: ['environment'],
  labels: ['labels'],
  workdir: ['working_dir'],
  replicas: ['deploy', 'replicas'],
  placement: ['deploy', 'placement'],
  mounts: ['volumes'],
};

/** Where each container option is written (`container.capAdd` -> `cap_add`). */
const CONTAINER_KEYS: Record<string, string> = {
  capAdd: 'cap_add',
  capDrop: 'cap_drop',
  user: 'user',
  hostname: 'hostname',
  sysctls: 'sysctls',
  ulimits: 'ulimits',
  stopSignal: 'stop_signal',
  extraHosts: 'extra_hosts',
  dns: 'dns',
};

/**
 * The bounds of shared/limits.ts (the spec's schema) on the field they came from, as the readers
 * report: `services.web.environment: 2097160 bytes in all, over the limit of 65536 (line 4)`.
 */
function checkLimits(field: Field, spec: ServiceSpec): void {
  const parsed = serviceSpec.safeParse(spec);
  if (parsed.success) return;
  for (const { path, message } of parsed.error.issues) {
    if (path[0] === 'name') continue; // reported above with the name as written
    const [first = '', ...rest] = path.map(String);
    const containerKey = first === 'container' ? CONTAINER_KEYS[rest[0] ?? ''] : undefined;
    const unmatched = containerKey !== undefined ? [containerKey, ...rest.slice(1)] : [...(STACK_KEYS[first] ?? [first]), ...rest];
    let at = field;
    for (let next = child(at, unmatched[0]); next !== undefined; next = child(at, unmatched[0])) {
      at = next;
      unmatched.shift();
    }
    at.error(unmatched.length > 0 ? `${unmatched.join('.')}: ${message}` : message);
  }
}

/** The entry `key` of a mapping, or item `key` of a list. */
function child(field: Field, key: string | undefined): Field | undefined {
  if (key === undefined) return undefined;
  if (/^\d+$/.test(key) && field.isSeq()) return field.items()[Number(key)];
  return field.isMap() ? field.entries().find(([k]) => k === key)?.[1] : undefined;
}

/** `x-kelvin: { driver: docker|process, thermal: { movable: bool }, privileged: bool }` */
function readKelvinExtension(field: Field, spec: ServiceSpec): void {
  readSection(field, {
    driver: (f) => (spec.driver = readChoice(f, 'driver', ['docker', 'process'] as const) ?? spec.driver),
    thermal: (f) =>
      readSection(f, { movable: (m) => (spec.thermal.movable = readBoolean(m) ?? spec.thermal.movable) }),
    privileged: (f) => (spec.container.privileged = readBoolean(f) ?? false),
  });
}

/** A docker service runs an image; a process service runs its `command` as argv on the host. */
function checkDriverFields(field: Field, spec: ServiceSpec, written: Written): void {
  if (spec.driver === 'docker') {
    if (!written.image) field.error('image is required (or set x-kelvin.driver: process to run a command on the host)');
    return;
  }
  if (written.image) written.image.error('a process service runs its command on the host and takes no image');
  if (written.entrypoint) written.entrypoint.error('a process service takes its program from command, not entrypoint');
  if (!written.command || written.command.isNull() || spec.command?.length === 0) {
    (written.command ?? field).error('a process service needs a command (the program and its arguments)');
  }
}

/**
 * Swarm keeps container labels (`labels`) and service labels (`deploy.labels`) apart; a Kelvin
 * service has one label set, carried by both the service and its tasks. Service labels win on a
 * clash, which is warned about so nobody wonders where a value went.
 */
function mergeLabels(container: Record<string, string>, service: Record<string, string>, at: Field | undefined): Record<string, string> {
  for (const [key, value] of Object.entries(service)) {
    if (at && Object.hasOwn(container, key) && container[key] !== value) {
      at.warn(`label '${key}' is also set in deploy.labels, which wins ('${value}')`);
    }
  }
  return { ...container, ...service };
}
