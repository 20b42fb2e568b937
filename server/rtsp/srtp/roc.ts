// The SRTP rollover counter (RFC 3711 §3.3.1): which 2^16 cycle a sequence number belongs to, estimated from the highest one seen.

const HALF = 0x8000;

/**
 * One SSRC's packet-index state (ROC and s_l). Sender and receiver run the same estimate, so they
 * agree on every packet's index as long as neither sees a jump of more than 2^15 packets; the
 * start value comes from MIKEY's CS ID map (RFC 3830 §6.1), where both sides learn it.
 */
export class RolloverCounter {
  private started = false;
  private highest = 0;

  constructor(private roc = 0) {}

  /** The ROC agreed for the next packet: the one a MIKEY message announces. */
  get current(): number {
    return this.roc;
  }

  /** §3.3.1's guess v for `seq` (may be the cycle before or after the current one); -1 before cycle 0. */
  estimate(seq: number): number {
    if (!this.started) return this.roc;
    if (this.highest < HALF) return seq - this.highest > HALF ? this.roc - 1 : this.roc;
    return this.highest - HALF > seq ? this.roc + 1 : this.roc;
  }

  /** Records that `seq` was sent (or authenticated) in cycle `v`: the state only moves forward. */
  commit(seq: number, v: number): void {
    if (!this.started) {
      this.started = true;
      this.roc = v;
      this.highest = seq;
    } else if (v > this.roc) {
      this.roc = v;
      this.highest = seq;
    } else if (v === this.roc && seq > this.highest) {
      this.highest = seq;
    }
  }

  /** Moves the state to `seq` without a packet: the first one a new reader will get, before its ROC is announced. */
  advance(seq: number): void {
    const v = this.estimate(seq);
    if (v >= 0) this.commit(seq, v);
  }
}
