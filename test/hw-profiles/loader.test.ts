import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinProfilesDir, loadHwProfiles, matchProfile, type BoardEvidence } from '../../hw-profiles/loader.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function profileDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kelvin-profiles-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

const valid = (over: Record<string, unknown> = {}) => ({
  id: 'my-board',
  name: 'My board',
  priority: 200,
  match: { model: '^My Board' },
  cpuSensors: ['^cpu$'],
  thermalLimits: { warnC: 60, throttleC: 65, criticalC: 70, hysteresisC: 3 },
  ...over,
});

const evidence = (e: Partial<BoardEvidence>): BoardEvidence => ({ model: null, compatible: [], hwmonNames: [], ...e });

describe('built-in hardware profiles', () => {
  const profiles = loadHwProfiles(null);
  const pick = (e: Partial<BoardEvidence>) => matchProfile(profiles, evidence(e))?.id;

  it('has one profile per board family', () => {
    expect(profiles.map((p) => p.id).sort()).toEqual([
      'generic',
      'jetson-nano',
      'jetson-orin',
      'jetson-xavier',
      'rpi-3b-plus',
      'rpi-4',
      'rpi-5',
      'rpi-other',
      'x86-amd',
      'x86-intel',
    ]);
  });

  it('keeps every Pi limit under the 80 C firmware throttle, and the 3B+ under its 60 C soft limit', () => {
    for (const p of profiles.filter((x) => x.id.startsWith('rpi-'))) expect(p.thermalLimits.criticalC).toBeLessThan(80);
    expect(profiles.find((p) => p.id === 'rpi-3b-plus')?.thermalLimits.criticalC).toBeLessThan(60);
  });

  it('recognises boards by model, compatible string and hwmon names', () => {
    expect(pick({ model: 'Raspberry Pi 4 Model B Rev 1.4' })).toBe('rpi-4');
    expect(pick({ model: 'Raspberry Pi 500 Rev 1.0' })).toBe('rpi-5');
    expect(pick({ model: 'Compute Module 5 Rev 1.0' })).toBe('rpi-5');
    expect(pick({ model: 'Raspberry Pi 3 Model B Plus Rev 1.3' })).toBe('rpi-3b-plus');
    expect(pick({ model: 'Raspberry Pi Zero 2 W Rev 1.0' })).toBe('rpi-other');
    expect(pick({ model: 'NVIDIA Orin Nano Developer Kit' })).toBe('jetson-orin');
    expect(pick({ model: 'NVIDIA Jetson Xavier NX Developer Kit' })).toBe('jetson-xavier');
    expect(pick({ compatible: ['nvidia,tegra234'] })).toBe('jetson-orin');
    expect(pick({ hwmonNames: ['nvme', 'k10temp'] })).toBe('x86-amd');
    expect(pick({ hwmonNames: ['coretemp'] })).toBe('x86-intel');
    expect(pick({ model: 'QEMU Standard PC' })).toBe('generic');
  });

  it('finds its data from the compiled dist/ loader too', async () => {
    const distLoader = new URL('../../dist/hw-profiles/loader.js', import.meta.url).href;
    const mod = (await import(distLoader)) as { builtinProfilesDir(): string };
    expect(mod.builtinProfilesDir()).toBe(builtinProfilesDir());
  });
});

describe('--hw-profiles directory', () => {
  it('adds profiles and replaces built-ins with the same id', () => {
    const dir = profileDir({ 'mine.json': valid(), 'rpi-4.json': valid({ id: 'rpi-4', match: { model: '^Raspberry Pi 4' } }) });
    const profiles = loadHwProfiles(dir);
    expect(profiles.filter((p) => p.id === 'rpi-4')).toHaveLength(1);
    expect(matchProfile(profiles, evidence({ model: 'Raspberry Pi 4 Model B' }))?.thermalLimits.criticalC).toBe(70);
    expect(matchProfile(profiles, evidence({ model: 'My Board v2' }))?.id).toBe('my-board');
  });

  it.each([
    ['a wrong type', { 'bad.json': valid({ priority: 'high' }) }, /bad\.json: priority: /],
    ['a missing field', { 'bad.json': { ...valid(), cpuSensors: undefined } }, /bad\.json: cpuSensors: /],
    ['an unknown field', { 'bad.json': { ...valid(), colour: 'red' } }, /bad\.json: \(file\): .*colour/],
    ['a bad regex', { 'bad.json': valid({ cpuSensors: ['(unclosed'] }) }, /bad\.json: cpuSensors\.0: not a valid regular expression/],
    ['limits out of order', { 'bad.json': valid({ thermalLimits: { warnC: 90, throttleC: 80, criticalC: 85, hysteresisC: 1 } }) }, /bad\.json: thermalLimits: limits must rise/],
    ['broken JSON', { 'bad.json': '{ "id": ' }, /bad\.json: .*JSON/],
    ['a repeated id', { 'a.json': valid(), 'b.json': valid() }, /b\.json: id: "my-board" is also used by .*a\.json/],
  ])('rejects %s with one error naming file and field', (_what, files, message) => {
    expect(() => loadHwProfiles(profileDir(files))).toThrow(message);
  });

  it('names a directory that cannot be read', () => {
    const missing = join(tmpdir(), 'kelvin-no-such-profiles');
    expect(() => loadHwProfiles(missing)).toThrow(`hw profiles directory ${missing}: ENOENT`);
  });

  it('ignores files that are not JSON', () => {
    const dir = profileDir({ 'README.md': '# notes' });
    mkdirSync(join(dir, 'sub'));
    expect(loadHwProfiles(dir)).toHaveLength(10);
  });
});
