// Bounds jumps in a publisher's timeline: RTP time that leaps far ahead of (or back from) what arrived is rebased to continue where it was.

/**
 * RTP time is the publisher's word, and a publisher may jump it (an encoder restart, a bug, an
 * attack): a leap of 2^31 ticks made LL-HLS advertise `EXTINF:22378`, and every muxer's timeline
 * broke with it. A step that runs more than MAX_JUMP_SECONDS ahead of the arrival time it took, or
 * goes that far back, is a jump: the track's time is shifted so the unit lands where the timeline
 * was (one step on, or as much later as it really arrived, at most MAX_JUMP_SECONDS). A real gap
 * (the publisher went quiet, then resumed with time that moved as the clock did) is kept as it is.
 */
export const MAX_JUMP_SECONDS = 5;

export class TimelineJumpGuard {
  private shift = 0;
  private last: number | undefined;
  private lastArrivalMs = 0;
  /** The last forward step (clock units): where a rebased unit lands after the one before it. */
  private step = 0;
  /** Jumps rebased so far. */
  jumps = 0;

  constructor(private readonly clockRate: number) {}

  /** `time` (unwrapped RTP time) on the continuous timeline; `arrivalMs` is when its unit arrived. */
  next(time: number, arrivalMs: number): number {
    let t = time + this.shift;
    const last = this.last;
    if (last !== undefined) {
      const max = MAX_JUMP_SECONDS * this.clockRate;
      const arrived = Math.max(0, ((arrivalMs - this.lastArrivalMs) * this.clockRate) / 1000);
      const d = t - last;
      if (d > arrived + max || d < -max) {
        const target = last + Math.round(Math.min(Math.max(arrived, this.step, 1), max));
        this.shift += target - t;
        t = target;
        this.jumps++;
      } else if (d > 0) {
        this.step = d;
      }
    }
    this.last = t;
    this.lastArrivalMs = arrivalMs;
    return t;
  }
}
