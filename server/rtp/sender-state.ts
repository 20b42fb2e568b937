// One outgoing RTP stream's numbering: SSRC, sequence, timestamp base and the counters an SR reports.
import { RTP_HEADER_SIZE, writeRtpHeader } from './packet.js';
import { buildBye, buildSdesCname, buildSenderReport, concatRtcp } from './rtcp.js';
import { ntpFromUnixMs } from './ntp.js';

const random32 = (): number => crypto.getRandomValues(new Uint32Array(1))[0]!;

export class RtpSenderState {
  /** RFC 3550 §8: random SSRC; §5.1: random initial sequence number and timestamp. */
  readonly ssrc = random32();
  /** Next sequence number to send (16-bit). */
  seq = random32() & 0xffff;
  /** RTP timestamp that media time 0 maps to. */
  readonly timestampBase = random32();
  packetCount = 0;
  octetCount = 0;
  /** Timestamp of the last packet sent, for an SR sent while nothing is flowing. */
  lastTimestamp: number;

  constructor(
    readonly payloadType: number,
    readonly clockRate: number,
    readonly cname: string,
  ) {
    this.lastTimestamp = this.timestampBase;
  }

  /** RTP timestamp for a media time given in clock units. */
  timestampAt(mediaUnits: number): number {
    return (this.timestampBase + mediaUnits) >>> 0;
  }

  /**
   * Serializes one packet (header + payload) into a buffer with `headroom` free bytes in front,
   * so a TCP sender can fill the 4-byte interleaved header without a second copy.
   */
  packet(payload: Uint8Array, marker: boolean, timestamp: number, headroom = 0): Uint8Array {
    const out = new Uint8Array(headroom + RTP_HEADER_SIZE + payload.length);
    writeRtpHeader(out, headroom, {
      payloadType: this.payloadType,
      marker,
      sequenceNumber: this.seq,
      timestamp,
      ssrc: this.ssrc,
    });
    out.set(payload, headroom + RTP_HEADER_SIZE);
    this.seq = (this.seq + 1) & 0xffff;
    this.packetCount++;
    this.octetCount += payload.length;
    this.lastTimestamp = timestamp;
    return out;
  }

  /** SR + SDES CNAME compound (RFC 3550 §6.1: every compound starts with SR/RR and carries CNAME). */
  senderReport(rtpTimestamp: number, wallMs: number): Uint8Array {
    const ntp = ntpFromUnixMs(wallMs);
    return concatRtcp(
      buildSenderReport({
        ssrc: this.ssrc,
        ntpSeconds: ntp.seconds,
        ntpFraction: ntp.fraction,
        rtpTimestamp: rtpTimestamp >>> 0,
        packetCount: this.packetCount,
        octetCount: this.octetCount,
      }),
      buildSdesCname(this.ssrc, this.cname),
    );
  }

  /** SR + SDES + BYE: the end of this stream (RFC 3550 §6.6). */
  bye(rtpTimestamp: number, wallMs: number, reason?: string): Uint8Array {
    return concatRtcp(this.senderReport(rtpTimestamp, wallMs), buildBye([this.ssrc], reason));
  }
}
