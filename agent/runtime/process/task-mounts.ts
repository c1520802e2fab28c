/**
 * Devices and mounts for a process task, which runs on the host and so has no mount namespace:
 * - a device it needs must still be on the board (under the host root) when it starts;
 * - each bind mount and named volume is a directory it is told about in its environment,
 *   `KELVIN_MOUNT_<TARGET>` (the target path upper-cased, every other character `_`: target
 *   `/var/lib/data` gives `KELVIN_MOUNT_VAR_LIB_DATA`). A named volume is
 *   `<stateDir>/volumes/<name>`, kept across task restarts on the board like a Docker local volume;
 *   a bind mount is its source, which must exist.
 * tmpfs needs a mount namespace: a process task with one is refused.
 */
import { lstatSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TaskSpec } from '../../../shared/payloads/tasks.js';
import { RuntimeError } from '../types.js';

export function mountEnvName(target: string): string {
  const name = target.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '');
  return `KELVIN_MOUNT_${name || 'ROOT'}`;
}

/** Throws a permanent RuntimeError naming a missing device, a missing bind source or a tmpfs mount. */
export function prepareProcessMounts(spec: TaskSpec, stateDir: string, hostRoot: string, taskWorkDir: string): Record<string, string> {
  for (const device of spec.devices ?? []) {
    if (!exists(join(hostRoot, device.host))) {
      throw new RuntimeError(`task ${spec.id} needs device ${device.host}, which is not on this board (unplugged?)`, 'permanent');
    }
  }
  const env: Record<string, string> = {};
  (spec.mounts ?? []).forEach((mount, index) => {
    let dir: string;
    if (mount.type === 'tmpfs') throw new RuntimeError(`task ${spec.id}: a tmpfs mount (${mount.target}) needs the docker driver`, 'permanent');
    if (mount.type === 'bind') {
      dir = mount.source ?? '';
      if (!exists(dir)) throw new RuntimeError(`task ${spec.id}: bind source path does not exist: ${dir}`, 'permanent');
    } else {
      // The schema admits only plain names here, so a volume never names a path outside its folder.
      dir = mount.source === null ? join(taskWorkDir, 'volumes', String(index)) : join(stateDir, 'volumes', mount.source);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    }
    env[mountEnvName(mount.target)] = dir;
  });
  return env;
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
