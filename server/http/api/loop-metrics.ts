// Event-loop delay from perf_hooks.monitorEventLoopDelay, in seconds, over the last window (one monitor per
// process: the loop is the process's). prom-client's default tidecast_nodejs_eventloop_lag_* measure it their own way.
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, type Registry } from 'prom-client';

/** A window closes at the first scrape at least this long after it opened; a scrape shows the last closed window. */
const WINDOW_MS = 10_000;
const STATS = ['min', 'mean', 'p50', 'p90', 'p99', 'max'] as const;
type Stat = (typeof STATS)[number];

let monitor: IntervalHistogram | undefined;
let openedAt = 0;
let lastWindow: Record<Stat, number> | undefined;

function statsOf(h: IntervalHistogram): Record<Stat, number> {
  // Nanoseconds; an empty histogram reports min as a huge number and mean as NaN.
  const s = (ns: number): number => (Number.isFinite(ns) && h.count > 0 ? ns / 1e9 : 0);
  return { min: s(h.min), mean: s(h.mean), p50: s(h.percentile(50)), p90: s(h.percentile(90)), p99: s(h.percentile(99)), max: s(h.max) };
}

function currentStats(): Record<Stat, number> {
  if (!monitor) {
    monitor = monitorEventLoopDelay({ resolution: 10 });
    monitor.enable();
    openedAt = performance.now();
  }
  if (performance.now() - openedAt >= WINDOW_MS) {
    lastWindow = statsOf(monitor);
    monitor.reset();
    openedAt = performance.now();
  }
  return lastWindow ?? statsOf(monitor);
}

export function registerLoopMetrics(register: Registry): void {
  currentStats();
  new Gauge({
    name: 'tidecast_event_loop_delay_seconds',
    help: 'Event-loop delay (perf_hooks.monitorEventLoopDelay, 10 ms resolution) over the last window of at least 10 s closed by a scrape: min, mean, p50, p90, p99, max',
    labelNames: ['stat'],
    registers: [register],
    collect() {
      const s = currentStats();
      for (const k of STATS) this.set({ stat: k }, s[k]);
    },
  });
}
