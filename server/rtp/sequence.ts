// RTP sequence/timestamp arithmetic and receiver statistics (RFC 3550 A.1, A.3, A.8), shared by server and player.

import type { RtcpReportBlock } from './rtcp.js';

/** Signed difference a - b of two 16-bit sequence numbers, in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  return ((a - b + 0x8000) & 0xffff) - 0x8000;
}

/** Turns wrapping 16-bit sequence numbers into a monotonic count (each step is the nearest one). */
export class SequenceUnwrapper {
  private last = -1;
  private value = 0;
  unwrap(seq: number): number {
    seq &= 0xffff;
    if (this.last < 0) this.value = seq;
    else this.value += seqDiff(seq, this.last);
    this.last = seq;
    return this.value;
  }
}

/** Turns wrapping 32-bit RTP timestamps into a monotonic number (each step is the nearest one). */
export class TimestampUnwrapper {
  private last = -1;
  private value = 0;
  unwrap(ts: number): number {
    ts >>>= 0;
    // ToInt32 of the difference is the signed 32-bit delta, so a wrap at 2^32 steps forward.
    if (this.last < 0) this.value = ts;
    else this.value += (ts - this.last) | 0;
    this.last = ts;
    return this.value;
  }
}

const RTP_SEQ_MOD = 0x10000;
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;

export interface ReceiverStatsOptions {
  /**
   * Sequential packets required before a source counts (RFC 3550 A.1 MIN_SEQUENTIAL). Default 0:
   * our sources are negotiated by RTSP SETUP, so the first packet is trusted; probation exists for
   * strangers appearing in multicast sessions.
   */
  probation?: number;
}

/** Per-source reception statistics for RTCP receiver report blocks. */
export class ReceiverStats {
  private readonly minSequential: number;
  private started = false;
  private probation = 0;
  private maxSeq = 0;
  private cycles = 0;
  private baseSeq = 0;
  private badSeq = RTP_SEQ_MOD + 1;
  private receivedCount = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private transit = 0;
  private hasTransit = false;
  private jitterValue = 0;
  private readonly tsUnwrap = new TimestampUnwrapper();
  private lastSr = 0;
  private lastSrArrivalMs = -1;

  constructor(opts: ReceiverStatsOptions = {}) {
    this.minSequential = opts.probation ?? 0;
  }

  private initSeq(seq: number): void {
    this.baseSeq = seq;
    this.maxSeq = seq;
    this.badSeq = RTP_SEQ_MOD + 1;
    this.cycles = 0;
    this.receivedCount = 0;
    this.receivedPrior = 0;
    this.expectedPrior = 0;
  }

  /** RFC 3550 A.1 update_seq; returns false when the packet is not counted (probation, wild jump). */
  private updateSeq(seq: number): boolean {
    const udelta = (seq - this.maxSeq) & 0xffff;
    if (this.probation > 0) {
      if (seq === ((this.maxSeq + 1) & 0xffff)) {
        this.probation--;
        this.maxSeq = seq;
        if (this.probation === 0) {
          this.initSeq(seq);
          this.receivedCount++;
          return true;
        }
      } else {
        this.probation = this.minSequential - 1;
        this.maxSeq = seq;
      }
      return false;
    } else if (udelta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += RTP_SEQ_MOD;
      this.maxSeq = seq;
    } else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER) {
      // A very large jump: accept it only when the next packet confirms it (the sender restarted).
      if (seq === this.badSeq) {
        this.initSeq(seq);
        this.hasTransit = false;
      } else {
        this.badSeq = (seq + 1) & 0xffff;
        return false;
      }
    }
    // else: duplicate or reordered packet, counted as received (A.1).
    this.receivedCount++;
    return true;
  }

  /**
   * Records one packet. `arrival` is the arrival time converted to the stream's RTP clock units
   * (any origin; fractions allowed). Returns whether the packet was counted.
   */
  update(seq: number, rtpTimestamp: number, arrival: number): boolean {
    seq &= 0xffff;
    if (!this.started) {
      this.started = true;
      this.initSeq(seq);
      if (this.minSequential > 0) {
        this.maxSeq = (seq - 1) & 0xffff;
        this.probation = this.minSequential;
      } else {
        this.receivedCount = 1;
        this.updateJitter(rtpTimestamp, arrival);
        return true;
      }
    }
    if (!this.updateSeq(seq)) return false;
    this.updateJitter(rtpTimestamp, arrival);
    return true;
  }

  /** RFC 3550 A.8: J += (|D| - J) / 16, D being the change in transit time between packets. */
  private updateJitter(rtpTimestamp: number, arrival: number): void {
    const transit = arrival - this.tsUnwrap.unwrap(rtpTimestamp);
    if (this.hasTransit) {
      const d = Math.abs(transit - this.transit);
      this.jitterValue += (d - this.jitterValue) / 16;
    }
    this.transit = transit;
    this.hasTransit = true;
  }

  /** Highest sequence number received, extended with the wrap count (report block field). */
  get extendedHighestSeq(): number {
    return this.cycles + this.maxSeq;
  }
  get expected(): number {
    return this.started && this.probation === 0 ? this.extendedHighestSeq - this.baseSeq + 1 : 0;
  }
  get received(): number {
    return this.receivedCount;
  }
  /** Cumulative lost packets; negative when duplicates outnumber losses (RFC 3550 §6.4.1). */
  get lost(): number {
    return this.expected - this.receivedCount;
  }
  /** Interarrival jitter in RTP clock units (unrounded). */
  get jitter(): number {
    return this.jitterValue;
  }
  /** Fraction lost since the last `markReported()`, as the 8-bit fixed point of RFC 3550 A.3. */
  get fractionLost(): number {
    const expectedInterval = this.expected - this.expectedPrior;
    const lostInterval = expectedInterval - (this.receivedCount - this.receivedPrior);
    if (expectedInterval <= 0 || lostInterval <= 0) return 0;
    return Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
  }
  /** Starts a new fraction-lost interval (call after sending a report). */
  markReported(): void {
    this.expectedPrior = this.expected;
    this.receivedPrior = this.receivedCount;
  }

  /** Notes a sender report for LSR/DLSR: `ntpMiddle32` of its NTP time, and when it arrived. */
  onSenderReport(ntpMiddle: number, arrivalMs: number): void {
    this.lastSr = ntpMiddle >>> 0;
    this.lastSrArrivalMs = arrivalMs;
  }

  /** Builds this source's report block and starts a new interval. */
  reportBlock(ssrc: number, nowMs: number): RtcpReportBlock {
    const block: RtcpReportBlock = {
      ssrc: ssrc >>> 0,
      fractionLost: this.fractionLost,
      cumulativeLost: Math.max(-0x800000, Math.min(0x7fffff, this.lost)),
      highestSeq: this.extendedHighestSeq >>> 0,
      jitter: Math.floor(this.jitterValue) >>> 0,
      lastSr: this.lastSrArrivalMs < 0 ? 0 : this.lastSr,
      // DLSR is in units of 1/65536 s (RFC 3550 §6.4.1).
      delaySinceLastSr:
        this.lastSrArrivalMs < 0 ? 0 : Math.max(0, Math.floor(((nowMs - this.lastSrArrivalMs) * 65536) / 1000)) >>> 0,
    };
    this.markReported();
    return block;
  }
}
