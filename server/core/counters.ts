// Server-wide event counters (hook runs, auth failures, recorder errors...): any layer counts, /metrics exports.
// Plain numbers keyed by name and labels, no per-packet use: events only. Label sets are bounded per name
// so a client that makes up paths cannot grow memory (past the bound, labels fold into "other").

export type CounterLabels = Record<string, string>;

export interface CounterSample {
  name: string;
  labels: CounterLabels;
  value: number;
}

const MAX_SERIES_PER_NAME = 500;

export class Counters {
  private readonly series = new Map<string, Map<string, CounterSample>>();

  /** Adds `by` (default 1) to counter `name` with these labels ("tidecast_" and "_total" are added by /metrics). */
  inc(name: string, labels: CounterLabels = {}, by = 1): void {
    let byLabels = this.series.get(name);
    if (!byLabels) this.series.set(name, (byLabels = new Map()));
    let key = labelKey(labels);
    let sample = byLabels.get(key);
    if (!sample && byLabels.size >= MAX_SERIES_PER_NAME) {
      const other = Object.fromEntries(Object.keys(labels).map((k) => [k, 'other']));
      key = labelKey(other);
      sample = byLabels.get(key);
      labels = other;
    }
    if (!sample) byLabels.set(key, (sample = { name, labels: { ...labels }, value: 0 }));
    sample.value += by;
  }

  /** Every series of `name` (empty when it never counted). */
  samples(name: string): CounterSample[] {
    return [...(this.series.get(name)?.values() ?? [])];
  }

  /** The names counted so far. */
  names(): string[] {
    return [...this.series.keys()];
  }

  /** One series' value (0 when it never counted). */
  value(name: string, labels: CounterLabels = {}): number {
    return this.series.get(name)?.get(labelKey(labels))?.value ?? 0;
  }
}

function labelKey(labels: CounterLabels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}
