// Codec configuration from container data: AVCC/HVCC records, NAL splitting (length-prefixed or Annex B), ADTS to ASC.

export { collectParamSets } from '../../rtp/codecs/param-sets.js';

export interface ParamSets {
  lengthSize: number;
  vps?: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

/** ISO 14496-15 5.3.3.1 AVCDecoderConfigurationRecord. */
export function parseAvcc(b: Uint8Array): ParamSets | null {
  if (b.byteLength < 7 || b[0] !== 1) return null;
  const lengthSize = (b[4]! & 3) + 1;
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  let o = 5;
  const nSps = b[o++]! & 0x1f;
  for (let i = 0; i < nSps && o + 2 <= b.byteLength; i++) {
    const len = (b[o]! << 8) | b[o + 1]!;
    o += 2;
    sps.push(b.slice(o, o + len));
    o += len;
  }
  if (o < b.byteLength) {
    const nPps = b[o++]!;
    for (let i = 0; i < nPps && o + 2 <= b.byteLength; i++) {
      const len = (b[o]! << 8) | b[o + 1]!;
      o += 2;
      pps.push(b.slice(o, o + len));
      o += len;
    }
  }
  return { lengthSize, sps, pps };
}

/** ISO 14496-15 8.3.3.1 HEVCDecoderConfigurationRecord. */
export function parseHvcc(b: Uint8Array): ParamSets | null {
  if (b.byteLength < 23) return null;
  const lengthSize = (b[21]! & 3) + 1;
  const vps: Uint8Array[] = [];
  const sps: Uint8Array[] = [];
  const pps: Uint8Array[] = [];
  let o = 22;
  const nArrays = b[o++]!;
  for (let a = 0; a < nArrays && o + 3 <= b.byteLength; a++) {
    const type = b[o]! & 0x3f;
    const n = (b[o + 1]! << 8) | b[o + 2]!;
    o += 3;
    for (let i = 0; i < n && o + 2 <= b.byteLength; i++) {
      const len = (b[o]! << 8) | b[o + 1]!;
      o += 2;
      const nal = b.slice(o, o + len);
      o += len;
      if (type === 32) vps.push(nal);
      else if (type === 33) sps.push(nal);
      else if (type === 34) pps.push(nal);
    }
  }
  return { lengthSize, vps, sps, pps };
}

/**
 * NAL units of one packet without prefixes. Length-prefixed (MP4/MKV) when the lengths tile the
 * packet exactly, otherwise Annex B (MPEG-TS): split at 00 00 01 and drop trailing zero bytes.
 */
export function splitNals(d: Uint8Array, lengthSize: number): Uint8Array[] {
  const lp = splitLengthPrefixed(d, lengthSize);
  if (lp) return lp;
  return splitAnnexB(d);
}

function splitLengthPrefixed(d: Uint8Array, size: number): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o < d.byteLength) {
    if (o + size > d.byteLength) return null;
    let len = 0;
    for (let i = 0; i < size; i++) len = len * 256 + d[o + i]!;
    o += size;
    if (len === 0 || o + len > d.byteLength) return null;
    out.push(d.subarray(o, o + len));
    o += len;
  }
  return out.length > 0 ? out : null;
}

/** NAL units of an Annex B stream; a buffer without any start code is one bare NAL. */
export function splitAnnexB(d: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const n = d.byteLength;
  let start = -1;
  let i = 0;
  const push = (end: number): void => {
    while (end > start && d[end - 1] === 0) end--;
    if (end > start) out.push(d.subarray(start, end));
  };
  while (i + 2 < n) {
    if (d[i] === 0 && d[i + 1] === 0 && d[i + 2] === 1) {
      if (start >= 0) push(i);
      i += 3;
      start = i;
    } else {
      i++;
    }
  }
  if (start >= 0) push(n);
  else if (n > 0) out.push(d); // no start code at all: one bare NAL
  return out;
}

/** An access unit delimiter (H.264 type 9, H.265 type 35). */
export function isAud(nal: Uint8Array, h265: boolean): boolean {
  return h265 ? ((nal[0]! >> 1) & 0x3f) === 35 : (nal[0]! & 0x1f) === 9;
}

/** Fills each empty parameter-set list of `ps` with the first in-band VPS/SPS/PPS found in `nals` (copied). */
/** An ADTS header (syncword 0xFFF, layer 0) at the start of `f`. */
export function isAdts(f: Uint8Array): boolean {
  return f.byteLength >= 7 && f[0] === 0xff && (f[1]! & 0xf6) === 0xf0;
}

/** ISO 14496-3 1.A.2.2 ADTS header -> 2-byte AudioSpecificConfig (object type = profile + 1). */
export function adtsToAsc(f: Uint8Array): Uint8Array {
  const aot = (f[2]! >> 6) + 1;
  const sfi = (f[2]! >> 2) & 0x0f;
  const ch = ((f[2]! & 1) << 2) | (f[3]! >> 6);
  return new Uint8Array([(aot << 3) | (sfi >> 1), ((sfi & 1) << 7) | (ch << 3)]);
}
