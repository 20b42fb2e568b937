// One RTP track's clock on a stream-wide timeline: 32-bit timestamps unwrapped, anchored to wallclock once.
import { unixMsFromNtp } from '../rtp/ntp.js';

/** An RTCP sender report's pairing of wallclock and RTP time (RFC 3550 §6.4.1). */
export interface SrAnchor {
  wallMs: number;
  rtpTime: number;
}

/**
 * Maps RTP timestamps to the stream timeline. The anchor (RTP time <-> Unix ms) is fixed at the
 * track's first unit: from the publisher's latest SR when one is known (what lip sync needs: the
 * tracks' random RTP offsets are only related through SR wallclocks), else from the arrival time.
 * It is not moved by later SRs: a jump in pts would break every muxer's timeline, and a
 * publisher's SRs agree with each other to within its own clock drift.
 */
export class TrackClock {
  private extended = 0;
  private lastTs = -1;
  private anchorRtp = 0;
  private anchorWallMs = 0;
  private anchored = false;
  latestSr: SrAnchor | undefined;

  constructor(readonly clockRate: number) {}

  noteSenderReport(ntpSeconds: number, ntpFraction: number, rtpTime: number): void {
    this.latestSr = { wallMs: unixMsFromNtp(ntpSeconds, ntpFraction), rtpTime: rtpTime >>> 0 };
  }

  /** The 32-bit timestamp extended to a monotonic-ish 53-bit count (wraps every 13 h at 90 kHz). */
  unwrap(ts: number): number {
    ts >>>= 0;
    if (this.lastTs < 0) {
      this.extended = ts;
    } else {
      // Signed 32-bit difference: handles the wrap and B-frame steps backwards.
      const d = ((ts - this.lastTs + 0x80000000) >>> 0) - 0x80000000;
      this.extended += d;
    }
    this.lastTs = ts;
    return this.extended;
  }

  /** Unix ms of an unwrapped RTP time; the first call fixes the anchor from the SR or `arrivalMs`. */
  wallMsOf(extended: number, arrivalMs: number): number {
    if (!this.anchored) {
      this.anchored = true;
      const sr = this.latestSr;
      if (sr) {
        const d = ((((extended >>> 0) - sr.rtpTime + 0x80000000) >>> 0) - 0x80000000) / this.clockRate;
        this.anchorWallMs = sr.wallMs + d * 1000;
      } else {
        this.anchorWallMs = arrivalMs;
      }
      this.anchorRtp = extended;
    }
    return this.anchorWallMs + ((extended - this.anchorRtp) * 1000) / this.clockRate;
  }
}
