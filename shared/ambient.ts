/** The one ambient figure constraints (`node.hw.ambient`) and the heat policy look at. */
import type { AmbientReading, Telemetry } from './payloads/telemetry.js';

/** The warmest of the board's ambient sensors; null when it has none (or sent no telemetry yet). */
export function warmestAmbient(telemetry: Pick<Telemetry, 'ambient'> | null | undefined): AmbientReading | null {
  let warmest: AmbientReading | null = null;
  for (const r of telemetry?.ambient ?? []) if (warmest === null || r.tempC > warmest.tempC) warmest = r;
  return warmest;
}
