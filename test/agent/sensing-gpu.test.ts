/**
 * NVIDIA GPUs through a stand-in nvidia-smi replaying real captures: normal, MIG, several GPUs,
 * old drivers, and the failures that must never stall the agent (hung, missing, no driver, exits).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBoardSensing, type BoardSensing } from '../../agent/sensing.js';
import { silentLogger } from '../../shared/logger.js';
import { boardRoot, fixtureEnv } from './sensors/fixture-boards.js';

const ROOT = boardRoot('x86-nvidia');
const MIB = 1024 * 1024;
const open: BoardSensing[] = [];
const tmpDirs: string[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
  for (const d of tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function invocationLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-nvsmi-'));
  tmpDirs.push(dir);
  return join(dir, 'calls.log');
}

function calls(log: string): string[] {
  try {
    return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function start(vars: Record<string, string>, opts: { nvidiaSmi?: boolean; now?: () => number } = {}) {
  const sensing = await createBoardSensing({
    hostRoot: ROOT,
    hwProfilesDir: null,
    env: fixtureEnv(ROOT, { nvidiaSmi: opts.nvidiaSmi ?? true, vars: { KELVIN_NVIDIA_SMI_TIMEOUT_MS: '1000', ...vars } }),
    logger: silentLogger(),
    now: opts.now,
  });
  open.push(sensing);
  return sensing;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** sample() must answer at once whatever nvidia-smi does; 'blocked' means it did not. */
function sampleOrBlocked(sensing: BoardSensing) {
  return Promise.race([sensing.sample(), sleep(1_000).then(() => 'blocked' as const)]);
}

describe('NVIDIA GPUs via nvidia-smi', () => {
  it('runs one inventory call and one streaming process, however many samples are taken', async () => {
    const log = invocationLog();
    const sensing = await start({ FAKE_NVIDIA_SMI_LOG: log });
    await sensing.readFacts();
    for (let i = 0; i < 5; i++) await sensing.sample();
    const lines = calls(log);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('--query-gpu=index,name,uuid,memory.total --format=csv,noheader,nounits');
    expect(lines[1]).toMatch(/^--query-gpu=index,temperature\.gpu,utilization\.gpu,memory\.used,clocks_event_reasons\.hw_thermal_slowdown,clocks_event_reasons\.sw_thermal_slowdown --format=csv,noheader,nounits -lms 1000$/);
  });

  it('lists every GPU of a two-GPU box with its own readings', async () => {
    const sensing = await start({ FAKE_NVIDIA_SMI_CAPTURES: 'rtx-2080-super,l40s' });
    const facts = await sensing.readFacts();
    expect(facts.gpus.map((g) => [g.model, g.memoryBytes])).toEqual([
      ['NVIDIA GeForce RTX 2080 SUPER', 8192 * MIB],
      ['NVIDIA L40S', 46068 * MIB],
    ]);
    expect(facts.labels['gpu.count']).toBe('2');
    const reading = await sensing.sample();
    expect(reading.gpus).toEqual([
      { index: 0, tempC: 45, utilPct: 8, memUsedBytes: 819 * MIB, thermalSlowdown: false },
      { index: 1, tempC: 54, utilPct: 9, memUsedBytes: 1235 * MIB, thermalSlowdown: false },
    ]);
  });

  it('reports utilisation [N/A] on a MIG-partitioned H100 as null without calling the GPU stale', async () => {
    const sensing = await start({ FAKE_NVIDIA_SMI_CAPTURES: 'h100-mig' });
    await sensing.readFacts();
    const reading = await sensing.sample();
    expect(reading.gpus).toEqual([{ index: 0, tempC: 53, utilPct: null, memUsedBytes: 11125 * MIB, thermalSlowdown: false }]);
    expect(reading.gpuStale).toBe(false);
  });

  it('reports thermal slowdown when the driver says a thermal reason is active', async () => {
    const sensing = await start({ FAKE_NVIDIA_SMI_SET: 'clocks_event_reasons.sw_thermal_slowdown=Active;temperature.gpu=91' });
    await sensing.readFacts();
    expect((await sensing.sample()).gpus[0]).toMatchObject({ tempC: 91, thermalSlowdown: true });
  });

  it('falls back to the clocks_throttle_reasons names on an old driver', async () => {
    const log = invocationLog();
    const sensing = await start({ FAKE_NVIDIA_SMI_MODE: 'legacy', FAKE_NVIDIA_SMI_CAPTURES: 'rtx-2080-super', FAKE_NVIDIA_SMI_LOG: log });
    await sensing.readFacts();
    const reading = await sensing.sample();
    expect(reading.gpus[0]).toMatchObject({ tempC: 45, thermalSlowdown: false });
    expect(reading.gpuStale).toBe(false);
    const streams = calls(log).filter((l) => l.includes('-lms'));
    expect(streams.map((l) => l.includes('clocks_throttle_reasons'))).toEqual([false, true]);
  });

  it('gives null readings and gpuStale when nvidia-smi hangs, with facts from /proc/driver/nvidia', async () => {
    const sensing = await start({ FAKE_NVIDIA_SMI_MODE: 'hang' });
    const facts = await sensing.readFacts();
    expect(facts.gpus).toEqual([{ vendor: 'nvidia', integrated: false, model: 'NVIDIA H100 80GB HBM3', memoryBytes: null, uuid: 'GPU-00000000-0000-0000-0000-000000000000' }]);
    expect(facts.labels.gpu).toBe('true');
    const reading = await sampleOrBlocked(sensing);
    expect(reading).not.toBe('blocked');
    expect(reading).toMatchObject({ gpuStale: true, gpus: [{ index: 0, tempC: null, utilPct: null, memUsedBytes: null, thermalSlowdown: null }] });
  });

  it('turns stale when the stream stops printing', async () => {
    let now = 1_750_000_000_000;
    const sensing = await start({ FAKE_NVIDIA_SMI_MODE: 'hang-after:1' }, { now: () => now });
    await sensing.readFacts();
    expect((await sensing.sample()).gpuStale).toBe(false);
    now += 4_000;
    const reading = await sampleOrBlocked(sensing);
    expect(reading).toMatchObject({ gpuStale: true, gpus: [{ tempC: null, utilPct: null }] });
  });

  it('restarts a stream that exited and gets fresh readings again', async () => {
    const log = invocationLog();
    const sensing = await start({ FAKE_NVIDIA_SMI_MODE: 'exit-after:1', FAKE_NVIDIA_SMI_LOG: log });
    await sensing.readFacts();
    // The stand-in exits after one line; the first restart comes after 1 s of backoff.
    for (let i = 0; i < 40 && calls(log).filter((l) => l.includes('-lms')).length < 2; i++) await sleep(100);
    expect(calls(log).filter((l) => l.includes('-lms')).length).toBeGreaterThanOrEqual(2);
    let fresh = false;
    for (let i = 0; i < 20 && !fresh; i++, await sleep(100)) fresh = !(await sensing.sample()).gpuStale;
    expect(fresh).toBe(true);
  });

  it('gives null readings and gpuStale when nvidia-smi is not installed but the driver lists a GPU', async () => {
    const sensing = await start({}, { nvidiaSmi: false });
    const facts = await sensing.readFacts();
    expect(facts.gpus.map((g) => g.model)).toEqual(['NVIDIA H100 80GB HBM3']);
    expect(await sensing.sample()).toMatchObject({ gpuStale: true, gpus: [{ tempC: null }] });
  });

  it('survives nvidia-smi failing to reach the driver', async () => {
    const sensing = await start({ FAKE_NVIDIA_SMI_MODE: 'no-driver' });
    const facts = await sensing.readFacts();
    expect(facts.gpus).toHaveLength(1);
    const reading = await sampleOrBlocked(sensing);
    expect(reading).toMatchObject({ gpuStale: true, gpus: [{ tempC: null }] });
  });
});
