// Puts a publisher's UDP RTP back in sequence order, waiting a bounded time and memory for gaps.
import { seqDiff } from './sequence.js';

export interface ReorderOptions {
  /** Most packets held behind a gap; one more arriving gives up on the gap. Default 64. */
  maxPackets?: number;
  /** Longest a packet waits behind a gap, checked on `push` and `flush`. Default 50 ms. */
  maxDelayMs?: number;
}

export interface ReorderStats {
  /** Packets handed out, in order. */
  released: number;
  /** Sequence numbers given up on (never arrived within the window). */
  lost: number;
  /** Packets already released or already held. */
  duplicates: number;
  /** Packets arriving after their place was given up, or strays far outside the window. */
  late: number;
  /** Packets that arrived after a higher-numbered one (they filled a gap). */
  reordered: number;
  /** Sequence restarts accepted (a jump confirmed by the packet after it). */
  resyncs: number;
}

/**
 * RFC 3550 A.1's limits: a jump ahead of more than MAX_DROPOUT or back more than MAX_MISORDER is
 * not a reordering but a restarted sender (or garbage) until the next packet confirms it.
 */
const MAX_DROPOUT = 3000;
const MAX_MISORDER = 100;
/** Released/lost memory behind the window, to tell a duplicate from a late packet. */
const HISTORY = 128;

interface Held<T> {
  pkt: T;
  at: number;
}

/**
 * Reorders one RTP stream. In-order packets pass straight through (no delay); a packet after a
 * gap waits until the gap fills, `maxDelayMs` passes or `maxPackets` are waiting, then the gap is
 * counted lost. Memory is bounded: `maxPackets` slots, a 128-bit history, one suspect packet.
 */
export class ReorderBuffer<T extends { seq: number }> {
  private readonly cap: number;
  private readonly maxDelay: number;
  /** Slots by extended sequence number modulo `cap + 1`: held packets are at most `cap` ahead. */
  private readonly slots: (Held<T> | undefined)[];
  /** Per extended seq modulo HISTORY behind `next`: 1 released, 0 given up. */
  private readonly history = new Uint8Array(HISTORY);
  /** Extended (unwrapped) sequence number expected next; -1 before the first packet. */
  private next = -1;
  private held = 0;
  /** Highest extended seq held, to tell a gap-filling (reordered) packet. */
  private maxHeld = -1;
  private suspect: T | undefined;
  /** Earliest arrival among held packets; recomputed (one window scan) only after one leaves. */
  private oldestAt = Infinity;
  private oldestStale = false;
  private readonly counts: ReorderStats = { released: 0, lost: 0, duplicates: 0, late: 0, reordered: 0, resyncs: 0 };

  constructor(opts: ReorderOptions = {}) {
    this.cap = opts.maxPackets ?? 64;
    this.maxDelay = opts.maxDelayMs ?? 50;
    if (!Number.isInteger(this.cap) || this.cap < 1 || this.cap > 4096) throw new Error(`maxPackets must be an integer 1..4096, got ${this.cap}`);
    if (!(this.maxDelay >= 0)) throw new Error(`maxDelayMs must be >= 0, got ${this.maxDelay}`);
    this.slots = new Array<Held<T> | undefined>(this.cap + 1);
  }

  get stats(): ReorderStats {
    return { ...this.counts };
  }

  /** Packets waiting behind a gap. */
  get size(): number {
    return this.held;
  }

  /** Takes one packet; returns the packets now released, in sequence order (often just this one). */
  push(pkt: T, nowMs: number): T[] {
    const out: T[] = [];
    const seq = pkt.seq & 0xffff;
    if (this.next < 0) this.start(seq);
    const d = seqDiff(seq, this.next & 0xffff);
    if (d > MAX_DROPOUT || d < -MAX_MISORDER) {
      this.onJump(pkt, seq, nowMs, out);
      return out;
    }
    if (this.suspect) {
      // The jump was not confirmed: it was a stray.
      this.suspect = undefined;
      this.counts.late++;
    }
    this.accept(pkt, this.next + d, nowMs, out);
    this.expire(nowMs, out);
    return out;
  }

  /** Releases what waited past `maxDelayMs` (call on a timer: a stalled sender pushes nothing). */
  flush(nowMs: number): T[] {
    const out: T[] = [];
    this.expire(nowMs, out);
    return out;
  }

  /** Releases everything held, in order, giving up on every gap (end of stream). */
  drain(): T[] {
    const out: T[] = [];
    this.drainInto(out);
    return out;
  }

  private start(seq: number): void {
    // Offset by 2^16 so the extended numbers behind the window stay positive (array indexes).
    this.next = seq + 0x10000;
  }

  private accept(pkt: T, ext: number, nowMs: number, out: T[]): void {
    const d = ext - this.next;
    if (d < 0) {
      if (d >= -HISTORY && this.history[ext % HISTORY] === 1) this.counts.duplicates++;
      else this.counts.late++;
      return;
    }
    // Beyond the window: give up on the oldest gaps until this packet fits.
    if (d > this.cap) this.skipTo(ext - this.cap, out);
    const slot = ext % (this.cap + 1);
    if (ext > this.next && this.slots[slot] !== undefined) {
      this.counts.duplicates++;
      return;
    }
    if (this.held > 0 && ext < this.maxHeld) this.counts.reordered++;
    if (ext === this.next) {
      this.release(pkt, out);
      this.releaseRun(out);
      return;
    }
    this.slots[slot] = { pkt, at: nowMs };
    this.held++;
    if (nowMs < this.oldestAt) this.oldestAt = nowMs;
    if (ext > this.maxHeld) this.maxHeld = ext;
  }

  /** A jump far outside the window: kept aside until the next packet says whether it was a restart. */
  private onJump(pkt: T, seq: number, nowMs: number, out: T[]): void {
    const s = this.suspect;
    if (s && seq === ((s.seq + 1) & 0xffff)) {
      // RFC 3550 A.1: two sequential packets make a new sequence. Hand out the old one's
      // remainder first, then restart the window at the suspect.
      this.suspect = undefined;
      this.drainInto(out);
      this.counts.resyncs++;
      this.history.fill(0);
      this.start(s.seq & 0xffff);
      this.accept(s, this.next, nowMs, out);
      this.accept(pkt, this.next, nowMs, out);
      return;
    }
    if (s) this.counts.late++;
    this.suspect = pkt;
    this.expire(nowMs, out);
  }

  private drainInto(out: T[]): void {
    if (this.held > 0) this.skipTo(this.maxHeld, out);
  }

  /** Gives up on gaps while the oldest held packet has waited `maxDelayMs`. */
  private expire(nowMs: number, out: T[]): void {
    while (this.held > 0) {
      if (this.oldestStale) {
        this.oldestStale = false;
        this.oldestAt = Infinity;
        for (let e = this.next + 1; e <= this.maxHeld; e++) {
          const h = this.slots[e % (this.cap + 1)];
          if (h && h.at < this.oldestAt) this.oldestAt = h.at;
        }
      }
      if (nowMs - this.oldestAt < this.maxDelay) return;
      let first = this.next + 1;
      while (!this.slots[first % (this.cap + 1)]) first++;
      this.skipTo(first, out);
    }
  }

  /** Advances to `ext`, releasing held packets and counting holes lost, then releases the run there. */
  private skipTo(ext: number, out: T[]): void {
    while (this.next < ext) {
      const slot = this.next % (this.cap + 1);
      const h = this.slots[slot];
      if (h) {
        this.unhold(slot);
        this.release(h.pkt, out);
      } else {
        this.history[this.next % HISTORY] = 0;
        this.counts.lost++;
        this.next++;
      }
    }
    this.releaseRun(out);
  }

  /** Releases the consecutive held packets at `next`. */
  private releaseRun(out: T[]): void {
    while (this.held > 0) {
      const slot = this.next % (this.cap + 1);
      const h = this.slots[slot];
      if (!h) break;
      this.unhold(slot);
      this.release(h.pkt, out);
    }
    if (this.held === 0) {
      this.maxHeld = -1;
      this.oldestAt = Infinity;
      this.oldestStale = false;
    }
  }

  private unhold(slot: number): void {
    this.slots[slot] = undefined;
    this.held--;
    this.oldestStale = true;
  }

  private release(pkt: T, out: T[]): void {
    out.push(pkt);
    this.history[this.next % HISTORY] = 1;
    this.counts.released++;
    this.next++;
  }
}
