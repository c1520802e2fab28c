// A board's heat relative to its own limits: the same temperature is fine on a Jetson and hot on
// a Pi. Each level has a colour *and* a pattern and a word, so it reads without colour vision.
export const LEVELS = {
  unknown: { label: 'no reading', order: 0 },
  ok: { label: 'ok', order: 1 },
  warm: { label: 'warm', order: 2 },
  hot: { label: 'hot: throttling', order: 3 },
  critical: { label: 'critical', order: 4 },
};

export function heatLevel(node) {
  const temp = node.telemetry?.cpuTempC ?? null;
  const limits = node.thermal?.limits;
  if (temp === null || !limits) return 'unknown';
  if (temp >= limits.criticalC) return 'critical';
  if (temp >= limits.throttleC) return 'hot';
  if (temp >= limits.warnC) return 'warm';
  return 'ok';
}

/** Badges for what a user must notice on a tile; each a word, not only a colour. */
export function badges(node) {
  const out = [];
  if (node.status === 'down') out.push(['down', 'down']);
  if (node.availability !== 'active') out.push([node.availability, node.availability === 'drain' ? 'drained' : 'paused']);
  if (node.thermal?.state === 'hot' || node.thermal?.state === 'critical' || node.telemetry?.power?.throttledNow) out.push(['throttled', 'throttled']);
  if (node.power?.underVoltageNow || node.power?.state === 'unstable') out.push(['undervoltage', 'under-voltage']);
  if ((node.power?.brownouts ?? 0) > 0) out.push(['brownout', `${node.power.brownouts} brownout${node.power.brownouts === 1 ? '' : 's'}`]);
  if (node.quarantined) out.push(['quarantine', 'quarantined: flapping']);
  if (node.membership === 'pending') out.push(['pending', 'pending approval']);
  return out;
}
