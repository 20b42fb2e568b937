// H.264 over RTP (RFC 6184, packetization-mode=1): single NAL, STAP-A and FU-A packetizer and depacketizer.

import { NalDepacketizer } from './frame.js';
import { packetizeNals, type NalPayloadFormat } from './nal-packetize.js';

const NAL_IDR = 5;
const NAL_AUD = 9;
const STAP_A = 24;
const FU_A = 28;

function checkMtu(mtu: number, min: number): void {
  if (!(mtu >= min)) throw new Error(`MTU ${mtu} is too small: RTP payloads need at least ${min} bytes`);
}

/** RFC 6184 §5.7.1 STAP-A and §5.8 FU-A headers. */
const H264_FORMAT: NalPayloadFormat = {
  headerSize: 1,
  writeAggregationHeader(out, list, from, to) {
    // F is the OR of the aggregated F bits, NRI their maximum (§5.7.1).
    let f = 0;
    let nri = 0;
    for (let k = from; k < to; k++) {
      const h = list[k]![0]!;
      f |= h & 0x80;
      nri = Math.max(nri, h & 0x60);
    }
    out[0] = f | nri | STAP_A;
  },
  // The NAL header becomes the FU indicator (F, NRI, type 28); the FU header carries S, E and the type.
  writeFragmentHeader(out, nal) {
    out[0] = (nal[0]! & 0xe0) | FU_A;
  },
  nalType: (nal) => nal[0]! & 0x1f,
};

/**
 * RTP payloads for one access unit, in decoding order; the caller sets the marker bit on the
 * last one (RFC 6184 §5.1). `mtu` is the maximum RTP payload size.
 */
export function packetizeH264(nalus: Uint8Array[], mtu: number): Uint8Array[] {
  checkMtu(mtu, 3);
  // Access unit delimiters carry nothing the RTP timestamp and marker do not already say.
  const list = nalus.filter((n) => n.length > 0 && (n[0]! & 0x1f) !== NAL_AUD);
  return packetizeNals(list, mtu, H264_FORMAT);
}

/** The NAL header of a FU-A start fragment: F and NRI from the indicator, the type from the FU header. */
function fuNalHeader(p: Uint8Array): Uint8Array {
  return Uint8Array.of((p[0]! & 0xe0) | (p[1]! & 0x1f));
}

export class H264Depacketizer extends NalDepacketizer {
  protected handlePayload(p: Uint8Array): void {
    const type = p[0]! & 0x1f;
    if (type >= 1 && type <= 23) {
      this.addNal(p);
    } else if (type === STAP_A) {
      this.addAggregated(p, 1, 1);
    } else if (type === FU_A) {
      this.addFragment(p, 2, fuNalHeader);
    } else {
      // STAP-B, MTAP and FU-B belong to interleaved mode (not negotiated); 0, 30, 31 are reserved.
      this.damage();
    }
  }
}

/** An IDR slice (type 5) makes the access unit a random access point. */
export function isH264KeyFrame(nalus: Uint8Array[]): boolean {
  return nalus.some((n) => n.length > 0 && (n[0]! & 0x1f) === NAL_IDR);
}

/**
 * NAL units of an Annex B byte stream (ITU-T H.264 Annex B), split on 3- or 4-byte start codes;
 * trailing zero bytes before a start code are stripped. Bytes before the first start code are ignored.
 */
export function splitAnnexB(buf: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let nalStart = -1;
  let i = 0;
  const n = buf.length;
  while (i + 2 < n) {
    if (buf[i + 2]! > 1) {
      i += 3;
    } else if (buf[i] === 0 && buf[i + 1] === 0 && buf[i + 2] === 1) {
      if (nalStart >= 0) pushTrimmed(buf, nalStart, i, out);
      i += 3;
      nalStart = i;
    } else {
      i++;
    }
  }
  if (nalStart >= 0) pushTrimmed(buf, nalStart, n, out);
  return out;
}

function pushTrimmed(buf: Uint8Array, start: number, end: number, out: Uint8Array[]): void {
  while (end > start && buf[end - 1] === 0) end--;
  if (end > start) out.push(buf.subarray(start, end));
}

/** NAL units of an AVCC/HVCC sample (big-endian length prefixes of `lengthSize` 1, 2, 3 or 4 bytes). */
export function splitLengthPrefixed(buf: Uint8Array, lengthSize: number): Uint8Array[] {
  if (lengthSize < 1 || lengthSize > 4 || !Number.isInteger(lengthSize)) {
    throw new Error(`NAL length size must be 1..4 bytes, got ${lengthSize}`);
  }
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < buf.length) {
    if (off + lengthSize > buf.length) {
      throw new Error(`length-prefixed NAL truncated: ${buf.length - off} bytes left for a ${lengthSize}-byte length`);
    }
    let len = 0;
    for (let k = 0; k < lengthSize; k++) len = len * 256 + buf[off + k]!;
    off += lengthSize;
    if (off + len > buf.length) {
      throw new Error(`length-prefixed NAL of ${len} bytes overruns the sample (${buf.length - off} bytes left)`);
    }
    if (len > 0) out.push(buf.subarray(off, off + len));
    off += len;
  }
  return out;
}
