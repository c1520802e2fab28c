/**
 * The service keys that give a task what it needs on its board: `devices`, `volumes`, `tmpfs`,
 * `env_file` and the container options (`cap_add`, `user`, `sysctls`, `ulimits`, ...), read into
 * the spec's devices, mounts and container fields. `privileged: true` is a Kelvin extension Swarm
 * ignores, so a Swarm file that carries it (written for docker-compose) does not silently get a
 * privileged container: the service must also say `x-kelvin.privileged: true`.
 */
import { checkedMount, mountOf, parseUlimitArg, size } from '../container-args.js';
import { isDefaultContainerOptions, parseDeviceArg, type MountSpec } from '../container-options.js';
import type { ServiceSpec } from '../service-spec.js';
import type { Field } from './field.js';
import { parseEnvFile, stackPath, type StackFiles } from './files.js';
import { readBoolean, readKeyValues, readNonNegativeInt, readString, readStringList } from './read.js';
import { readSection, type Handlers } from './section.js';

/** What the container keys leave for the service reader to finish once every key is read. */
export interface ContainerKeys {
  /** `privileged: true` as written (needs x-kelvin.privileged). */
  privileged?: Field;
  /** Variables from env_file; `environment` wins over them. */
  envFileVars: Record<string, string>;
}

export function containerHandlers(spec: ServiceSpec, keys: ContainerKeys, files: StackFiles | undefined): Handlers {
  const o = spec.container;
  const list = (f: Field): string[] => (f.isSeq() ? (readStringList(f) ?? []) : [readString(f) ?? ''].filter((s) => s !== ''));
  return {
    devices: (f) => (spec.devices = items(f).flatMap((item) => parsedOr(item, readString(item), parseDeviceArg))),
    volumes: (f) => spec.mounts.push(...items(f).flatMap((item) => readVolume(item, files))),
    tmpfs: (f) => spec.mounts.push(...list(f).map((target) => mountOf({ type: 'tmpfs', target }))),
    env_file: (f) => Object.assign(keys.envFileVars, readEnvFiles(f, files)),
    cap_add: (f) => (o.capAdd = readStringList(f) ?? []),
    cap_drop: (f) => (o.capDrop = readStringList(f) ?? []),
    privileged: (f) => {
      if (readBoolean(f) === true) keys.privileged = f;
    },
    user: (f) => (o.user = readString(f) ?? null),
    hostname: (f) => (o.hostname = readString(f) ?? null),
    sysctls: (f) => (o.sysctls = readKeyValues(f, 'empty') ?? {}),
    ulimits: (f) => (o.ulimits = readUlimits(f)),
    init: (f) => (o.init = readBoolean(f) ?? null),
    read_only: (f) => (o.readOnly = readBoolean(f) ?? false),
    stop_signal: (f) => (o.stopSignal = readString(f) ?? null),
    extra_hosts: (f) => (o.extraHosts = readExtraHosts(f)),
    dns: (f) => (o.dns = list(f)),
  };
}

/**
 * After all keys: privileged only when x-kelvin says so too, env_file under environment, and a
 * warning for container options a process task cannot act on.
 */
export function finishContainerKeys(field: Field, spec: ServiceSpec, keys: ContainerKeys): void {
  if (spec.driver === 'process' && !isDefaultContainerOptions(spec.container)) {
    field.warn('container options (cap_add, user, hostname, sysctls, ulimits, init, read_only, stop_signal, extra_hosts, dns, privileged) are ignored: a process task runs on the host');
  }
  if (keys.privileged && !spec.container.privileged) {
    keys.privileged.error('a privileged container has full access to the board, and Swarm ignores this key: set x-kelvin.privileged: true as well to run it privileged');
  }
  spec.env = { ...keys.envFileVars, ...spec.env };
}

function items(f: Field): Field[] {
  if (f.isSeq()) return f.items();
  f.error('expected a list');
  return [];
}

function parsedOr<T>(at: Field, text: string | undefined, parse: (text: string) => T): T[] {
  if (text === undefined) return [];
  try {
    return [parse(text)];
  } catch (err) {
    at.error((err as Error).message);
    return [];
  }
}

/** Short syntax `[SOURCE:]TARGET[:MODE]` or the long syntax mapping. */
function readVolume(item: Field, files: StackFiles | undefined): MountSpec[] {
  if (item.isMap()) return readLongVolume(item, files);
  const text = readString(item);
  if (text === undefined) return [];
  const parts = text.split(':');
  if (parts.length > 3 || parts.some((p) => p === '')) {
    item.error(`'${text}' is not [SOURCE:]TARGET[:ro|rw]`);
    return [];
  }
  const [first = '', second, third] = parts;
  if (second === undefined) return parsedOr(item, first, (target) => checkedMount(mountOf({ type: 'volume', target })));
  const modes = (third ?? 'rw').split(',');
  const unknown = modes.filter((m) => !['ro', 'rw', 'z', 'Z', 'nocopy'].includes(m));
  if (unknown.length > 0) {
    item.error(`unknown volume mode '${unknown.join(',')}' (expected ro or rw)`);
    return [];
  }
  const source = sourceOf(item, first, files);
  if (source === null) return [];
  return parsedOr(item, text, () => checkedMount(mountOf({ ...source, target: second, readOnly: modes.includes('ro') })));
}

/** A source that is a path is a bind mount (relative to the stack file); anything else names a volume. */
function sourceOf(at: Field, text: string, files: StackFiles | undefined): Pick<MountSpec, 'type' | 'source'> | null {
  if (text.startsWith('~')) {
    at.error(`'${text}': a home-relative path is not resolved by Kelvin; write the absolute path`);
    return null;
  }
  if (text.startsWith('/')) return { type: 'bind', source: text };
  if (text.startsWith('.')) {
    if (!files) {
      at.error(`relative bind source '${text}' needs the stack file's folder`);
      return null;
    }
    return { type: 'bind', source: stackPath(files, text) };
  }
  return { type: 'volume', source: text };
}

function readLongVolume(f: Field, files: StackFiles | undefined): MountSpec[] {
  let type: MountSpec['type'] | undefined;
  let source: string | null = null;
  let target: string | undefined;
  let readOnly = false;
  let tmpfsSizeBytes: number | null = null;
  readSection(
    f,
    {
      type: (t) => {
        const text = readString(t);
        if (text === 'volume' || text === 'bind' || text === 'tmpfs') type = text;
        else if (text !== undefined) t.error(`type '${text}' is not one of volume, bind, tmpfs`);
      },
      source: (s) => (source = readString(s) ?? null),
      target: (t) => (target = readString(t)),
      read_only: (r) => (readOnly = readBoolean(r) ?? false),
      tmpfs: (t) =>
        readSection(t, { size: (s) => (tmpfsSizeBytes = parsedOr(s, readString(s), (text) => size('size', text))[0] ?? null) }, ['mode']),
    },
    ['volume', 'bind', 'consistency'],
  );
  if (target === undefined) {
    f.error("missing 'target'");
    return [];
  }
  if (type === undefined) {
    f.error("missing 'type' (volume, bind or tmpfs)");
    return [];
  }
  if (type === 'bind' && source !== null && (source as string).startsWith('.')) {
    if (!files) {
      f.error(`relative bind source '${source}' needs the stack file's folder`);
      return [];
    }
    source = stackPath(files, source);
  }
  const mount = mountOf({ type, source, target, readOnly, tmpfsSizeBytes });
  return parsedOr(f, target, () => checkedMount(mount));
}

function readEnvFiles(f: Field, files: StackFiles | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  const entries = f.isSeq() ? f.items() : [f];
  for (const entry of entries) {
    let path: string | undefined;
    let required = true;
    if (entry.isMap()) {
      readSection(entry, { path: (p) => (path = readString(p)), required: (r) => (required = readBoolean(r) ?? true) }, ['format']);
    } else path = readString(entry);
    if (path === undefined) continue;
    if (!files) {
      entry.error(`env file '${path}' cannot be read here (deploy it with kelvin stack deploy)`);
      continue;
    }
    let text: string;
    try {
      text = files.readFile(stackPath(files, path));
    } catch (err) {
      if (required) entry.error(`cannot read env file ${stackPath(files, path)}: ${(err as Error).message}`);
      continue;
    }
    const parsed = parseEnvFile(text, entry.env);
    if ('error' in parsed) entry.error(`env file ${stackPath(files, path)}: ${parsed.error}`);
    else Object.assign(vars, parsed.vars);
  }
  return vars;
}

/** `nofile: {soft: 1024, hard: 2048}` or `nproc: 65535`. */
function readUlimits(f: Field): ServiceSpec['container']['ulimits'] {
  if (!f.isMap()) {
    f.error('expected a mapping of ulimit names');
    return [];
  }
  return f.entries().flatMap(([name, value]) => {
    if (!value.isMap()) {
      const n = readNonNegativeInt(value);
      return n === undefined ? [] : parsedOr(value, `${name}=${n}`, parseUlimitArg);
    }
    let soft: number | undefined;
    let hard: number | undefined;
    readSection(value, { soft: (s) => (soft = readNonNegativeInt(s)), hard: (h) => (hard = readNonNegativeInt(h)) });
    if (soft === undefined || hard === undefined) {
      if (soft === undefined && hard === undefined) value.error("needs 'soft' and 'hard'");
      return [];
    }
    return parsedOr(value, `${name}=${soft}:${hard}`, parseUlimitArg);
  });
}

/** A list of `host:ip` (or Compose's `host=ip`) or a mapping host -> ip. */
function readExtraHosts(f: Field): string[] {
  if (f.isMap()) return f.entries().flatMap(([host, ip]) => (readString(ip) === undefined ? [] : [`${host}:${readString(ip) ?? ''}`]));
  const out: string[] = [];
  for (const item of items(f)) {
    const text = readString(item);
    if (text === undefined) continue;
    const entry = /^[^:=]+=/.test(text) ? text.replace('=', ':') : text;
    if (!/^[^:\s]+:\S+$/.test(entry)) item.error(`'${text}' is not HOST:IP`);
    else out.push(entry);
  }
  return out;
}

