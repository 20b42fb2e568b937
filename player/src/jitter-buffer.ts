// Per-track RTP jitter buffer: reorders by sequence number, drops duplicates, and releases packets at their adaptive playout time.
//
// For the player (one JitterBuffer per SETUP track; runtime-neutral, clock injected):
//
//   const jb = new JitterBuffer({ clockRate: track.clockRate, now: () => performance.now() });
//   ws.onRtp = (p) => jb.push({ seq: p.seq, timestamp: p.timestamp, marker: p.marker,
//                                payload: p.payload, arrivalMs: performance.now() });
//   setInterval(() => {                         // or per animation frame; jb.nextDueMs() says when
//     for (const r of jb.pop()) {
//       if (r.gapBefore > 0) depacketizer.reset(); // lost packets just before: the frame is broken,
//                                                  // video waits for the next key frame
//       depacketizer.push(r.packet);               // released in sequence order, at playout time
//     }
//   }, 5);
//   window.tidecastStats.video = jb.stats();     // packets, lost, late, reordered, jitterMs, depthMs, targetMs...
//   jb.reset();                                  // after a seek or PLAY after PAUSE (new timeline)
//
// Packets of one frame share an RTP timestamp, so they become due together and a complete frame
// (up to its marker bit) leaves in one `pop()` when all of it is there. With B-frames, a P-frame
// leaves together with the B-frames after it (see `pop`), and `delayMs` is the delay over the
// B-frames' transit: the stream's reorder depth is not buffering the jitter buffer adds.
// Lip sync: `setMinDelayMs(x)` raises a track's target to x (e.g. both tracks to the larger of the
// two `targetMs`), as WebRTC's minimum playout delay does; `playoutTimeMs(ts)` says when a
// timestamp plays under the current delay (schedule audio there). `r.lateMs` > 0 means the
// packet arrived after its playout time (a join's GOP-cache burst, or jitter above the target):
// video still needs it for decoding; audio may drop frames that late rather than add latency.
//
// Loss. A missing packet is given up (counted `lost`, `gapBefore` on the next one) once a packet
// after it is due, so playback never stalls on it - at the `pop()` after the one that first finds
// it overdue (one event-loop turn for WebSocket messages queued behind a busy main thread), and
// later by `lossWaitMs` once packets given up on have been arriving after all: over TCP/WebSocket
// nothing is lost, only late, and for video a wait costs one late frame where a give-up costs the
// frames up to the next key frame. Packets that never come (UDP loss) teach no wait.

import { TimestampUnwrapper, seqDiff } from '../../server/rtp/sequence.js';
import { InterarrivalJitter, newJitterCounts } from './jitter-stats.js';
import type { JitterBufferOptions, JitterStats, Released, RtpPacketIn } from './jitter-types.js';
import { LossWait } from './loss-wait.js';
import { PlayoutDelay } from './playout-delay.js';
import { DecodeOrderTime } from './rtp-clock.js';
import { SeqHistory, isSeqJump } from './seq-history.js';

export type { JitterBufferOptions, JitterStats, Released, RtpPacketIn };

interface Entry<P> {
  packet: P;
  /** Unwrapped RTP timestamp in ms, relative to the first packet's. */
  mediaMs: number;
  /** Arrival + maxHoldMs: due by then at the latest. */
  deadline: number;
}

const defaultNow = (): number => globalThis.performance.now();

export class JitterBuffer<P extends RtpPacketIn = RtpPacketIn> {
  readonly clockRate: number;
  private readonly cap: number;
  private readonly maxHoldMs: number;
  private readonly now: () => number;
  private readonly delay: PlayoutDelay;
  private readonly slots: (Entry<P> | undefined)[];
  /** What became of the sequence numbers behind `next`: a duplicate or a late packet, and how late "lost" ones come. */
  private readonly history = new SeqHistory();
  private readonly lossWait: LossWait;
  /** `pop` calls, and the call that first found a gap overdue (0: none): gaps go at the next call. */
  private pops = 0;
  private overdueSeenAt = 0;
  private readonly tsUnwrap = new TimestampUnwrapper();
  private ts0 = NaN;
  /** Last unwrapped timestamp seen, for `playoutTimeMs` of a timestamp not pushed. */
  private lastTsExt = 0;
  /** The estimator's media times, in decode order (B-frames). */
  private readonly decodeOrder = new DecodeOrderTime();
  private lastEstMs = NaN;
  /** Extended seq to release next; -1 before the first packet. Offset by 2^16 to stay positive. */
  private next = -1;
  private maxHeld = -1;
  private highest = -1;
  private held = 0;
  private suspect: P | undefined;
  /** Packets of an old sequence to hand out at once after a restart. */
  private flushQueue: Released<P>[] = [];
  private pendingGap = 0;
  private readonly jitter = new InterarrivalJitter();
  private resyncCount = 0;
  private readonly counts = newJitterCounts();

  constructor(opts: JitterBufferOptions) {
    if (!(opts.clockRate > 0)) throw new Error(`clockRate must be > 0, got ${opts.clockRate}`);
    this.clockRate = opts.clockRate;
    this.cap = opts.maxPackets ?? 2048;
    if (!Number.isInteger(this.cap) || this.cap < 1 || this.cap > 65536) throw new Error(`maxPackets must be an integer 1..65536, got ${this.cap}`);
    this.now = opts.now ?? defaultNow;
    this.delay = new PlayoutDelay(opts);
    this.maxHoldMs = opts.maxHoldMs ?? 2 * this.delay.maxDelayMs;
    const maxLossWait = opts.maxLossWaitMs ?? 500;
    this.lossWait = new LossWait(maxLossWait, opts.reliableTransport ? maxLossWait : 0);
    this.slots = new Array<Entry<P> | undefined>(this.cap);
  }

  /** Packets held now. */
  get size(): number {
    return this.held;
  }

  /** In the join of a live path (PlayoutDelay): its GOP-cache burst and the catch-up after it. */
  joining(nowMs: number = this.now()): boolean {
    return this.delay.joining(nowMs);
  }

  /** A packet that arrived before this (local ms) was behind the live edge: part of a join's burst. */
  get catchUpAtMs(): number {
    return this.delay.catchUpAtMs;
  }

  /** A lower bound on the target, e.g. the other track's target for lip sync (0 removes it). */
  setMinDelayMs(ms: number): void {
    this.delay.setFloorMs(ms);
  }

  /** Takes one packet (any order, duplicates allowed); it leaves through `pop()`. */
  push(packet: P): void {
    this.counts.packets++;
    const seq = packet.seq & 0xffff;
    if (this.next < 0) this.next = seq + 0x10000;
    const d = seqDiff(seq, this.next & 0xffff);
    if (isSeqJump(d)) {
      this.onJump(packet, seq);
      return;
    }
    if (this.suspect) {
      // The jump was not confirmed by the packet after it: a stray.
      this.suspect = undefined;
      this.counts.late++;
    }
    this.accept(packet, this.next + d);
  }

  /**
   * Releases, in sequence order, every packet whose playout time has come, and everything before
   * the last such packet: gaps before it are given up, and earlier packets that are not due yet
   * leave with it. The second rule is for B-frames: a P-frame is sent before the B-frames shown
   * before it, so its own timestamp is later than when the decoder needs it; the B-frames after it
   * set its time. Without B-frames (timestamps in sequence order) it never applies.
   */
  pop(nowMs: number = this.now()): Released<P>[] {
    const out = this.flushQueue;
    this.flushQueue = [];
    if (this.held === 0) return out;
    const offset = this.delay.offsetAt(nowMs);
    let last = -1;
    let minDue = Infinity;
    for (let e = this.next, seen = 0; seen < this.held; e++) {
      const entry = this.slots[e % this.cap];
      if (!entry) continue;
      seen++;
      const due = this.dueOf(entry, offset);
      if (due <= nowMs) last = e;
      if (due < minDue) minDue = due;
    }
    const wait = this.lossWait.at(nowMs);
    this.pops++;
    let blocked = false;
    while (this.next <= last) {
      const entry = this.slots[this.next % this.cap];
      if (entry) {
        this.release(entry, this.dueOf(entry, offset), nowMs, out);
        continue;
      }
      // A gap: its packet would have played no later than anything held after it. Give it up
      // then - plus the loss wait, when "lost" packets have been turning up late (a reliable
      // transport: waiting costs a late frame, giving up costs the frames up to the next key frame).
      if (nowMs < minDue + wait) break;
      // And not in the same call that first finds it overdue: after a busy main thread the pump
      // can run before the WebSocket messages queued behind it, the missing packet among them.
      // One more turn of the event loop (a few ms) lets them in.
      if (this.overdueSeenAt === 0 || this.overdueSeenAt === this.pops) {
        this.overdueSeenAt = this.pops;
        blocked = true;
        break;
      }
      this.giveUp(this.next + 1, nowMs);
    }
    if (!blocked) this.overdueSeenAt = 0;
    return out;
  }

  /** Local time of the next release (Infinity when nothing is held): when to call `pop()` next. */
  nextDueMs(nowMs: number = this.now()): number {
    if (this.flushQueue.length > 0) return nowMs;
    const offset = this.delay.offsetAt(nowMs);
    let due = Infinity;
    for (let e = this.next, seen = 0; seen < this.held; e++) {
      const entry = this.slots[e % this.cap];
      if (!entry) continue;
      seen++;
      due = Math.min(due, this.dueOf(entry, offset));
    }
    return this.slots[this.next % this.cap] ? due : due + this.lossWait.at(nowMs);
  }

  /** Local time a given RTP timestamp plays at under the current delay (the A/V sync's video queue may use it). */
  playoutTimeMs(timestamp: number, nowMs: number = this.now()): number {
    if (Number.isNaN(this.ts0)) return nowMs;
    // Nearest unwrap against the last packet seen, without moving the unwrapper.
    const rel = this.lastTsExt + ((timestamp - (this.lastTsExt >>> 0)) | 0) - this.ts0;
    return (rel * 1000) / this.clockRate + this.delay.offsetAt(nowMs);
  }

  stats(nowMs: number = this.now()): JitterStats {
    const s = this.delay.state(nowMs);
    let depth = 0;
    if (this.held > 0) {
      const last = this.slots[this.maxHeld % this.cap];
      if (last) depth = Math.max(0, last.mediaMs + this.delay.offsetAt(nowMs) - nowMs);
    }
    return {
      ...this.counts,
      resyncs: this.resyncCount + s.resyncs,
      jitterMs: this.jitter.ms,
      depthMs: depth,
      targetMs: s.targetMs,
      networkTargetMs: s.networkTargetMs,
      delayMs: s.delayMs,
      held: this.held,
      lossWaitMs: this.lossWait.at(nowMs),
    };
  }

  /** Drops what is held and forgets the sequence and timeline (counters stay): a seek, or PLAY after PAUSE. */
  reset(): void {
    this.slots.fill(undefined);
    this.history.clear();
    this.overdueSeenAt = 0;
    this.held = 0;
    this.next = -1;
    this.maxHeld = -1;
    this.highest = -1;
    this.suspect = undefined;
    this.flushQueue = [];
    this.pendingGap = 0;
    this.jitter.restart();
    this.decodeOrder.reset();
    this.lastEstMs = NaN;
    this.delay.restart();
  }

  /** Unwraps the timestamp, feeds the jitter and delay estimators. `inOrder`: no higher sequence number came before it. */
  private entryOf(packet: P, inOrder: boolean): Entry<P> {
    const ext = this.tsUnwrap.unwrap(packet.timestamp >>> 0);
    this.lastTsExt = ext;
    if (Number.isNaN(this.ts0)) this.ts0 = ext;
    const mediaMs = ((ext - this.ts0) * 1000) / this.clockRate;
    const transit = packet.arrivalMs - mediaMs;
    // A step beyond the estimator's resync threshold is a new timeline (pause, seek), not jitter.
    this.jitter.observe(transit, this.delay.resyncMs);
    const est = this.estimatorMediaMs(mediaMs, inOrder);
    // How much media this packet moved on (in decode order): its weight in the estimator.
    const step = inOrder && Number.isFinite(this.lastEstMs) ? Math.max(0, est - this.lastEstMs) : 0;
    if (inOrder) this.lastEstMs = est;
    this.delay.observe(packet.arrivalMs - est, packet.arrivalMs, step);
    return { packet, mediaMs, deadline: packet.arrivalMs + this.maxHoldMs };
  }

  /**
   * The media time the delay estimator sees: in decode order (see DecodeOrderTime), so a B-frame
   * stream's P-frames, sent 100 ms ahead of their timestamps, do not read as 100 ms of jitter and
   * double d + 4v. The B-frames, which set the playout time (see `pop`), stay raw.
   */
  private estimatorMediaMs(mediaMs: number, inOrder: boolean): number {
    if (!inOrder) return mediaMs;
    const was = this.decodeOrder.reordering;
    const est = this.decodeOrder.next(mediaMs);
    // The first B-frame: the P-frames before it were taken raw and set a baseline 100 ms too low.
    if (this.decodeOrder.reordering && !was) this.delay.forgetBaseline();
    return est;
  }

  private dueOf(entry: Entry<P>, offset: number): number {
    return Math.min(entry.mediaMs + offset, entry.deadline);
  }

  private accept(packet: P, ext: number): void {
    const d = ext - this.next;
    if (d < 0) {
      if (this.counts.released === 0 && this.held > 0 && ext > this.maxHeld - this.cap) {
        // Nothing has left yet: a packet older than the first one is the true start, not late.
        this.next = ext;
      } else {
        if (this.history.wasReleased(ext, d)) this.counts.duplicates++;
        else {
          this.counts.late++;
          const gaveUpAt = this.history.givenUpAt(ext, d);
          if (gaveUpAt > 0) this.lossWait.noteLateArrival(packet.arrivalMs - gaveUpAt, packet.arrivalMs);
          // Its delay is what the target failed to cover: the estimator must see it.
          this.entryOf(packet, false);
        }
        return;
      }
    }
    const slot = ext % this.cap;
    if (ext < this.next + this.cap && this.slots[slot] !== undefined) {
      this.counts.duplicates++;
      return;
    }
    const entry = this.entryOf(packet, ext > this.highest);
    if (d === 0 && this.held > 0) {
      // It fills the gap everything held is waiting behind. Came after its own playout time: the
      // gap would have been given up had later packets been due, so the loss wait must cover it.
      const due = this.dueOf(entry, this.delay.offsetAt(packet.arrivalMs));
      if (packet.arrivalMs > due) this.lossWait.noteLateArrival(packet.arrivalMs - due, packet.arrivalMs);
    }
    // Beyond the window: drop the oldest held packets (and give up gaps) until it fits.
    if (ext >= this.next + this.cap) this.dropOldestUntil(ext - this.cap + 1);
    if (ext < this.highest) this.counts.reordered++;
    else this.highest = ext;
    this.slots[slot] = entry;
    this.held++;
    if (ext > this.maxHeld) this.maxHeld = ext;
  }

  /** A jump far outside the window: kept aside until the next packet says whether it was a restart. */
  private onJump(packet: P, seq: number): void {
    const s = this.suspect;
    if (s && seq === ((s.seq + 1) & 0xffff)) {
      // RFC 3550 A.1: two sequential packets make a new sequence. What is held of the old one
      // leaves at once (it would never become due against the new timeline).
      this.suspect = undefined;
      const now = this.now();
      let gap = this.pendingGap;
      for (let e = this.next; this.held > 0; e++) {
        const entry = this.slots[e % this.cap];
        if (!entry) {
          gap++;
          continue;
        }
        this.slots[e % this.cap] = undefined;
        this.held--;
        this.counts.released++;
        this.flushQueue.push({ packet: entry.packet, playoutMs: now, lateMs: 0, gapBefore: gap });
        gap = 0;
      }
      this.pendingGap = 0;
      this.history.clear();
      this.decodeOrder.reset();
      this.lastEstMs = NaN;
      this.jitter.restart();
      this.resyncCount++;
      this.next = (s.seq & 0xffff) + 0x10000;
      this.maxHeld = -1;
      this.highest = -1;
      this.accept(s, this.next);
      this.accept(packet, this.next + 1);
      return;
    }
    if (s) this.counts.late++;
    this.suspect = packet;
  }

  /** Advances `next` to `ext`, counting the holes lost (their playout time passed). */
  private giveUp(ext: number, nowMs: number): void {
    while (this.next < ext) {
      this.history.markGivenUp(this.next, nowMs);
      this.counts.lost++;
      this.pendingGap++;
      this.next++;
    }
  }

  private dropOldestUntil(ext: number): void {
    while (this.next < ext) {
      const slot = this.next % this.cap;
      if (this.slots[slot]) {
        this.slots[slot] = undefined;
        this.held--;
        this.counts.overflow++;
      } else {
        this.counts.lost++;
      }
      // Dropped for room, not for time: a late arrival of it teaches nothing about waiting.
      this.history.markDropped(this.next);
      this.pendingGap++;
      this.next++;
    }
    if (this.held === 0) this.maxHeld = -1;
  }

  private release(entry: Entry<P>, due: number, nowMs: number, out: Released<P>[]): void {
    this.slots[this.next % this.cap] = undefined;
    this.held--;
    this.history.markReleased(this.next);
    this.next++;
    const lateMs = Math.max(0, nowMs - due);
    // A few ms is the caller's polling granularity; beyond one frame-ish it came late.
    if (lateMs > 0 && entry.packet.arrivalMs > due) this.counts.overdue++;
    this.counts.released++;
    out.push({ packet: entry.packet, playoutMs: due, lateMs, gapBefore: this.pendingGap });
    this.pendingGap = 0;
    if (this.held === 0) this.maxHeld = -1;
  }
}
