// Bounded label sets for /metrics: paths are many, so each family keeps at most MAX_PATHS path values and folds
// the rest into "other"; counters built from running totals (clients, streams) stay monotonic across clients leaving.

/** Path label values one family keeps before folding the rest into "other". */
export const MAX_PATHS = 100;
export const OTHER = 'other';

/**
 * Gauges, rebuilt at each scrape: the MAX_PATHS paths with the largest values keep their name (ties by name),
 * the rest are summed into "other". Keys are "protocol\0path" pairs, values what they count.
 */
export function foldGaugePaths(rows: { labels: Record<string, string>; value: number }[], max = MAX_PATHS): { labels: Record<string, string>; value: number }[] {
  const perPath = new Map<string, number>();
  for (const r of rows) perPath.set(r.labels.path!, (perPath.get(r.labels.path!) ?? 0) + r.value);
  const kept = new Set(
    [...perPath.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, max)
      .map(([p]) => p),
  );
  const out = new Map<string, { labels: Record<string, string>; value: number }>();
  for (const r of rows) {
    const labels = { ...r.labels, path: kept.has(r.labels.path!) ? r.labels.path! : OTHER };
    const key = JSON.stringify(labels);
    const prev = out.get(key);
    if (prev) prev.value += r.value;
    else out.set(key, { labels, value: r.value });
  }
  return [...out.values()];
}

/**
 * A counter family made of running totals of things that come and go (a client's bytes, a stream's packets):
 * each read adds what the source grew since its previous read, so the series only goes up. The first
 * MAX_PATHS paths seen keep their name for the life of the server; later ones count under "other".
 */
export class RunningTotals {
  private readonly totals = new Map<string, { labels: Record<string, string>; value: number }>();
  private readonly last = new Map<unknown, number>();
  private readonly paths = new Set<string>();

  constructor(private readonly maxPaths = MAX_PATHS) {}

  /** The source's total now (`labels` has a `path`). A total that went down (a restarted counter) counts from 0. */
  read(source: unknown, labels: Record<string, string>, total: number): void {
    const before = this.last.get(source) ?? 0;
    const grew = total >= before ? total - before : total;
    this.last.set(source, total);
    if (grew > 0) this.add(labels, grew);
  }

  /** The source is gone: its final total is read and it is forgotten. */
  settle(source: unknown, labels: Record<string, string>, total: number): void {
    this.read(source, labels, total);
    this.last.delete(source);
  }

  /** Forgets sources not in `present` (gone without a final total: their growth since the last read is lost). */
  keepOnly(present: Set<unknown>): void {
    for (const s of this.last.keys()) if (!present.has(s)) this.last.delete(s);
  }

  series(): { labels: Record<string, string>; value: number }[] {
    return [...this.totals.values()];
  }

  private add(labels: Record<string, string>, by: number): void {
    const path = labels.path ?? '';
    if (!this.paths.has(path) && this.paths.size < this.maxPaths) this.paths.add(path);
    const folded = this.paths.has(path) ? labels : { ...labels, path: OTHER };
    const key = JSON.stringify(folded);
    const t = this.totals.get(key);
    if (t) t.value += by;
    else this.totals.set(key, { labels: { ...folded }, value: by });
  }
}
