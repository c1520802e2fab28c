/** Parsing of the plain numbers sysfs and procfs files hold, refusing anything that is not one. */

/** A whole decimal number such as `49925` or `-44000`; null for garbage, empty or missing text. */
export function parseInteger(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : null;
}

/** A decimal number such as `0.52` or `5.05716`; null otherwise. */
export function parseDecimal(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim();
  return /^-?\d+(\.\d+)?$/.test(t) ? Number(t) : null;
}

// Real sensors stay inside this range. Outside it are the known sentinels: Jetson power-gated
// zones read -256 C, NVMe reports 65261850 (65261.85 C) for "no limit", and broken chips read
// absurd values. Such a reading is dropped, never reported as a temperature.
const MIN_PLAUSIBLE_C = -100;
const MAX_PLAUSIBLE_C = 200;

/** Millidegrees C (hwmon and thermal ABI) to degrees C; null for sentinels and garbage. */
export function milliCelsius(text: string | null): number | null {
  const milli = parseInteger(text);
  if (milli === null) return null;
  const c = milli / 1000;
  return c >= MIN_PLAUSIBLE_C && c <= MAX_PLAUSIBLE_C ? c : null;
}

/** Gives every repeated name a `.N` suffix (N from 0 in list order); unique names stay as they are. */
export function suffixDuplicates(names: string[]): string[] {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const next = new Map<string, number>();
  return names.map((n) => {
    if ((counts.get(n) ?? 0) < 2) return n;
    const k = next.get(n) ?? 0;
    next.set(n, k + 1);
    return `${n}.${k}`;
  });
}
