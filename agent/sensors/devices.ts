/**
 * The board's hardware a task may ask for: cameras, serial ports, I2C/SPI/GPIO and accelerators,
 * as absolute /dev paths, read under the host root (fixture boards have a `dev/` folder whose
 * files stand in for device nodes). Only names are listed: no device is opened or stat'ed, so a
 * hostile or odd /dev costs one readdir. Bounded: at most MAX_REPORTED_DEVICES, sorted.
 */
import { MAX_DEVICE_PATH_CHARS } from '../../shared/container-options.js';
import type { HostFs } from './host-fs.js';

export const MAX_REPORTED_DEVICES = 256;

/** Names directly under /dev that are hardware a task may need. */
const DEV_NAMES = [
  /^video\d+$/,
  /^tty(USB|ACM|AMA)\d+$/,
  /^serial\d*$/,
  /^i2c-\d+$/,
  /^spidev\d+\.\d+$/,
  /^gpiochip\d+$/,
  /^apex_\d+$/, // Coral Edge TPU (PCIe)
  /^hailo\d+$/,
  /^kfd$/, // AMD ROCm compute
];
const DRI_NAMES = /^renderD\d+$/;

export async function readDevices(fs: HostFs): Promise<string[]> {
  const [top, dri] = await Promise.all([fs.list('dev'), fs.list('dev/dri')]);
  const found = [
    ...top.filter((name) => DEV_NAMES.some((re) => re.test(name))).map((name) => `/dev/${name}`),
    ...dri.filter((name) => DRI_NAMES.test(name)).map((name) => `/dev/dri/${name}`),
  ];
  return found
    .filter((path) => path.length <= MAX_DEVICE_PATH_CHARS)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
    .slice(0, MAX_REPORTED_DEVICES);
}
