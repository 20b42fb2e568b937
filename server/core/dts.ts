// Decode timestamps for video received over RTP, which carries presentation times only (RFC 6184 §5.1).

/**
 * With B-frames, RTP timestamps (pts) arrive out of order. A muxer needs dts that strictly increase
 * and never exceed pts. Decode position n gets the (n - depth)-th smallest pts seen so far: exact
 * for any frame pattern whose reorder depth is at most `depth` (x264's default B-pyramid needs 2),
 * and it needs no look-ahead, so no frame is delayed. The first `depth` frames get pts minus
 * whole frame steps. Deeper reordering than `depth` is clamped (dts stays < pts, still increasing).
 */
export class DtsEstimator {
  private readonly pending: number[] = [];
  private lastDts = Number.NEGATIVE_INFINITY;
  private seen = 0;

  constructor(
    private readonly depth = 2,
    /** One frame in clock units, for the first frames (30 fps at 90 kHz by default). */
    private readonly frameStep = 3000,
  ) {}

  next(pts: number): number {
    insertSorted(this.pending, pts);
    let dts: number;
    if (this.seen < this.depth) {
      dts = this.pending[0]! - (this.depth - this.seen) * this.frameStep;
    } else {
      dts = this.pending.shift()!;
    }
    this.seen++;
    // Bounded: a stream that jumps (publisher restart) never grows the list past the window.
    if (this.pending.length > this.depth + 1) this.pending.splice(0, this.pending.length - this.depth - 1);
    if (dts > pts) dts = pts;
    if (dts <= this.lastDts) dts = this.lastDts + 1;
    this.lastDts = dts;
    return dts;
  }
}

function insertSorted(a: number[], v: number): void {
  let i = a.length;
  while (i > 0 && a[i - 1]! > v) i--;
  a.splice(i, 0, v);
}
