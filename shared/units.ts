/**
 * Byte sizes and durations as users write them in flags, constraints and stack files.
 * Each parser returns null for input it cannot read; callers turn that into an error naming the field.
 */

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1000,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  t: 1024 ** 4,
  tb: 1000 ** 4,
  tib: 1024 ** 4,
};

/**
 * `512MiB`, `8GiB`, `8G`, `512m`, `1.5g`, `1048576`. Single-letter units are binary, as in Docker
 * (`--memory 512m`); `KB`/`MB`/`GB` are decimal, `KiB`/`MiB`/`GiB` binary.
 */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return null;
  const factor = BYTE_UNITS[(m[2] ?? '').toLowerCase()];
  if (factor === undefined) return null;
  return Math.round(Number(m[1]) * factor);
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go/Compose style durations: `500ms`, `10s`, `1m30s`, `2h`. A bare number is seconds. */
export function parseDurationMs(text: string): number | null {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] ?? ''] ?? 0);
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== t.length) return null;
  return Math.round(total);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return `${i === 0 ? value : value.toFixed(value >= 10 ? 0 : 1)}${units[i]}`;
}
