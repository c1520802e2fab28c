/** Percentiles and rounding for the figures the benches print. */

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export const round = (n, digits = 2) => (n === null || n === undefined ? null : Number(n.toFixed(digits)));

/**
 * Quantile of a Prometheus histogram from cumulative bucket counts [{le, count}] (ascending le,
 * +Inf last), interpolated linearly inside the bucket as PromQL's histogram_quantile does.
 */
export function histogramQuantile(buckets, q) {
  const total = buckets.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lowerLe = 0;
  let lowerCount = 0;
  for (const { le, count } of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return lowerLe;
      return lowerLe + ((le - lowerLe) * (rank - lowerCount)) / Math.max(1, count - lowerCount);
    }
    lowerLe = le;
    lowerCount = count;
  }
  return lowerLe;
}

/** Share of observations at or under `le` (a bucket boundary). */
export function shareAtMost(buckets, le) {
  const total = buckets.at(-1)?.count ?? 0;
  const bucket = buckets.find((b) => b.le === le);
  return total === 0 || !bucket ? null : bucket.count / total;
}
