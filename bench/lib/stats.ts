// Order statistics for the benchmarks: nearest-rank percentiles (load client, /proc sampler, joins) and floor-index quantiles (latency benches).

/** Nearest-rank percentile, `p` in 0..100; NaN for no values. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx]!;
}

/** The value at index floor(q * n) of the sorted values, `q` in 0..1 (1 is the maximum); NaN for no values. */
export function quantile(values: number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}
