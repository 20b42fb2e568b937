// Where decoded audio went in the AudioContext: turns "context time being heard" back into the audio RTP time being heard, and tells a running output from one that ran dry.

/** The audio RTP time being heard, and whether the output is playing it or has run dry there. */
export interface HeardPosition {
  /** RTP timestamp, wrapped to 32 bits. */
  timestamp: number;
  /**
   * false: nothing is scheduled at this instant (the output ran dry: audio came too late, a main
   * thread that stalled), and `timestamp` is where the last chunk before it ended. The master clock
   * stands there until audio plays again.
   */
  running: boolean;
}

/** Bounded: the last `capacity` chunks (default 256, ~5 s of AAC). */
export class AudioOutputMap {
  private readonly starts: Float64Array;
  private readonly ends: Float64Array;
  private readonly stamps: Float64Array;
  /** Samples per second of context time: the clock rate times the chunk's playback rate. */
  private readonly speeds: Float64Array;
  private n = 0;
  private head = 0;

  constructor(
    readonly clockRate: number,
    private readonly capacity = 256,
  ) {
    if (!(clockRate > 0)) throw new Error(`clockRate must be > 0, got ${clockRate}`);
    this.starts = new Float64Array(capacity);
    this.ends = new Float64Array(capacity);
    this.stamps = new Float64Array(capacity);
    this.speeds = new Float64Array(capacity);
  }

  /**
   * A chunk of `samples` samples (at the track clock rate) with RTP time `rtpTimestamp` starts at
   * `ctxStartSec`, played at `rate` (the output slews by playback rate: 1.08 plays it in 1/1.08 the time).
   */
  schedule(ctxStartSec: number, rtpTimestamp: number, samples: number, rate = 1): void {
    const i = (this.head + this.n) % this.capacity;
    const speed = this.clockRate * (rate > 0 ? rate : 1);
    this.starts[i] = ctxStartSec;
    this.ends[i] = ctxStartSec + samples / speed;
    this.stamps[i] = rtpTimestamp >>> 0;
    this.speeds[i] = speed;
    if (this.n < this.capacity) this.n++;
    else this.head = (this.head + 1) % this.capacity;
  }

  /**
   * What is heard at context time `ctxSec`: the chunk playing then (running), or, in a gap, the end
   * of the chunk that ended last before it (not running). undefined before the first chunk starts
   * or outside what is remembered.
   */
  heard(ctxSec: number): HeardPosition | undefined {
    let lastEnd = -Infinity;
    let lastEndTs = 0;
    // Newest first: the chunk being heard is near the end of what was scheduled ahead.
    for (let k = this.n - 1; k >= 0; k--) {
      const i = (this.head + k) % this.capacity;
      const start = this.starts[i]!;
      const end = this.ends[i]!;
      if (ctxSec >= start && ctxSec < end) {
        return { timestamp: (this.stamps[i]! + Math.round((ctxSec - start) * this.speeds[i]!)) >>> 0, running: true };
      }
      if (end <= ctxSec && end > lastEnd) {
        lastEnd = end;
        lastEndTs = (this.stamps[i]! + Math.round((end - start) * this.speeds[i]!)) >>> 0;
      }
    }
    return lastEnd === -Infinity ? undefined : { timestamp: lastEndTs, running: false };
  }

  clear(): void {
    this.n = 0;
    this.head = 0;
  }
}
