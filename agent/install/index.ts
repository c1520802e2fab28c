/**
 * `kelvin agent install` / `uninstall`: write or remove the systemd unit and the token's env file
 * under `root` (`/` on a real board; a temp dir in tests, like a package's DESTDIR).
 */
import { chmodSync, lstatSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { RunOptions } from '../options.js';
import { ENV_FILE_PATH, UNIT_NAME, UNIT_PATH, renderEnvFile, renderUnit, type AgentProgram } from './systemd-unit.js';

export { AGENT_NODE_FLAGS, ENV_FILE_PATH, UNIT_NAME, UNIT_PATH, type AgentProgram } from './systemd-unit.js';

export interface InstalledFiles {
  unitFile: string;
  envFile: string;
}

function paths(root: string): InstalledFiles {
  return { unitFile: join(root, UNIT_PATH), envFile: join(root, ENV_FILE_PATH) };
}

export function installAgent(options: RunOptions, program: AgentProgram, root = '/'): InstalledFiles {
  const files = paths(root);
  mkdirSync(dirname(files.envFile), { recursive: true, mode: 0o700 });
  // Mode at creation, then again in case the file already existed with a looser one.
  writeFileSync(files.envFile, renderEnvFile(options.token), { mode: 0o600 });
  chmodSync(files.envFile, 0o600);
  mkdirSync(dirname(files.unitFile), { recursive: true });
  writeFileSync(files.unitFile, renderUnit(program, options), { mode: 0o644 });
  return files;
}

/** The link `systemctl enable` makes; it would dangle once the unit is gone. */
const ENABLED_LINK = `/etc/systemd/system/multi-user.target.wants/${UNIT_NAME}`;

function present(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Removes the unit, its enable link and the env file; returns the ones that were there. */
export function uninstallAgent(root = '/'): string[] {
  const files = paths(root);
  const removed = [files.unitFile, join(root, ENABLED_LINK), files.envFile].filter(present);
  for (const f of removed) rmSync(f);
  return removed;
}
