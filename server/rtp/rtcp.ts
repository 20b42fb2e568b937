// RTCP (RFC 3550 §6): builders for SR, RR, SDES CNAME, BYE and compounds, and a validating compound parser.
import { concatBytes } from '../media/bytes.js';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

export interface RtcpReportBlock {
  ssrc: number;
  /** 8-bit fixed point fraction, 0..255. */
  fractionLost: number;
  /** Signed 24-bit: negative when duplicates outnumber losses (RFC 3550 §6.4.1). */
  cumulativeLost: number;
  /** Extended highest sequence number received. */
  highestSeq: number;
  jitter: number;
  /** Middle 32 bits of the last SR's NTP timestamp. */
  lastSr: number;
  /** Units of 1/65536 s. */
  delaySinceLastSr: number;
}

export interface RtcpSenderInfo {
  ntpSeconds: number;
  ntpFraction: number;
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface SenderReportInit extends RtcpSenderInfo {
  ssrc: number;
  reports?: RtcpReportBlock[];
}

export interface RtcpSdesItem {
  /** 1 CNAME, 2 NAME, 3 EMAIL, ... 8 PRIV (RFC 3550 §6.5). */
  type: number;
  text: string;
}
export interface RtcpSdesChunk {
  ssrc: number;
  items: RtcpSdesItem[];
}

export type RtcpPacket =
  | ({ type: 'sr'; ssrc: number; reports: RtcpReportBlock[] } & RtcpSenderInfo)
  | { type: 'rr'; ssrc: number; reports: RtcpReportBlock[] }
  | { type: 'sdes'; chunks: RtcpSdesChunk[] }
  | { type: 'bye'; ssrcs: number[]; reason?: string }
  | { type: 'app'; subtype: number; ssrc: number; name: string; data: Uint8Array }
  | { type: 'unknown'; packetType: number; count: number; raw: Uint8Array };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function header(out: DataView, off: number, count: number, pt: number, totalBytes: number): void {
  out.setUint8(off, 0x80 | count);
  out.setUint8(off + 1, pt);
  // Length in 32-bit words minus one (RFC 3550 §6.4.1), so a header-only packet has length 0.
  out.setUint16(off + 2, totalBytes / 4 - 1);
}

function writeReportBlock(v: DataView, off: number, b: RtcpReportBlock): void {
  v.setUint32(off, b.ssrc >>> 0);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(b.cumulativeLost)));
  v.setUint32(off + 4, (((b.fractionLost & 0xff) << 24) | (lost & 0xffffff)) >>> 0);
  v.setUint32(off + 8, b.highestSeq >>> 0);
  v.setUint32(off + 12, b.jitter >>> 0);
  v.setUint32(off + 16, b.lastSr >>> 0);
  v.setUint32(off + 20, b.delaySinceLastSr >>> 0);
}

function checkBlockCount(n: number): void {
  if (n > 31) throw new Error(`RTCP report holds at most 31 report blocks (5-bit count), got ${n}`);
}

export function buildSenderReport(init: SenderReportInit): Uint8Array {
  const reports = init.reports ?? [];
  checkBlockCount(reports.length);
  const out = new Uint8Array(28 + 24 * reports.length);
  const v = new DataView(out.buffer);
  header(v, 0, reports.length, RTCP_SR, out.length);
  v.setUint32(4, init.ssrc >>> 0);
  v.setUint32(8, init.ntpSeconds >>> 0);
  v.setUint32(12, init.ntpFraction >>> 0);
  v.setUint32(16, init.rtpTimestamp >>> 0);
  v.setUint32(20, init.packetCount >>> 0);
  v.setUint32(24, init.octetCount >>> 0);
  reports.forEach((b, i) => writeReportBlock(v, 28 + 24 * i, b));
  return out;
}

export function buildReceiverReport(init: { ssrc: number; reports: RtcpReportBlock[] }): Uint8Array {
  checkBlockCount(init.reports.length);
  const out = new Uint8Array(8 + 24 * init.reports.length);
  const v = new DataView(out.buffer);
  header(v, 0, init.reports.length, RTCP_RR, out.length);
  v.setUint32(4, init.ssrc >>> 0);
  init.reports.forEach((b, i) => writeReportBlock(v, 8 + 24 * i, b));
  return out;
}

/** One SDES chunk with a CNAME item; mandatory in every compound packet (RFC 3550 §6.1). */
export function buildSdesCname(ssrc: number, cname: string): Uint8Array {
  const text = encoder.encode(cname);
  if (text.length > 255) throw new Error(`SDES CNAME is ${text.length} bytes; an item holds at most 255`);
  // ssrc + type + length + text, then at least one null octet ending the item list, padded to 32 bits.
  const chunkLen = (4 + 2 + text.length + 1 + 3) & ~3;
  const out = new Uint8Array(4 + chunkLen);
  const v = new DataView(out.buffer);
  header(v, 0, 1, RTCP_SDES, out.length);
  v.setUint32(4, ssrc >>> 0);
  out[8] = 1;
  out[9] = text.length;
  out.set(text, 10);
  return out;
}

export function buildBye(ssrcs: number[], reason?: string): Uint8Array {
  if (ssrcs.length > 31) throw new Error(`RTCP BYE holds at most 31 SSRCs, got ${ssrcs.length}`);
  const text = reason !== undefined ? encoder.encode(reason) : undefined;
  if (text && text.length > 255) throw new Error(`BYE reason is ${text.length} bytes; at most 255`);
  const reasonLen = text ? (1 + text.length + 3) & ~3 : 0;
  const out = new Uint8Array(4 + 4 * ssrcs.length + reasonLen);
  const v = new DataView(out.buffer);
  header(v, 0, ssrcs.length, RTCP_BYE, out.length);
  ssrcs.forEach((s, i) => v.setUint32(4 + 4 * i, s >>> 0));
  if (text) {
    const off = 4 + 4 * ssrcs.length;
    out[off] = text.length;
    out.set(text, off + 1);
  }
  return out;
}

/** Compound packet (RFC 3550 §6.1): the parts stacked back to back. */
export function concatRtcp(...parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts);
}

function readReportBlocks(v: DataView, off: number, count: number): RtcpReportBlock[] {
  const blocks: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++, off += 24) {
    const word = v.getUint32(off + 4);
    blocks.push({
      ssrc: v.getUint32(off),
      fractionLost: word >>> 24,
      cumulativeLost: (word << 8) >> 8, // sign-extend the 24-bit field
      highestSeq: v.getUint32(off + 8),
      jitter: v.getUint32(off + 12),
      lastSr: v.getUint32(off + 16),
      delaySinceLastSr: v.getUint32(off + 20),
    });
  }
  return blocks;
}

function parseSdes(body: Uint8Array, count: number): RtcpSdesChunk[] {
  const chunks: RtcpSdesChunk[] = [];
  let off = 0;
  for (let c = 0; c < count; c++) {
    if (off + 4 > body.length) throw new Error(`RTCP SDES truncated: chunk ${c + 1} of ${count} has no SSRC`);
    const ssrc = ((body[off]! << 24) | (body[off + 1]! << 16) | (body[off + 2]! << 8) | body[off + 3]!) >>> 0;
    off += 4;
    const items: RtcpSdesItem[] = [];
    for (;;) {
      if (off >= body.length) throw new Error(`RTCP SDES chunk for SSRC ${ssrc} is not terminated by a null item`);
      const type = body[off]!;
      if (type === 0) {
        // RFC 3550 §6.5: the null item ends the list, then null octets pad the chunk to 32 bits,
        // counted from the start of the SDES packet (the body starts word-aligned).
        off = (off + 1 + 3) & ~3;
        break;
      }
      if (off + 2 > body.length) throw new Error(`RTCP SDES item truncated in chunk for SSRC ${ssrc}`);
      const len = body[off + 1]!;
      if (off + 2 + len > body.length) {
        throw new Error(`RTCP SDES item of ${len} bytes overruns the packet (chunk for SSRC ${ssrc})`);
      }
      items.push({ type, text: decoder.decode(body.subarray(off + 2, off + 2 + len)) });
      off += 2 + len;
    }
    chunks.push({ ssrc, items });
  }
  return chunks;
}

/** Parses one compound RTCP packet; throws an Error naming the first malformed part. */
export function parseRtcpCompound(buf: Uint8Array): RtcpPacket[] {
  if (buf.length < 4) throw new Error(`RTCP packet too short: ${buf.length} bytes, the header alone is 4`);
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const packets: RtcpPacket[] = [];
  let off = 0;
  while (off < buf.length) {
    const n = packets.length + 1;
    if (buf.length - off < 4) throw new Error(`RTCP compound has ${buf.length - off} trailing bytes after packet ${n - 1}`);
    const b0 = buf[off]!;
    if (b0 >>> 6 !== 2) throw new Error(`RTCP packet ${n}: version ${b0 >>> 6}, expected 2`);
    const count = b0 & 0x1f;
    const pt = buf[off + 1]!;
    const size = (v.getUint16(off + 2) + 1) * 4;
    if (off + size > buf.length) {
      throw new Error(`RTCP packet ${n} (type ${pt}) declares ${size} bytes but only ${buf.length - off} remain`);
    }
    let end = off + size;
    if (b0 & 0x20) {
      // RFC 3550 §6.4.1: the last octet counts the padding, itself included.
      const pad = buf[end - 1]!;
      if (pad === 0 || pad > size - 4) throw new Error(`RTCP packet ${n}: invalid padding length ${pad}`);
      end -= pad;
    }
    const bodyLen = end - off - 4;
    const need = (min: number, what: string): void => {
      if (bodyLen < min) throw new Error(`RTCP ${what} too short: ${bodyLen} body bytes, needs ${min} for ${count} entries`);
    };
    switch (pt) {
      case RTCP_SR:
        need(24 + 24 * count, 'sender report');
        packets.push({
          type: 'sr',
          ssrc: v.getUint32(off + 4),
          ntpSeconds: v.getUint32(off + 8),
          ntpFraction: v.getUint32(off + 12),
          rtpTimestamp: v.getUint32(off + 16),
          packetCount: v.getUint32(off + 20),
          octetCount: v.getUint32(off + 24),
          reports: readReportBlocks(v, off + 28, count),
        });
        break;
      case RTCP_RR:
        need(4 + 24 * count, 'receiver report');
        packets.push({ type: 'rr', ssrc: v.getUint32(off + 4), reports: readReportBlocks(v, off + 8, count) });
        break;
      case RTCP_SDES:
        packets.push({ type: 'sdes', chunks: parseSdes(buf.subarray(off + 4, end), count) });
        break;
      case RTCP_BYE: {
        need(4 * count, 'BYE');
        const ssrcs: number[] = [];
        for (let i = 0; i < count; i++) ssrcs.push(v.getUint32(off + 4 + 4 * i));
        const p: RtcpPacket = { type: 'bye', ssrcs };
        const r = off + 4 + 4 * count;
        if (r < end) {
          const len = buf[r]!;
          if (r + 1 + len > end) throw new Error(`RTCP BYE reason of ${len} bytes overruns the packet`);
          p.reason = decoder.decode(buf.subarray(r + 1, r + 1 + len));
        }
        packets.push(p);
        break;
      }
      case RTCP_APP:
        need(8, 'APP');
        packets.push({
          type: 'app',
          subtype: count,
          ssrc: v.getUint32(off + 4),
          name: String.fromCharCode(buf[off + 8]!, buf[off + 9]!, buf[off + 10]!, buf[off + 11]!),
          data: buf.subarray(off + 12, end),
        });
        break;
      default:
        // Feedback (RFC 4585: 205/206), XR (207) and others: left to whoever understands them.
        packets.push({ type: 'unknown', packetType: pt, count, raw: buf.subarray(off, off + size) });
    }
    off += size;
  }
  return packets;
}
