/**
 * What a task is given on its board beyond an image and a command: host devices, mounts (named
 * volumes, bind mounts, tmpfs) and the container options Docker's Engine API takes as they are
 * (capabilities, user, hostname, sysctls, ulimits, ...). One schema for the service spec, the wire
 * and both parsers (CLI flags, stack file), so all three refuse the same things.
 */
import { z } from 'zod';
import { boundedLabels, boundedList, boundedMap, boundedString } from './bounded.js';
import { MAX_STRING_CHARS } from './limits.js';

export const MAX_DEVICES = 32;
export const MAX_MOUNTS = 32;
export const MAX_DEVICE_PATH_CHARS = 128;
const MAX_LIST_ITEMS = 64;
const MAX_ITEM_CHARS = 256;

/** An absolute path of the host's /dev, without `..` (the agent looks it up under its host root). */
export const devicePath = boundedString(MAX_DEVICE_PATH_CHARS)
  .regex(/^\/dev\/[^\s:]+$/, 'must be a path under /dev (e.g. /dev/ttyUSB0)')
  .refine((p) => !p.split('/').includes('..'), { message: "must not contain '..'" });
const absolutePath = boundedString(MAX_STRING_CHARS).regex(/^\/[^:]*$/, 'must be an absolute path');

export const deviceMapping = z.object({
  /** Path on the board. */
  host: devicePath,
  /** Path in the container (the same by default). */
  container: absolutePath,
  /** cgroup access: any of r (read), w (write), m (mknod). */
  permissions: z.string().regex(/^(?!.*(.).*\1)[rwm]{1,3}$/, "must be letters of 'rwm' (e.g. rwm, r)"),
});
export type DeviceMapping = z.infer<typeof deviceMapping>;

export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export const mountSpec = z
  .object({
    type: z.enum(['volume', 'bind', 'tmpfs']),
    /** Volume name, host path (bind), or null (tmpfs, or an anonymous volume). */
    source: boundedString(MAX_STRING_CHARS).nullable(),
    target: absolutePath,
    readOnly: z.boolean(),
    /** Named volumes: the Docker volume driver (null = local) and its options (compose driver_opts). */
    volumeDriver: boundedString(MAX_ITEM_CHARS).nullable(),
    volumeOptions: boundedMap({ what: 'volume options', maxEntries: MAX_LIST_ITEMS, maxEntryBytes: 4096 }),
    /** tmpfs: size limit in bytes (null = the kernel's default, half the memory). */
    tmpfsSizeBytes: z.number().int().positive().nullable(),
  })
  .superRefine((m, ctx) => {
    const fail = (message: string, path: string): void => ctx.addIssue({ code: 'custom', message, path: [path] });
    if (m.type === 'bind' && (m.source === null || !m.source.startsWith('/'))) fail('a bind mount needs an absolute host path as source', 'source');
    if (m.type === 'volume' && m.source !== null && !VOLUME_NAME.test(m.source)) {
      fail(`'${m.source}' is not a volume name (letters, digits, _ . -, starting with a letter or digit)`, 'source');
    }
    if (m.type === 'tmpfs' && m.source !== null) fail('a tmpfs mount takes no source', 'source');
    if (m.type !== 'tmpfs' && m.tmpfsSizeBytes !== null) fail('tmpfs-size applies only to type=tmpfs', 'tmpfsSizeBytes');
    if (m.type !== 'volume' && (m.volumeDriver !== null || Object.keys(m.volumeOptions).length > 0)) {
      fail('volume-driver and volume-opt apply only to type=volume', 'volumeDriver');
    }
  });
export type MountSpec = z.infer<typeof mountSpec>;

export const ulimit = z.object({
  name: z.string().regex(/^[a-z]{1,32}$/, 'must be a resource name such as nofile or nproc'),
  soft: z.number().int().min(-1),
  hard: z.number().int().min(-1),
});
export type Ulimit = z.infer<typeof ulimit>;

const capability = z.string().regex(/^[A-Za-z_]{1,64}$/, 'must be a capability name such as NET_ADMIN or ALL');

/** Container options passed to the Engine API unchanged (working_dir is the spec's own `workdir`). */
export const containerOptions = z.object({
  capAdd: z.array(capability).max(MAX_LIST_ITEMS),
  capDrop: z.array(capability).max(MAX_LIST_ITEMS),
  /** Kelvin extension (Swarm has none): the service must say it explicitly. */
  privileged: z.boolean(),
  user: boundedString(MAX_ITEM_CHARS).nullable(),
  hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,62})$/, 'must be a hostname (letters, digits, . -)').nullable(),
  sysctls: boundedMap({ what: 'sysctls', maxEntries: MAX_LIST_ITEMS, maxEntryBytes: 1024 }),
  ulimits: z.array(ulimit).max(MAX_LIST_ITEMS),
  /** Run an init process as PID 1 (null = the engine's default). */
  init: z.boolean().nullable(),
  readOnly: z.boolean(),
  stopSignal: z.string().regex(/^(SIG)?[A-Z0-9+-]{1,16}$|^\d{1,2}$/, 'must be a signal name or number (e.g. SIGINT)').nullable(),
  /** `host:ip` entries for /etc/hosts. */
  extraHosts: boundedList('extra hosts', MAX_LIST_ITEMS, MAX_ITEM_CHARS),
  dns: boundedList('DNS servers', MAX_LIST_ITEMS, MAX_ITEM_CHARS),
  /** Labels on the container only (the service's own labels go on both). */
  labels: boundedLabels,
});
export type ContainerOptions = z.infer<typeof containerOptions>;

export const devicesField = z.array(deviceMapping).max(MAX_DEVICES, `over the limit of ${MAX_DEVICES} devices`);
export const mountsField = z.array(mountSpec).max(MAX_MOUNTS, `over the limit of ${MAX_MOUNTS} mounts`);

export function defaultContainerOptions(): ContainerOptions {
  return {
    capAdd: [],
    capDrop: [],
    privileged: false,
    user: null,
    hostname: null,
    sysctls: {},
    ulimits: [],
    init: null,
    readOnly: false,
    stopSignal: null,
    extraHosts: [],
    dns: [],
    labels: {},
  };
}

/** True when no option differs from the defaults (the task spec then carries none). */
export function isDefaultContainerOptions(options: ContainerOptions): boolean {
  const defaults = defaultContainerOptions();
  return (Object.keys(defaults) as Array<keyof ContainerOptions>).every((key) => JSON.stringify(options[key]) === JSON.stringify(defaults[key]));
}

/** `/dev/ttyUSB0[:/dev/ttyUSB0[:rwm]]`, Docker's `--device` syntax. Throws a message naming what is wrong. */
export function parseDeviceArg(text: string): DeviceMapping {
  const parts = text.split(':');
  if (parts.length > 3 || parts[0] === '') throw new Error(`'${text}' is not HOST[:CONTAINER[:PERMISSIONS]] (e.g. /dev/ttyUSB0 or /dev/video0:/dev/video0:r)`);
  const [host = '', second, third] = parts;
  // Docker reads `/dev/x:rw` as host and permissions when the second part is not a path.
  const secondIsPermissions = third === undefined && second !== undefined && !second.startsWith('/');
  const candidate = {
    host,
    container: secondIsPermissions || second === undefined || second === '' ? host : second,
    permissions: (secondIsPermissions ? second : third) ?? 'rwm',
  };
  const parsed = deviceMapping.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`'${text}': ${String(issue?.path[0] ?? 'device')} ${issue?.message ?? 'is invalid'}`);
  }
  return parsed.data;
}
