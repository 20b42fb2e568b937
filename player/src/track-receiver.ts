// One received track: RTP into the jitter buffer, RTCP SRs into its RTP clock, released packets through the server's depacketizer.
import type { Track } from '../../server/media/track.js';
import type { DepacketizedFrame, Depacketizer } from '../../server/rtp/codecs/frame.js';
import { parseRtpPacket } from '../../server/rtp/packet.js';
import { createDepacketizer } from '../../server/rtp/packetizer.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { TimestampUnwrapper } from '../../server/rtp/sequence.js';
import type { TrackStats } from './engine.js';
import { JitterBuffer, type JitterBufferOptions, type RtpPacketIn } from './jitter-buffer.js';
import { RtpClock } from './rtp-clock.js';
import { round1 } from './round.js';

export interface ReleasedFrame {
  frame: DepacketizedFrame;
  /** Unwrapped RTP time: monotonic across 32-bit wraps, for decoder timestamps. */
  rtpTime: number;
  /** Local time (performance.now) the jitter buffer released it at: its playout time. */
  playoutMs: number;
  /** How long after its playout time it left (a join's GOP-cache burst, jitter above the target). */
  lateMs: number;
  /** Late, and part of a join's GOP-cache burst (it arrived before the burst's last packet): behind the live edge. */
  behindLiveEdge: boolean;
}

const unixNow = (): number => performance.timeOrigin + performance.now();

export class TrackReceiver {
  readonly jb: JitterBuffer;
  readonly clock: RtpClock;
  private depack: Depacketizer;
  private readonly unwrap = new TimestampUnwrapper();
  framesOut = 0;
  /** Set by an RTCP BYE: the sender finished (end of a file, publisher gone). */
  bye = false;
  onFrame: (f: ReleasedFrame) => void = () => {};

  constructor(
    readonly track: Track,
    opts: Partial<JitterBufferOptions> = {},
  ) {
    this.jb = new JitterBuffer({ clockRate: track.clockRate, ...opts });
    this.clock = new RtpClock(track.clockRate);
    this.depack = createDepacketizer(track);
  }

  onRtp(bytes: Uint8Array): void {
    let p;
    try {
      p = parseRtpPacket(bytes);
    } catch {
      return; // Not RTP: nothing a player can do with it.
    }
    const now = performance.now();
    this.clock.noteArrival(p.timestamp, performance.timeOrigin + now, p.sequenceNumber);
    const pkt: RtpPacketIn = { seq: p.sequenceNumber, timestamp: p.timestamp, marker: p.marker, payload: p.payload, arrivalMs: now };
    this.jb.push(pkt);
  }

  onRtcp(bytes: Uint8Array): void {
    let packets;
    try {
      packets = parseRtcpCompound(bytes);
    } catch {
      return;
    }
    for (const p of packets) {
      if (p.type === 'sr') this.clock.onSenderReport(p);
      else if (p.type === 'bye') this.bye = true;
    }
  }

  /** Releases what is due and depacketizes it; returns when to call again (performance.now ms). */
  pump(now = performance.now()): number {
    const catchUpAt = this.jb.catchUpAtMs;
    for (const r of this.jb.pop(now)) {
      const pkt = r.packet;
      const behindLiveEdge = r.lateMs > 0 && pkt.arrivalMs < catchUpAt;
      // The depacketizer sees the sequence gap of lost packets itself and marks the frame damaged.
      const frames = this.depack.push({ payload: pkt.payload, marker: pkt.marker, timestamp: pkt.timestamp, sequenceNumber: pkt.seq });
      for (const frame of frames) {
        this.framesOut++;
        this.onFrame({ frame, rtpTime: this.unwrap.unwrap(frame.timestamp), playoutMs: r.playoutMs, lateMs: r.lateMs, behindLiveEdge });
      }
    }
    return this.jb.nextDueMs(now);
  }

  /** A new timeline (seek, PLAY after PAUSE, reconnect): held packets, the SR anchor and the depacketizer state go. */
  reset(): void {
    this.jb.reset();
    this.clock.reset();
    this.depack = createDepacketizer(this.track);
    this.bye = false;
  }

  /** The overlay's figures for this track (ms rounded to 0.1); `decoded`: frames its decoder gave out. */
  stats(decoded: number): TrackStats {
    const s = this.jb.stats();
    return {
      codec: this.track.codec,
      packets: s.packets,
      lost: s.lost,
      late: s.late + s.overdue,
      reordered: s.reordered,
      duplicates: s.duplicates,
      jitterMs: round1(s.jitterMs),
      bufferDepthMs: round1(s.depthMs),
      playoutTargetMs: round1(s.targetMs),
      networkTargetMs: round1(s.networkTargetMs),
      playoutDelayMs: round1(s.delayMs),
      framesIn: this.framesOut,
      framesDecoded: decoded,
      senderReports: this.clock.stats.reports,
    };
  }

  /** Sender wallclock (Unix ms) of an RTP timestamp: from SRs, else from arrivals. */
  wallclockMs(timestamp: number): number | undefined {
    return this.clock.wallclockMs(timestamp) ?? this.clock.arrivalWallclockMs(timestamp);
  }
}

export { unixNow };
