// Maps one track's RTP timestamps to the sender's wallclock from RTCP sender reports (RFC 3550 §6.4.1), with an arrival-time fallback.
//
// For the player (one RtpClock per track, fed from the RTCP channel of that track):
//
//   const clock = new RtpClock(track.clockRate);
//   for (const p of parseRtcpCompound(bytes)) if (p.type === 'sr') clock.onSenderReport(p);
//   clock.noteArrival(rtp.timestamp, unixNowMs, rtp.seq); // every RTP packet: the fallback before the first SR
//   clock.wallclockMs(ts);                          // sender wallclock (Unix ms) of ts, or undefined
//   clock.reset();                                  // after a seek, or PLAY after PAUSE: a new timeline
//
// wall(ts) = NTP_sr + (ts - RTP_sr) / clock. The difference is taken as a signed 32-bit number, so
// RTP timestamps wrap at 2^32 transparently (valid within 2^31 ticks of the last SR: 6.6 h at
// 90 kHz). Each accepted SR re-anchors the map (refit): a sender's RTP clock drifts against its
// NTP clock, and the newest pair is the best one.

import { unixMsFromNtp } from '../../server/rtp/ntp.js';

export interface SenderReportTimes {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
}

export interface RtpClockOptions {
  /**
   * A new SR whose NTP time disagrees with what the previous SR predicts for its RTP time by more
   * than this is insane, unless the next SR confirms the new timeline. Default 1000 ms.
   */
  maxJumpMs?: number;
}

/**
 * Media time on the sender's sending clock for a stream sent in decode order. With B-frames each
 * P-frame's timestamp runs ahead of the B-frames that follow it by the reorder depth (100 ms for
 * x264's defaults at 30 fps), and Tidecast (like any paced sender) sends it that much early.
 * Taken raw, arrival - timestamp splits into two clusters that far apart: a jitter estimate sees
 * 100 ms of jitter that is not there, a minimum-transit map is 100 ms early. A packet that raises
 * the highest timestamp while timestamps went backwards in the last 64 frames is counted at the
 * previous highest instead - its decode time in a regular GOP; the B-frames stay raw (64 frames:
 * 2 s at 30 fps, longer than any B-frame spacing). Without
 * B-frames no timestamp goes backwards and every time passes through unchanged.
 * Feed packets in sequence order only (a reordered arrival says nothing about decode order).
 */
export class DecodeOrderTime {
  private maxMs = -Infinity;
  private maxEst = -Infinity;
  /** Frames (runs of one timestamp) seen, and the frame count when a timestamp last went backwards. */
  private frames = 0;
  private lastMs = NaN;
  private lastBackward = -Infinity;

  /** True once a timestamp went backwards: the stream has B-frames. */
  get reordering(): boolean {
    return this.lastBackward !== -Infinity;
  }

  /** The sending-clock media time (ms) of the next packet in sequence order, given its own. */
  next(mediaMs: number): number {
    // Counted in frames, not packets: a key frame of 150 packets must not end the B-frame spell.
    if (mediaMs !== this.lastMs) this.frames++;
    this.lastMs = mediaMs;
    const n = this.frames;
    if (mediaMs < this.maxMs) {
      this.lastBackward = n;
      return mediaMs;
    }
    if (mediaMs === this.maxMs) return this.maxEst;
    const est = n - this.lastBackward <= 64 ? this.maxMs : mediaMs;
    this.maxMs = mediaMs;
    this.maxEst = est;
    return est;
  }

  reset(): void {
    this.maxMs = -Infinity;
    this.maxEst = -Infinity;
    this.lastMs = NaN;
    this.lastBackward = -Infinity;
  }
}

export type SenderReportVerdict = 'first' | 'accepted' | 'rejected' | 'adopted';

export class RtpClock {
  readonly clockRate: number;
  private readonly maxJumpMs: number;
  private srNtpMs = NaN;
  private srRtp = 0;
  /** A rejected SR kept to see whether the next one agrees with it (a sender restart). */
  private candidate: { ntpMs: number; rtp: number } | undefined;
  /** Fallback before the first SR: minimum of (arrival - media time) over the packets seen. */
  private arrivalRtp = NaN;
  private arrivalBaseMs = Infinity;
  private arrivalHighestSeq = -1;
  private readonly decodeOrder = new DecodeOrderTime();
  private counts = { reports: 0, rejected: 0 };

  constructor(clockRate: number, opts: RtpClockOptions = {}) {
    if (!(clockRate > 0)) throw new Error(`clockRate must be > 0, got ${clockRate}`);
    this.clockRate = clockRate;
    this.maxJumpMs = opts.maxJumpMs ?? 1000;
  }

  /** True once a sender report has anchored the map. */
  get synced(): boolean {
    return !Number.isNaN(this.srNtpMs);
  }

  /** Sender reports accepted, and rejected as backward or insane. */
  get stats(): { reports: number; rejected: number } {
    return { ...this.counts };
  }

  /** Takes an SR (a parsed `{ type: 'sr' }` from server/rtp/rtcp.ts fits); says what it did with it. */
  onSenderReport(sr: SenderReportTimes): SenderReportVerdict {
    const ntpMs = unixMsFromNtp(sr.ntpSeconds, sr.ntpFraction);
    const rtp = sr.rtpTimestamp >>> 0;
    if (!Number.isFinite(ntpMs)) return this.reject();
    if (!this.synced) {
      this.anchor(ntpMs, rtp);
      return 'first';
    }
    const dNtp = ntpMs - this.srNtpMs;
    const predicted = this.srNtpMs + this.ticksToMs(rtp, this.srRtp);
    // Backward: RFC 3550 §6.4.1 says the NTP timestamp is the time the report was sent, so a
    // later report with an earlier time is a reordered or bogus one (a restarted sender is caught
    // by the candidate rule below, once its reports agree among themselves).
    const sane = dNtp >= 0 && Math.abs(ntpMs - predicted) <= this.maxJumpMs;
    if (sane) {
      this.anchor(ntpMs, rtp);
      return 'accepted';
    }
    const c = this.candidate;
    if (c && ntpMs > c.ntpMs && Math.abs(ntpMs - (c.ntpMs + this.ticksToMs(rtp, c.rtp))) <= this.maxJumpMs) {
      this.anchor(ntpMs, rtp);
      return 'adopted';
    }
    this.candidate = { ntpMs, rtp };
    return this.reject();
  }

  /** Sender wallclock (Unix ms) of an RTP timestamp, or undefined before the first SR. */
  wallclockMs(timestamp: number): number | undefined {
    if (!this.synced) return undefined;
    return this.srNtpMs + this.ticksToMs(timestamp >>> 0, this.srRtp);
  }

  /**
   * Notes a packet's arrival (Unix ms, receiver clock) for the fallback map. The fallback maps ts
   * to the arrival of the fastest packet so far: wall(ts) = min(arrival - media) + media(ts).
   * The minimum rather than literally the first packet, because a join begins with a GOP-cache
   * burst whose first packets are seconds old; media time in decode order (DecodeOrderTime), so
   * a B-frame stream's P-frames do not pull the map 100 ms early. With `seq`, packets that arrive
   * after a higher sequence number are left out (a reordered packet came late: not the fastest).
   */
  noteArrival(timestamp: number, arrivalUnixMs: number, seq?: number): void {
    if (seq !== undefined) {
      const s = seq & 0xffff;
      if (this.arrivalHighestSeq >= 0 && ((s - this.arrivalHighestSeq) & 0xffff) >= 0x8000) return;
      this.arrivalHighestSeq = s;
    }
    if (Number.isNaN(this.arrivalRtp)) this.arrivalRtp = timestamp >>> 0;
    const wasReordering = this.decodeOrder.reordering;
    const media = this.decodeOrder.next(this.ticksToMs(timestamp >>> 0, this.arrivalRtp));
    // The first B-frame shows the P-frames before it were taken raw: start the minimum again.
    if (this.decodeOrder.reordering && !wasReordering) this.arrivalBaseMs = Infinity;
    const base = arrivalUnixMs - media;
    if (base < this.arrivalBaseMs) this.arrivalBaseMs = base;
  }

  /**
   * Receiver-clock estimate of when ts was sent, from arrivals, before any SR. Its error is the
   * track's minimum one-way delay (a constant the e2e latency cannot see: on loopback < 1 ms) plus,
   * between two tracks, the difference of their minimum delays and of the sender's send times for
   * equal wallclock (capture and packetization offsets) - unbounded in principle, a few ms for a
   * file served by Tidecast, whose tracks leave paced on one clock. SRs replace it.
   */
  arrivalWallclockMs(timestamp: number): number | undefined {
    if (!Number.isFinite(this.arrivalBaseMs)) return undefined;
    return this.arrivalBaseMs + this.ticksToMs(timestamp >>> 0, this.arrivalRtp);
  }

  /** Forgets the SR anchor and the arrival fallback (counters stay). */
  reset(): void {
    this.srNtpMs = NaN;
    this.candidate = undefined;
    this.arrivalRtp = NaN;
    this.arrivalBaseMs = Infinity;
    this.arrivalHighestSeq = -1;
    this.decodeOrder.reset();
  }

  /** (ts - ref) in ms, the difference read as a signed 32-bit count of ticks (wraps at 2^32). */
  private ticksToMs(ts: number, ref: number): number {
    return (((ts - ref) | 0) * 1000) / this.clockRate;
  }

  private anchor(ntpMs: number, rtp: number): void {
    this.srNtpMs = ntpMs;
    this.srRtp = rtp;
    this.candidate = undefined;
    this.counts.reports++;
  }

  private reject(): 'rejected' {
    this.counts.rejected++;
    return 'rejected';
  }
}
