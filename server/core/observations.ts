// Measured values (a receiver report's loss, how long a blocked playlist reload waited): any layer reports them,
// /metrics listens and puts them in histograms. Nothing is kept here: a value nobody listens to is dropped.

export type ObservationLabels = Record<string, string>;
export type ObservationListener = (labels: ObservationLabels, value: number) => void;

export class Observations {
  private readonly listeners = new Map<string, Set<ObservationListener>>();

  /** One measurement of `name` (in base units: seconds, ratios). Cheap when nobody listens. */
  observe(name: string, labels: ObservationLabels, value: number): void {
    const set = this.listeners.get(name);
    if (!set || !Number.isFinite(value)) return;
    for (const l of set) l(labels, value);
  }

  /** Listen to `name`; returns the unsubscribe. */
  on(name: string, listener: ObservationListener): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }
}
