// Statistics of the jitter buffer: its packet counters and the RFC 3550 §6.4.1 interarrival jitter estimate.

import type { JitterStats } from './jitter-types.js';

/** The jitter buffer's counters (see JitterStats for what each counts). */
export type JitterCounts = Pick<JitterStats, 'packets' | 'released' | 'lost' | 'late' | 'overdue' | 'reordered' | 'duplicates' | 'overflow'>;

export function newJitterCounts(): JitterCounts {
  return { packets: 0, released: 0, lost: 0, late: 0, overdue: 0, reordered: 0, duplicates: 0, overflow: 0 };
}

/** RFC 3550 §6.4.1 / A.8 interarrival jitter, in ms. */
export class InterarrivalJitter {
  private lastTransit = NaN;
  private j = 0;

  get ms(): number {
    return this.j;
  }

  /**
   * D = (Rj - Ri) - (Sj - Si) over consecutive arrivals; J += (|D| - J)/16. `transitMs` is on the
   * raw timestamps, as the RFC defines it (B-frames show in it). A step beyond `resyncMs` is a new
   * timeline (pause, seek), not jitter.
   */
  observe(transitMs: number, resyncMs: number): void {
    const dTransit = Math.abs(transitMs - this.lastTransit);
    if (dTransit <= resyncMs) this.j += (dTransit - this.j) / 16;
    this.lastTransit = transitMs;
  }

  /** The next packet starts a new timeline: its transit is not compared with the last one's. */
  restart(): void {
    this.lastTransit = NaN;
  }
}
