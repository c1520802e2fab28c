/**
 * `GET /v1/nodes/{id}/history?since=1h&resolution=1s|1m`: `since` is a duration up to what the
 * resolution keeps (1h at 1s, 24h at 1m); without `resolution`, 1s when `since` fits the hour,
 * else 1m. Anything else is one 400 naming the parameter.
 */
import { parseDurationMs } from '../../shared/units.js';
import { RESOLUTIONS, type HistoryResolution } from '../history/telemetry-history.js';
import { badRequest } from './errors.js';

export interface HistoryQuery {
  sinceMs: number;
  resolution: HistoryResolution;
}

const DEFAULT_SINCE_MS = 3_600_000;
const KNOWN = new Set(['since', 'resolution']);

function formatHours(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : `${ms / 1000}s`;
}

export function parseHistoryQuery(q: URLSearchParams): HistoryQuery {
  for (const key of q.keys()) if (!KNOWN.has(key)) throw badRequest(`unknown query parameter '${key}' (known: since, resolution)`);
  const sinceText = q.get('since');
  const sinceMs = sinceText === null ? DEFAULT_SINCE_MS : parseDurationMs(sinceText.slice(0, 32));
  if (sinceMs === null) throw badRequest(`since: '${sinceText?.slice(0, 32)}' is not a duration (e.g. 90s, 15m, 1h, 24h)`);
  const longest = RESOLUTIONS['1m'].keptMs;
  if (sinceMs < 1000 || sinceMs > longest) throw badRequest(`since: '${sinceText}' is out of range (1s to ${formatHours(longest)})`);
  const res = q.get('resolution');
  if (res !== null && res !== '1s' && res !== '1m') throw badRequest(`resolution: '${res.slice(0, 32)}' is not 1s or 1m`);
  const resolution: HistoryResolution = res ?? (sinceMs <= RESOLUTIONS['1s'].keptMs ? '1s' : '1m');
  const kept = RESOLUTIONS[resolution].keptMs;
  if (sinceMs > kept) throw badRequest(`since: resolution ${resolution} is kept for ${formatHours(kept)} only; ask for since<=${formatHours(kept)} or resolution=1m`);
  return { sinceMs, resolution };
}
