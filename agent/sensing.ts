/**
 * Board sensing: what the board is (facts) and how it feels (readings), from sysfs and procfs
 * under one host root plus `nvidia-smi` / `vcgencmd` found on PATH. The collectors live in
 * `sensors/`, one per fact; this file discovers which of them apply to the board, picks its
 * hardware profile and assembles their output into the wire shapes.
 *
 * The per-second `sample()` only reads files found at discovery time: no process is spawned per
 * call, and every read is bounded in size and time (sensors/host-fs.ts), so a hung or bogus
 * sensor file makes that sensor stale (listed in `staleSensors`), never the sample late. Slow
 * things (the nvidia-smi inventory, re-discovering sensors) happen in `readFacts()`, and the two
 * processes that must run (nvidia-smi, vcgencmd) run in the background.
 */
import type { Logger } from '../shared/logger.js';
import type { GpuFact, NodeFacts } from '../shared/payloads/facts.js';
import { MAX_STALE_SENSOR_PATH, MAX_STALE_SENSORS, type GpuReading, type Telemetry } from '../shared/payloads/telemetry.js';
import { HwProfileError, loadHwProfiles, matchProfile, type HwProfile } from '../hw-profiles/loader.js';
import { discoverAmbientSensors, readAmbient, type AmbientSensor } from './sensors/ambient.js';
import { discoverAmdCards, readAmdCard, type AmdCard } from './sensors/amd-gpu.js';
import { readCpuInfo } from './sensors/cpuinfo.js';
import { readDevices } from './sensors/devices.js';
import { findOnPath } from './sensors/find-tool.js';
import { HostFs } from './sensors/host-fs.js';
import { discoverHwmon, readHwmonCrits, readHwmonTemps, readHwmonVolts, type HwmonChip } from './sensors/hwmon.js';
import { readBoardStrings, readIdentity } from './sensors/identity.js';
import { discoverIioRails, readIioRails, type IioRail } from './sensors/ina3221-iio.js';
import { integratedGpuFact, splitNvidiaGpus } from './sensors/integrated-gpu.js';
import { findJetsonLoadFile, readJetsonLoad } from './sensors/jetson-gpu.js';
import { readLoad1, readMemInfo } from './sensors/load-memory.js';
import { queryNvidiaInventory, readNvidiaProcGpus, type NvidiaGpu } from './sensors/nvidia-inventory.js';
import { NvidiaStream } from './sensors/nvidia-stream.js';
import { PmicInputReader } from './sensors/pi-pmic.js';
import { findThrottleFile, readThrottleFlags } from './sensors/pi-throttle.js';
import { combinePower } from './sensors/power.js';
import { findUnderVoltageAlarm, readUnderVoltageAlarm } from './sensors/rpi-volt.js';
import { deriveThermalLimits } from './sensors/thermal-limits.js';
import { discoverThermalZones, readThermalZones, type ThermalZone } from './sensors/thermal-zones.js';

export interface SensingOptions {
  hostRoot: string; // '/' on a real board; a fixture dir in tests
  hwProfilesDir: string | null; // --hw-profiles: extra/overriding profile files
  env?: NodeJS.ProcessEnv; // PATH used to find nvidia-smi / vcgencmd (tests put stand-ins first)
  logger: Logger;
  now?: () => number;
}
/** What the board is, minus what the daemon adds (nodeId, engineLabels, drivers, agentVersion, name override). */
export type BoardFacts = Omit<NodeFacts, 'v' | 'nodeId' | 'engineLabels' | 'drivers' | 'agentVersion'>;
export type Reading = Omit<Telemetry, 'v' | 'seq'>;
export interface BoardSensing {
  readFacts(): Promise<BoardFacts>; // slow inventory; the daemon calls it at start and every few minutes
  sample(): Promise<Reading>; // the per-second path: reads files only, no process spawned per call
  close(): Promise<void>; // stops background readers (nvidia-smi stream, vcgencmd refresher)
}

/** nvidia-smi can take seconds on a many-GPU box without persistence mode; override with this variable. */
const NVIDIA_TIMEOUT_ENV = 'KELVIN_NVIDIA_SMI_TIMEOUT_MS';
const DEFAULT_NVIDIA_TIMEOUT_MS = 10_000;
/** How long readFacts waits for the stream's first line, so a first sample has GPU readings. */
const FIRST_LINE_WAIT_MS = 2_000;
/** vcgencmd's home on older Pi OS images, searched after PATH. */
const VCGENCMD_EXTRA_DIRS = ['/usr/bin', '/opt/vc/bin'];

/** Where each GPU of the facts list gets its readings; its position is the reading's index. */
type GpuSource =
  | { kind: 'nvidia'; smiIndex: number }
  | { kind: 'amd'; card: AmdCard }
  /** The SoC's GPU: sysfs readings, and nvidia-smi's where it lists the GPU and has a value. */
  | { kind: 'integrated'; smiIndex: number | null };

/** Everything discovery found: the files and matchers the per-second path uses. */
interface Inventory {
  profile: HwProfile;
  model: string | null;
  zones: ThermalZone[];
  chips: HwmonChip[];
  iioRails: IioRail[];
  throttleFile: string | null;
  underVoltageAlarmFile: string | null;
  jetsonLoadFile: string | null;
  amdCards: AmdCard[];
  ambient: AmbientSensor[];
  isCpuSensor: (sensor: string) => boolean;
  isJetsonGpuSensor: (sensor: string) => boolean;
}

function anyOf(patterns: string[]): (name: string) => boolean {
  const regexes = patterns.map((p) => new RegExp(p, 'i'));
  return (name) => regexes.some((r) => r.test(name));
}

function hottest(temps: Array<{ sensor: string; tempC: number }>, wanted: (sensor: string) => boolean): number | null {
  const values = temps.filter((t) => wanted(t.sensor)).map((t) => t.tempC);
  return values.length > 0 ? Math.max(...values) : null;
}

/** `gpu.integrated`: true where a GPU is the SoC's own (a Jetson), false where every GPU is known to
 *  be a card of its own (NVIDIA), absent when that is unknown (AMD, which may be an APU). */
function gpuLabels(gpus: GpuFact[]): Record<string, string> {
  const labels: Record<string, string> = { gpu: gpus.length > 0 ? 'true' : 'false', 'gpu.count': String(gpus.length) };
  if (gpus.length === 0) return labels;
  labels['gpu.vendor'] = [...new Set(gpus.map((g) => g.vendor))].join(',');
  if (gpus.some((g) => g.integrated === true)) labels['gpu.integrated'] = 'true';
  else if (gpus.every((g) => g.integrated === false)) labels['gpu.integrated'] = 'false';
  return labels;
}

/** The stale files as the wire takes them (absent when none), cut to its bounds. */
function staleSensorsField(stale: string[]): Pick<Reading, 'staleSensors'> {
  if (stale.length === 0) return {};
  return { staleSensors: stale.slice(0, MAX_STALE_SENSORS).map((p) => p.slice(0, MAX_STALE_SENSOR_PATH)) };
}

class HostSensing implements BoardSensing {
  private readonly fs: HostFs;
  private readonly env: NodeJS.ProcessEnv;
  private readonly now: () => number;
  private inventory!: Inventory;
  private gpuSources: GpuSource[] = [];
  private nvidiaBinary: string | null = null;
  private stream: NvidiaStream | null = null;
  private pmic: PmicInputReader | null = null;

  constructor(
    private readonly options: SensingOptions,
    private readonly profiles: HwProfile[],
  ) {
    this.fs = new HostFs(options.hostRoot, options.logger);
    this.env = options.env ?? process.env;
    this.now = options.now ?? Date.now;
  }

  async init(): Promise<void> {
    this.inventory = await this.discover();
    if (this.inventory.profile.pmicInputVoltage) {
      const vcgencmd = findOnPath('vcgencmd', this.env, VCGENCMD_EXTRA_DIRS);
      if (vcgencmd === null) this.options.logger.warn('vcgencmd not found; the Pi 5 input voltage stays unknown');
      else {
        this.pmic = new PmicInputReader(vcgencmd, this.env, this.now, this.options.logger);
        await this.pmic.start();
      }
    }
  }

  private async discover(): Promise<Inventory> {
    const [strings, zones, chips] = await Promise.all([readBoardStrings(this.fs), discoverThermalZones(this.fs), discoverHwmon(this.fs)]);
    const evidence = { model: strings.model, compatible: strings.compatible, hwmonNames: chips.map((c) => c.chipName).filter((n): n is string => n !== null) };
    const profile = matchProfile(this.profiles, evidence);
    if (!profile) throw new HwProfileError('no hardware profile matches this board, and no fallback profile (one without match rules) is loaded');
    return {
      profile,
      model: strings.model,
      zones,
      chips,
      iioRails: await discoverIioRails(this.fs),
      throttleFile: await findThrottleFile(this.fs),
      underVoltageAlarmFile: findUnderVoltageAlarm(chips),
      jetsonLoadFile: profile.integratedGpu ? await findJetsonLoadFile(this.fs) : null,
      amdCards: await discoverAmdCards(this.fs),
      ambient: await discoverAmbientSensors(this.fs),
      isCpuSensor: anyOf(profile.cpuSensors),
      isJetsonGpuSensor: profile.integratedGpu ? anyOf([profile.integratedGpu.tempSensor]) : () => false,
    };
  }

  private nvidiaTimeoutMs(): number {
    const value = Number(this.env[NVIDIA_TIMEOUT_ENV]);
    return Number.isFinite(value) && value > 0 ? value : DEFAULT_NVIDIA_TIMEOUT_MS;
  }

  /** NVIDIA GPUs per nvidia-smi, or per the driver's proc listing when nvidia-smi cannot answer. */
  private async nvidiaGpus(): Promise<NvidiaGpu[]> {
    this.nvidiaBinary = findOnPath('nvidia-smi', this.env);
    const fromSmi = this.nvidiaBinary === null ? null : await queryNvidiaInventory(this.nvidiaBinary, this.env, this.nvidiaTimeoutMs());
    if (fromSmi !== null) return fromSmi;
    const fromProc = await readNvidiaProcGpus(this.fs);
    if (fromProc.length > 0) this.options.logger.warn({ nvidiaSmi: this.nvidiaBinary ?? 'not on PATH' }, 'nvidia-smi did not answer; GPU facts from /proc/driver/nvidia');
    return fromProc;
  }

  private async syncStream(nvidia: NvidiaGpu[]): Promise<void> {
    if (nvidia.length === 0 || this.nvidiaBinary === null) {
      await this.stream?.close();
      this.stream = null;
      return;
    }
    if (!this.stream) {
      this.stream = new NvidiaStream({ binary: this.nvidiaBinary, env: this.env, now: this.now, logger: this.options.logger });
      this.stream.start();
    }
    await this.stream.waitForFirstLine(FIRST_LINE_WAIT_MS);
  }

  async readFacts(): Promise<BoardFacts> {
    const inventory = await this.discover();
    const nvidia = await this.nvidiaGpus();
    const { discrete, integrated } = splitNvidiaGpus(nvidia);
    const gpus: GpuFact[] = [...discrete.map((g) => ({ ...g.fact, integrated: false })), ...inventory.amdCards.map((c) => c.fact)];
    const sources: GpuSource[] = [...discrete.map((g) => ({ kind: 'nvidia' as const, smiIndex: g.smiIndex })), ...inventory.amdCards.map((card) => ({ kind: 'amd' as const, card }))];
    if (inventory.profile.integratedGpu || integrated) {
      gpus.push(integratedGpuFact(inventory.profile.integratedGpu?.model ?? null, integrated));
      sources.push({ kind: 'integrated', smiIndex: integrated?.smiIndex ?? null });
    }
    const cpuTrips = inventory.zones.filter((z) => inventory.isCpuSensor(z.sensor)).flatMap((z) => z.trips);
    const [identity, cpu, mem, tjMax, devices] = await Promise.all([
      readIdentity(this.fs),
      readCpuInfo(this.fs),
      readMemInfo(this.fs),
      readHwmonCrits(this.fs, inventory.chips, inventory.isCpuSensor),
      readDevices(this.fs),
    ]);
    this.inventory = inventory;
    this.gpuSources = sources;
    await this.syncStream(nvidia);
    return {
      ...identity,
      board: { profile: inventory.profile.id, model: inventory.model },
      cpu,
      memoryBytes: mem.totalBytes ?? 0,
      gpus,
      labels: { board: inventory.profile.id, ...gpuLabels(gpus) },
      thermalLimits: deriveThermalLimits(inventory.profile.thermalLimits, cpuTrips, tjMax),
      devices,
    };
  }

  async sample(): Promise<Reading> {
    const inv = this.inventory;
    const tick = this.fs.recording();
    const fs = tick.fs;
    const [zoneTemps, chipTemps, chipVolts, iioVolts, throttle, underVoltageAlarm, jetsonLoad, amd, load1, mem, ambient] = await Promise.all([
      readThermalZones(fs, inv.zones),
      readHwmonTemps(fs, inv.chips),
      readHwmonVolts(fs, inv.chips),
      readIioRails(fs, inv.iioRails),
      readThrottleFlags(fs, inv.throttleFile),
      readUnderVoltageAlarm(fs, inv.underVoltageAlarmFile),
      readJetsonLoad(fs, inv.jetsonLoadFile),
      Promise.all(this.gpuSources.map((s) => (s.kind === 'amd' ? readAmdCard(fs, s.card) : null))),
      readLoad1(fs),
      readMemInfo(fs),
      readAmbient(fs, inv.ambient),
    ]);
    const temps = [...zoneTemps, ...chipTemps];
    const inputVolts = this.pmic?.inputVolts() ?? null;
    const voltages = [...chipVolts, ...iioVolts, ...(inputVolts === null ? [] : [{ rail: 'pmic:EXT5V', volts: inputVolts }])];
    let gpuStale = false;
    const gpus = this.gpuSources.map((source, index): GpuReading => {
      if (source.kind === 'nvidia') {
        const r = this.stream?.reading(source.smiIndex) ?? null;
        if (r === null) gpuStale = true;
        return { index, tempC: r?.tempC ?? null, utilPct: r?.utilPct ?? null, memUsedBytes: r?.memUsedBytes ?? null, thermalSlowdown: r?.thermalSlowdown ?? null };
      }
      if (source.kind === 'amd') {
        const r = amd[index];
        return { index, tempC: r?.tempC ?? null, utilPct: r?.utilPct ?? null, memUsedBytes: r?.memUsedBytes ?? null, thermalSlowdown: null };
      }
      const smi = source.smiIndex === null ? null : (this.stream?.reading(source.smiIndex) ?? null);
      return {
        index,
        tempC: smi?.tempC ?? hottest(temps, inv.isJetsonGpuSensor),
        utilPct: smi?.utilPct ?? jetsonLoad,
        memUsedBytes: smi?.memUsedBytes ?? null,
        thermalSlowdown: smi?.thermalSlowdown ?? null,
      };
    });
    return {
      ts: this.now(),
      cpuTempC: hottest(temps, inv.isCpuSensor),
      temps,
      voltages,
      power: combinePower(throttle, underVoltageAlarm, inputVolts),
      gpus,
      gpuStale,
      load1,
      memUsedBytes: mem.usedBytes,
      ...(inv.ambient.length > 0 ? { ambient } : {}),
      ...staleSensorsField(tick.stale()),
    };
  }

  async close(): Promise<void> {
    this.pmic?.close();
    this.pmic = null;
    await this.stream?.close();
    this.stream = null;
  }
}

/**
 * Loads the hardware profiles (a bad profile file throws HwProfileError naming file and field),
 * discovers the board's sensors and starts the background readers it needs.
 */
export async function createBoardSensing(options: SensingOptions): Promise<BoardSensing> {
  const sensing = new HostSensing(options, loadHwProfiles(options.hwProfilesDir));
  await sensing.init();
  return sensing;
}
