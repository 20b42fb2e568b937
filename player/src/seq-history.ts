// Sequence bookkeeping of the jitter buffer: RFC 3550 A.1 jump limits, and what became of the sequence numbers just behind the release point.
//
// A packet that arrives behind the release point is either a duplicate (its number was released)
// or late (its number was given up); when it was given up for time, how long ago says how long a
// wait would have saved it (see LossWait).

/** RFC 3550 A.1: beyond these a sequence step is a restart (or a stray), not reordering. */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
/** Released/given-up memory behind the window, to tell a duplicate from a late packet. */
const HISTORY = 256;

/** A step `d` from the expected sequence number that is a jump (restart or stray), not reordering. */
export function isSeqJump(d: number): boolean {
  return d > MAX_DROPOUT || d < -MAX_MISORDER;
}

/** The fate of the last HISTORY extended sequence numbers behind the release point. */
export class SeqHistory {
  /** Per extended seq modulo HISTORY: 1 released, 0 given up. */
  private readonly released = new Uint8Array(HISTORY);
  /** When each sequence number was given up for time (local ms; 0: released, or dropped for room). */
  private readonly gaveUpAt = new Float64Array(HISTORY);

  markReleased(ext: number): void {
    this.released[ext % HISTORY] = 1;
    this.gaveUpAt[ext % HISTORY] = 0;
  }

  /** Given up at `nowMs` because a packet after it was due. */
  markGivenUp(ext: number, nowMs: number): void {
    this.released[ext % HISTORY] = 0;
    this.gaveUpAt[ext % HISTORY] = nowMs;
  }

  /** Dropped for room, not for time: a late arrival of it teaches nothing about waiting. */
  markDropped(ext: number): void {
    this.released[ext % HISTORY] = 0;
    this.gaveUpAt[ext % HISTORY] = 0;
  }

  /** Whether `ext`, `d` (< 0) behind the release point, was released already: a duplicate. */
  wasReleased(ext: number, d: number): boolean {
    return d >= -HISTORY && this.released[ext % HISTORY] === 1;
  }

  /** When `ext`, `d` (< 0) behind the release point, was given up for time; 0 if it was not (or is too far back). */
  givenUpAt(ext: number, d: number): number {
    return d >= -HISTORY ? this.gaveUpAt[ext % HISTORY]! : 0;
  }

  clear(): void {
    this.released.fill(0);
    this.gaveUpAt.fill(0);
  }
}
