/**
 * Hardware profiles: one JSON file per board family saying how to recognise the board, which
 * sensors are its CPU temperature and where Kelvin's thermal limits sit. Built-in files live next
 * to this loader in the package's `hw-profiles/` folder; `--hw-profiles DIR` adds files or replaces
 * built-ins with the same id.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { firstIssue } from '../shared/zod-issue.js';

const regexSource = z.string().refine(
  (s) => {
    try {
      new RegExp(s, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

const limits = z
  .object({
    warnC: z.number(),
    throttleC: z.number(),
    criticalC: z.number(),
    hysteresisC: z.number().nonnegative(),
  })
  .strict()
  .refine((l) => l.warnC <= l.throttleC && l.throttleC <= l.criticalC, {
    message: 'limits must rise: warnC <= throttleC <= criticalC',
  });

export const hwProfileSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -'),
    name: z.string().min(1),
    /** Among matching profiles the highest priority wins; a profile with no match rules always matches. */
    priority: z.number().int(),
    match: z
      .object({
        /** Regex against the device-tree model string. */
        model: regexSource.optional(),
        /** Any of these device-tree compatible strings. */
        compatible: z.array(z.string().min(1)).default([]),
        /** Any hwmon chip with one of these names. */
        hwmon: z.array(z.string().min(1)).default([]),
      })
      .strict(),
    /** Regexes (case-insensitive) over sensor names; the hottest match is the CPU temperature. */
    cpuSensors: z.array(regexSource).min(1),
    /** Present on boards with an integrated NVIDIA GPU read from sysfs (Jetson). */
    integratedGpu: z.object({ model: z.string().min(1), tempSensor: regexSource }).strict().optional(),
    /** Read the input voltage from the PMIC with `vcgencmd pmic_read_adc EXT5V_V` (Pi 5). */
    pmicInputVoltage: z.boolean().default(false),
    notes: z.string().optional(),
    thermalLimits: limits,
  })
  .strict();

export type HwProfile = z.infer<typeof hwProfileSchema>;

export class HwProfileError extends Error {
  override readonly name = 'HwProfileError';
}

/** What the board shows about itself, to pick a profile. */
export interface BoardEvidence {
  model: string | null;
  compatible: string[];
  hwmonNames: string[];
}

/** The built-in data folder, both from source (hw-profiles/) and from dist/hw-profiles/. */
export function builtinProfilesDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  for (const dir of [resolve(here), resolve(here, '../../hw-profiles')]) {
    if (existsSync(join(dir, 'generic.json'))) return dir;
  }
  throw new HwProfileError(`built-in hardware profiles not found next to ${here}`);
}

function parseProfileFile(file: string): HwProfile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HwProfileError(`hw profile ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = hwProfileSchema.safeParse(raw);
  if (!parsed.success) {
    const { where, message } = firstIssue(parsed.error, '(file)');
    throw new HwProfileError(`hw profile ${file}: ${where}: ${message}`);
  }
  return parsed.data;
}

function readProfileDir(dir: string): HwProfile[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch (err) {
    throw new HwProfileError(`hw profiles directory ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const seen = new Map<string, string>();
  return names.map((name) => {
    const file = join(dir, name);
    const profile = parseProfileFile(file);
    const other = seen.get(profile.id);
    if (other) throw new HwProfileError(`hw profile ${file}: id: "${profile.id}" is also used by ${other}`);
    seen.set(profile.id, file);
    return profile;
  });
}

/** Built-in profiles, with those in `extraDir` added or replacing built-ins of the same id. */
export function loadHwProfiles(extraDir: string | null): HwProfile[] {
  const byId = new Map<string, HwProfile>();
  for (const p of readProfileDir(builtinProfilesDir())) byId.set(p.id, p);
  if (extraDir !== null) for (const p of readProfileDir(extraDir)) byId.set(p.id, p);
  return [...byId.values()];
}

function matches(profile: HwProfile, evidence: BoardEvidence): boolean {
  const { model, compatible, hwmon } = profile.match;
  if (model === undefined && compatible.length === 0 && hwmon.length === 0) return true;
  if (model !== undefined && evidence.model !== null && new RegExp(model, 'i').test(evidence.model)) return true;
  if (compatible.some((c) => evidence.compatible.includes(c))) return true;
  return hwmon.some((h) => evidence.hwmonNames.includes(h));
}

/** The highest-priority matching profile (ties by id); null only when no profile matches at all. */
export function matchProfile(profiles: HwProfile[], evidence: BoardEvidence): HwProfile | null {
  const candidates = profiles
    .filter((p) => matches(p, evidence))
    .sort((a, b) => b.priority - a.priority || a.id.localeCompare(b.id));
  return candidates[0] ?? null;
}
