/**
 * `kelvin service create` flags for devices, mounts and container options, with Docker's names
 * (`--device`, `--mount`, `--cap-add`, `--user`, ...). Registered and applied here so the create
 * command only calls in; `service update` takes the same options through
 * `addContainerUpdateOptions` / `applyContainerUpdateFlags` (the Swarm `-add`/`-rm` pairs).
 */
import type { Command } from 'commander';
import { parseMountArg, parseUlimitArg } from '../../shared/container-args.js';
import { containerOptions, parseDeviceArg, type ContainerOptions, type DeviceMapping, type MountSpec } from '../../shared/container-options.js';
import type { ServiceSpec } from '../../shared/service-spec.js';
import { firstIssue } from '../../shared/zod-issue.js';
import { UsageError } from '../errors.js';
import { collect, keyValues } from './args.js';

/** Commander fills the lists (default []); callers building flags by hand may leave them out. */
export interface ContainerFlags {
  device?: string[];
  mount?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  user?: string;
  hostname?: string;
  sysctl?: string[];
  ulimit?: string[];
  init?: boolean;
  readOnly?: boolean;
  stopSignal?: string;
  host?: string[];
  dns?: string[];
  containerLabel?: string[];
}

export function addContainerOptions(cmd: Command): Command {
  return cmd
    .option('--device <host[:container[:rwm]]>', 'map a host device into the task, placed only on nodes that have it; repeatable', collect, [])
    .option('--mount <spec>', 'type=volume|bind|tmpfs,source=,target=,readonly[,volume-driver=,volume-opt=k=v,tmpfs-size=]; repeatable', collect, [])
    .option('--cap-add <cap>', 'add a Linux capability (e.g. NET_ADMIN); repeatable', collect, [])
    .option('--cap-drop <cap>', 'drop a Linux capability; repeatable', collect, [])
    .option('--privileged', 'run the container privileged (Kelvin extension; Swarm has none)')
    .option('--user <user[:group]>', 'user the task runs as')
    .option('--hostname <name>', 'container hostname')
    .option('--sysctl <k=v>', 'namespaced kernel parameter; repeatable', collect, [])
    .option('--ulimit <name=soft[:hard]>', 'ulimit, e.g. nofile=1024:2048; repeatable', collect, [])
    .option('--init', 'run an init inside the container that forwards signals and reaps processes')
    .option('--read-only', "mount the container's root filesystem read-only")
    .option('--stop-signal <signal>', 'signal that stops the container (default SIGTERM)')
    .option('--host <host:ip>', 'extra /etc/hosts entry; repeatable', collect, [])
    .option('--dns <ip>', 'DNS server; repeatable', collect, [])
    .option('--container-label <k=v>', 'label on the container only; repeatable', collect, []);
}

/** Fills the spec's devices, mounts and container options from the flags; a bad value names its flag. */
export function applyContainerFlags(spec: ServiceSpec, flags: ContainerFlags): void {
  spec.devices = (flags.device ?? []).map((d) => each('--device', d, parseDeviceArg));
  spec.mounts = (flags.mount ?? []).map((m) => each('--mount', m, parseMountArg));
  const o = spec.container;
  o.capAdd = flags.capAdd ?? [];
  o.capDrop = flags.capDrop ?? [];
  o.privileged = flags.privileged === true;
  if (flags.user !== undefined) o.user = flags.user;
  if (flags.hostname !== undefined) o.hostname = flags.hostname;
  o.sysctls = keyValues('--sysctl', flags.sysctl ?? []);
  o.ulimits = (flags.ulimit ?? []).map((u) => each('--ulimit', u, parseUlimitArg));
  if (flags.init) o.init = true;
  o.readOnly = flags.readOnly === true;
  if (flags.stopSignal !== undefined) o.stopSignal = flags.stopSignal;
  o.extraHosts = (flags.host ?? []).map(hostEntry);
  o.dns = flags.dns ?? [];
  o.labels = keyValues('--container-label', flags.containerLabel ?? [], false);
  checkOptions(o);
}

/** `service update` flags: Swarm's `-add`/`-rm` pairs for lists, plain flags for single values. */
export interface ContainerUpdateFlags {
  deviceAdd?: string[];
  deviceRm?: string[];
  mountAdd?: string[];
  /** Target paths. */
  mountRm?: string[];
  capAdd?: string[];
  capDrop?: string[];
  user?: string;
  hostname?: string;
  stopSignal?: string;
  init?: boolean;
  readOnly?: boolean;
}

export function addContainerUpdateOptions(cmd: Command): Command {
  return cmd
    .option('--device-add <host[:container[:rwm]]>', 'add a device; repeatable', collect, [])
    .option('--device-rm <host>', 'remove a device by its host path; repeatable', collect, [])
    .option('--mount-add <spec>', 'add or replace a mount (by target); repeatable', collect, [])
    .option('--mount-rm <target>', 'remove a mount by its target; repeatable', collect, [])
    .option('--cap-add <cap>', 'add a Linux capability; repeatable', collect, [])
    .option('--cap-drop <cap>', 'drop a Linux capability; repeatable', collect, [])
    .option('--user <user[:group]>', 'user the task runs as')
    .option('--hostname <name>', 'container hostname')
    .option('--stop-signal <signal>', 'signal that stops the container')
    .option('--init', 'run an init inside the container')
    .option('--read-only', "mount the container's root filesystem read-only");
}

/** The spec with the update flags applied (the input is not changed). */
export function applyContainerUpdateFlags(spec: ServiceSpec, flags: ContainerUpdateFlags): ServiceSpec {
  const removeDevices = new Set(flags.deviceRm ?? []);
  const addDevices = (flags.deviceAdd ?? []).map((d) => each('--device-add', d, parseDeviceArg));
  const devices: DeviceMapping[] = [...spec.devices.filter((d) => !removeDevices.has(d.host) && !addDevices.some((a) => a.host === d.host)), ...addDevices];
  const removeMounts = new Set(flags.mountRm ?? []);
  const addMounts = (flags.mountAdd ?? []).map((m) => each('--mount-add', m, parseMountArg));
  const mounts: MountSpec[] = [...spec.mounts.filter((m) => !removeMounts.has(m.target) && !addMounts.some((a) => a.target === m.target)), ...addMounts];
  const o = structuredClone(spec.container);
  const capAdd = flags.capAdd ?? [];
  const capDrop = flags.capDrop ?? [];
  // As in `docker service update`: adding a capability undoes a drop of it, and the other way round.
  o.capAdd = [...new Set([...o.capAdd.filter((c) => !capDrop.includes(c)), ...capAdd])];
  o.capDrop = [...new Set([...o.capDrop.filter((c) => !capAdd.includes(c)), ...capDrop])];
  if (flags.user !== undefined) o.user = flags.user;
  if (flags.hostname !== undefined) o.hostname = flags.hostname;
  if (flags.stopSignal !== undefined) o.stopSignal = flags.stopSignal;
  if (flags.init) o.init = true;
  if (flags.readOnly) o.readOnly = true;
  checkOptions(o);
  return { ...spec, devices, mounts, container: o };
}

function each<T>(flag: string, text: string, parse: (text: string) => T): T {
  try {
    return parse(text);
  } catch (err) {
    throw new UsageError(`${flag}: ${(err as Error).message}`);
  }
}

/** `host:ip`, Docker's `--host` (IPv6 addresses keep their colons: the first colon splits). */
function hostEntry(text: string): string {
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new UsageError(`--host: '${text}' is not HOST:IP (e.g. printer.local:192.168.1.20)`);
  return text;
}

const OPTION_FLAGS: Record<string, string> = {
  capAdd: '--cap-add',
  capDrop: '--cap-drop',
  user: '--user',
  hostname: '--hostname',
  sysctls: '--sysctl',
  ulimits: '--ulimit',
  stopSignal: '--stop-signal',
  extraHosts: '--host',
  dns: '--dns',
  labels: '--container-label',
};

function checkOptions(o: ContainerOptions): void {
  const parsed = containerOptions.safeParse(o);
  if (parsed.success) return;
  const { path, message } = firstIssue(parsed.error);
  const flag = OPTION_FLAGS[String(path[0])] ?? String(path[0]);
  const value = path.length > 1 ? ` '${String((o[path[0] as keyof ContainerOptions] as unknown as Record<string, unknown>)[String(path[1])])}'` : '';
  throw new UsageError(`${flag}${value}: ${message}`);
}
