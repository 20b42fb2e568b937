// RTP fixed header (RFC 3550 §5.1): a hand-written writer for the fan-out hot path and a validating parser.

export const RTP_HEADER_SIZE = 12;

export interface RtpHeader {
  payloadType: number;
  marker: boolean;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

export interface RtpPacket extends RtpHeader {
  /** A view into the parsed buffer (no copy): padding, CSRCs and the extension are excluded. */
  payload: Uint8Array;
  padding: boolean;
  csrc: number[];
  extension?: { profile: number; data: Uint8Array };
}

/**
 * Writes the 12-byte fixed header at `offset`. Byte-by-byte stores instead of a DataView: this
 * runs once per packet per stream (millions/s) and must not allocate. V=2, P=0, X=0, CC=0.
 */
export function writeRtpHeader(target: Uint8Array, offset: number, h: RtpHeader): void {
  const ts = h.timestamp >>> 0;
  const ssrc = h.ssrc >>> 0;
  const seq = h.sequenceNumber & 0xffff;
  target[offset] = 0x80;
  target[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  target[offset + 2] = seq >>> 8;
  target[offset + 3] = seq & 0xff;
  target[offset + 4] = ts >>> 24;
  target[offset + 5] = (ts >>> 16) & 0xff;
  target[offset + 6] = (ts >>> 8) & 0xff;
  target[offset + 7] = ts & 0xff;
  target[offset + 8] = ssrc >>> 24;
  target[offset + 9] = (ssrc >>> 16) & 0xff;
  target[offset + 10] = (ssrc >>> 8) & 0xff;
  target[offset + 11] = ssrc & 0xff;
}

/** Header + payload in one allocation. */
export function buildRtpPacket(h: RtpHeader, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(RTP_HEADER_SIZE + payload.length);
  writeRtpHeader(out, 0, h);
  out.set(payload, RTP_HEADER_SIZE);
  return out;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function parseRtpPacket(buf: Uint8Array): RtpPacket {
  if (buf.length < RTP_HEADER_SIZE) {
    throw new Error(`RTP packet too short: ${buf.length} bytes, the fixed header alone is 12`);
  }
  const b0 = buf[0]!;
  const version = b0 >>> 6;
  if (version !== 2) throw new Error(`RTP version ${version} not supported: only version 2 exists (RFC 3550 §5.1)`);
  const padding = (b0 & 0x20) !== 0;
  const hasExtension = (b0 & 0x10) !== 0;
  const cc = b0 & 0x0f;
  const b1 = buf[1]!;
  let off = RTP_HEADER_SIZE;
  if (buf.length < off + cc * 4) {
    throw new Error(`RTP packet too short for its ${cc} CSRC entries: ${buf.length} bytes`);
  }
  const csrc: number[] = [];
  for (let i = 0; i < cc; i++, off += 4) csrc.push(u32(buf, off));
  let extension: RtpPacket['extension'];
  if (hasExtension) {
    // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words excluding this 4-byte header.
    if (buf.length < off + 4) throw new Error('RTP header extension truncated: X bit set but no extension header');
    const profile = (buf[off]! << 8) | buf[off + 1]!;
    const words = (buf[off + 2]! << 8) | buf[off + 3]!;
    off += 4;
    if (buf.length < off + words * 4) {
      throw new Error(`RTP header extension overruns the packet: ${words} words declared, ${buf.length - off} bytes left`);
    }
    extension = { profile, data: buf.subarray(off, off + words * 4) };
    off += words * 4;
  }
  let end = buf.length;
  if (padding) {
    // RFC 3550 §5.1: the last octet counts the padding octets, itself included; zero is invalid.
    const pad = buf[buf.length - 1]!;
    if (pad === 0 || end - pad < off) {
      throw new Error(`RTP padding length ${pad} is invalid for a ${buf.length}-byte packet with a ${off}-byte header`);
    }
    end -= pad;
  }
  const pkt: RtpPacket = {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    sequenceNumber: (buf[2]! << 8) | buf[3]!,
    timestamp: u32(buf, 4),
    ssrc: u32(buf, 8),
    payload: buf.subarray(off, end),
    padding,
    csrc,
  };
  if (extension) pkt.extension = extension;
  return pkt;
}

/**
 * RFC 5761 §4: when RTP and RTCP share a channel, RTCP packet types 192..223 land in the second
 * byte's range that no RTP payload type (with the marker bit) should use.
 */
export function isRtcpPacket(buf: Uint8Array): boolean {
  if (buf.length < 2) return false;
  const pt = buf[1]!;
  return (buf[0]! >>> 6) === 2 && pt >= 192 && pt <= 223;
}
