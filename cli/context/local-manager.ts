/**
 * How the CLI finds the manager on its own host without any setup: `kelvin manager` writes
 * `<data dir>/api.json` (mode 600) with the URL to reach its API from this host, the admin token
 * file and the CA file that signs its HTTPS certificate; the CLI reads it from the default data dir.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

export const API_INFO_FILE = 'api.json';

const apiInfo = z.object({
  url: z.string().regex(/^https?:\/\/[^/\s]+$/),
  adminTokenFile: z.string().min(1),
  caFile: z.string().min(1).nullable(),
});
export type ApiInfo = z.infer<typeof apiInfo>;

/** The URL this host reaches an API listening on `url` by: a wildcard bind becomes loopback. */
export function localApiUrl(url: string): string {
  return url.replace(/^(https?:\/\/)(0\.0\.0\.0|\[::\])(:\d+)$/, (_m, scheme: string, host: string, port: string) => `${scheme}${host === '[::]' ? '[::1]' : '127.0.0.1'}${port}`);
}

export function writeApiInfo(dataDir: string, info: ApiInfo): void {
  const file = join(dataDir, API_INFO_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** What the manager in `dataDir` wrote, or null when there is none (or it cannot be read). */
export function readApiInfo(dataDir: string): ApiInfo | null {
  try {
    const parsed = apiInfo.safeParse(JSON.parse(readFileSync(join(dataDir, API_INFO_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function readTrimmed(file: string): string | null {
  try {
    return readFileSync(file, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
