/**
 * A writable copy of a fixture board whose readings a test changes while an agent watches it:
 * heat it, cool it, flag under-voltage, give it a new boot id (a reboot). Files are replaced
 * by rename, so the agent never reads a half-written value.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyBoard } from '../agent/sensors/fixture-boards.js';

export interface WritableBoard {
  root: string;
  /** Every CPU/board temperature sensor (thermal zones and hwmon inputs) reads `celsius`. */
  setTempC(celsius: number): void;
  /**
   * Under-voltage on or off in every source the board has: the Pi throttle word (`50005`: under-voltage
   * now and since boot, else `0`) and the `rpi_volt` alarm (`in0_lcrit_alarm`).
   */
  setUnderVoltage(on: boolean): void;
  /** Every ambient sensor fitted to the board (1-wire `temperature`, IIO `in_temp_input`) reads `celsius`. */
  setAmbientC(celsius: number): void;
  /** A new /proc/sys/kernel/random/boot_id: the board rebooted. */
  setBootId(bootId: string): void;
  remove(): void;
}

function replaceFile(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Plain files (symlinks are not followed, so each sensor is found once) under `dir` that `wanted`. */
function findFiles(dir: string, wanted: (name: string, path: string) => boolean): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(path, wanted));
    else if (entry.isFile() && wanted(entry.name, path)) found.push(path);
  }
  return found;
}

const isTemperature = (name: string, path: string): boolean => (name === 'temp' && /thermal_zone\d+$/.test(join(path, '..'))) || /^temp\d+_input$/.test(name);

export function writableBoard(name: string): WritableBoard {
  const copy = copyBoard(name);
  const temps = findFiles(join(copy.root, 'sys'), isTemperature);
  if (temps.length === 0) throw new Error(`fixture board ${name} has no temperature files`);
  return {
    root: copy.root,
    setTempC: (celsius) => {
      for (const file of temps) replaceFile(file, `${Math.round(celsius * 1000)}\n`);
    },
    setUnderVoltage: (on) => {
      const words = findFiles(join(copy.root, 'sys'), (n) => n === 'get_throttled');
      const alarms = findFiles(join(copy.root, 'sys'), (n) => /^in\d+_lcrit_alarm$/.test(n));
      if (words.length + alarms.length === 0) throw new Error(`fixture board ${name} has no under-voltage sources`);
      for (const file of words) replaceFile(file, on ? '50005\n' : '0\n');
      for (const file of alarms) replaceFile(file, on ? '1\n' : '0\n');
    },
    setAmbientC: (celsius) => {
      const files = findFiles(join(copy.root, 'sys', 'bus'), (n) => n === 'temperature' || n === 'in_temp_input');
      if (files.length === 0) throw new Error(`fixture board ${name} has no ambient sensors`);
      for (const file of files) replaceFile(file, `${Math.round(celsius * 1000)}\n`);
    },
    setBootId: (bootId) => replaceFile(join(copy.root, 'proc/sys/kernel/random/boot_id'), `${bootId}\n`),
    remove: copy.remove,
  };
}
