// H.264 over RTP (RFC 6184, packetization-mode=1): single NAL, STAP-A and FU-A packetizer and depacketizer.

import { NalDepacketizer } from './frame.js';

const NAL_IDR = 5;
const NAL_AUD = 9;
const STAP_A = 24;
const FU_A = 28;

function checkMtu(mtu: number, min: number): void {
  if (!(mtu >= min)) throw new Error(`MTU ${mtu} is too small: RTP payloads need at least ${min} bytes`);
}

/**
 * RTP payloads for one access unit, in decoding order; the caller sets the marker bit on the
 * last one (RFC 6184 §5.1). `mtu` is the maximum RTP payload size.
 */
export function packetizeH264(nalus: Uint8Array[], mtu: number): Uint8Array[] {
  checkMtu(mtu, 3);
  // Access unit delimiters carry nothing the RTP timestamp and marker do not already say.
  const list = nalus.filter((n) => n.length > 0 && (n[0]! & 0x1f) !== NAL_AUD);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < list.length) {
    const nal = list[i]!;
    if (nal.length > mtu) {
      fragmentFuA(nal, mtu, out);
      i++;
      continue;
    }
    // RFC 6184 §5.7.1 STAP-A: 1-byte STAP header, then (16-bit size, NAL) per unit.
    let j = i;
    let size = 1;
    while (j < list.length && list[j]!.length <= 0xffff && size + 2 + list[j]!.length <= mtu) {
      size += 2 + list[j]!.length;
      j++;
    }
    if (j - i < 2) {
      out.push(nal);
      i++;
      continue;
    }
    const stap = new Uint8Array(size);
    let f = 0;
    let nri = 0;
    let off = 1;
    for (let k = i; k < j; k++) {
      const n = list[k]!;
      // F is the OR of the aggregated F bits, NRI their maximum (§5.7.1).
      f |= n[0]! & 0x80;
      nri = Math.max(nri, n[0]! & 0x60);
      stap[off] = n.length >>> 8;
      stap[off + 1] = n.length & 0xff;
      stap.set(n, off + 2);
      off += 2 + n.length;
    }
    stap[0] = f | nri | STAP_A;
    out.push(stap);
    i = j;
  }
  return out;
}

/** RFC 6184 §5.8: the NAL header becomes the FU indicator (F, NRI, type 28) and FU header (S, E, type). */
function fragmentFuA(nal: Uint8Array, mtu: number, out: Uint8Array[]): void {
  const indicator = (nal[0]! & 0xe0) | FU_A;
  const type = nal[0]! & 0x1f;
  const max = mtu - 2;
  for (let off = 1; off < nal.length; off += max) {
    const end = Math.min(nal.length, off + max);
    const p = new Uint8Array(2 + end - off);
    p[0] = indicator;
    p[1] = (off === 1 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    p.set(nal.subarray(off, end), 2);
    out.push(p);
  }
}

export class H264Depacketizer extends NalDepacketizer {
  protected handlePayload(p: Uint8Array): void {
    const type = p[0]! & 0x1f;
    if (type >= 1 && type <= 23) {
      this.addNal(p);
    } else if (type === STAP_A) {
      const nalus: Uint8Array[] = [];
      let off = 1;
      while (off < p.length) {
        if (off + 2 > p.length) return this.damage();
        const len = (p[off]! << 8) | p[off + 1]!;
        if (len === 0 || off + 2 + len > p.length) return this.damage();
        nalus.push(p.subarray(off + 2, off + 2 + len));
        off += 2 + len;
      }
      // Only a fully valid STAP-A is used: a torn one would hand the decoder garbage.
      for (const n of nalus) this.addNal(n);
    } else if (type === FU_A) {
      if (p.length < 3) return this.damage();
      const fuHeader = p[1]!;
      const start = (fuHeader & 0x80) !== 0;
      const end = (fuHeader & 0x40) !== 0;
      const data = p.subarray(2);
      if (start) {
        const header = Uint8Array.of((p[0]! & 0xe0) | (fuHeader & 0x1f));
        this.fuStart(header, data);
        // S and E together is forbidden (§5.8) but unambiguous: a whole NAL.
        if (end) this.fuEnd(new Uint8Array(0));
      } else if (end) {
        this.fuEnd(data);
      } else {
        this.fuAppend(data);
      }
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
