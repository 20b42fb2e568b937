// AC-3 over RTP (RFC 4184): syncframe header (ATSC A/52 §5.3, ETSI TS 102 366), depacketizer, packetizer, dac3.

import { seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

/** PCM samples per AC-3 syncframe (6 audio blocks of 256). */
export const AC3_SAMPLES = 1536;
const RATES = [48000, 44100, 32000];
const KBPS = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448, 512, 576, 640];
const ACMOD_CHANNELS = [2, 1, 2, 3, 3, 4, 4, 5];

export interface Ac3Header {
  sampleRate: number;
  /** Syncframe bytes (A/52 Table 5.18). */
  frameSize: number;
  channels: number;
  fscod: number;
  frmsizecod: number;
  bsid: number;
  bsmod: number;
  acmod: number;
  lfeon: number;
}

/** The syncinfo and leading BSI of the syncframe at `off`, or undefined when it is not one. */
export function parseAc3Header(b: Uint8Array, off = 0): Ac3Header | undefined {
  if (off + 7 > b.length || b[off] !== 0x0b || b[off + 1] !== 0x77) return undefined;
  const fscod = b[off + 4]! >>> 6;
  const frmsizecod = b[off + 4]! & 0x3f;
  const bsid = b[off + 5]! >>> 3;
  if (fscod === 3 || frmsizecod > 37 || bsid > 10) return undefined;
  const kbps = KBPS[frmsizecod >>> 1]!;
  const words = fscod === 0 ? kbps * 2 : fscod === 2 ? kbps * 3 : Math.floor((kbps * 1536000) / 705600) + (frmsizecod & 1);
  const bsmod = b[off + 5]! & 7;
  const acmod = b[off + 6]! >>> 5;
  // lfeon follows the mix levels present for this acmod (A/52 §5.3.2): 2 bits each.
  let bit = 3;
  if (acmod & 1 && acmod !== 1) bit += 2;
  if (acmod & 4) bit += 2;
  if (acmod === 2) bit += 2;
  const pos = (off + 6) * 8 + bit;
  if ((pos >>> 3) >= b.length) return undefined;
  const lfeon = (b[pos >>> 3]! >>> (7 - (pos & 7))) & 1;
  return { sampleRate: RATES[fscod]!, frameSize: words * 2, channels: ACMOD_CHANNELS[acmod]! + lfeon, fscod, frmsizecod, bsid, bsmod, acmod, lfeon };
}

/** The 3-byte AC3SpecificBox body (ETSI TS 102 366 Annex F.4). */
export function dac3Of(h: Ac3Header): Uint8Array {
  const v = (h.fscod << 22) | (h.bsid << 17) | (h.bsmod << 14) | (h.acmod << 11) | (h.lfeon << 10) | ((h.frmsizecod >>> 1) << 5);
  return Uint8Array.of(v >>> 16, (v >>> 8) & 0xff, v & 0xff);
}

/**
 * RTP payloads: the 2-byte header (FT, NF), then whole frames while they fit (FT 0); a frame larger
 * than a packet goes as fragments (FT 1 or 2 first, as it holds at least 5/8 of the frame or not, then 3).
 */
export function packetizeAc3(frames: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 3)) throw new Error(`MTU ${mtu} is too small for an AC-3 payload`);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < frames.length) {
    const f = frames[i]!;
    if (2 + f.length > mtu) {
      const max = mtu - 2;
      const n = Math.ceil(f.length / max);
      for (let k = 0; k < n; k++) {
        const part = f.subarray(k * max, Math.min(f.length, (k + 1) * max));
        const ft = k > 0 ? 3 : part.length * 8 >= f.length * 5 ? 1 : 2;
        out.push(Uint8Array.of(ft, n, ...part));
      }
      i++;
      continue;
    }
    let j = i;
    let size = 2;
    while (j < frames.length && size + frames[j]!.length <= mtu && j - i < 255) size += frames[j++]!.length;
    const p = new Uint8Array(size);
    p[1] = j - i;
    let off = 2;
    for (let k = i; k < j; k++) {
      p.set(frames[k]!, off);
      off += frames[k]!.length;
    }
    out.push(p);
    i = j;
  }
  return out;
}

/** A frame being reassembled is bounded by the largest syncframe (3840 bytes). */
const MAX_FRAME = 3840;

export class Ac3Depacketizer implements Depacketizer {
  private lastSeq = -1;
  private frag: { ts: number; parts: Uint8Array[]; got: number; size: number } | null = null;

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    if (order > 0) this.frag = null;
    const p = pkt.payload;
    const ts = pkt.timestamp >>> 0;
    if (p.length <= 2) return [];
    const ft = p[0]! & 3;
    const data = p.subarray(2);
    if (ft === 3) return this.continueFrag(ts, data);
    this.frag = null;
    if (ft !== 0) {
      const h = parseAc3Header(data);
      if (!h || h.frameSize > MAX_FRAME || data.length >= h.frameSize) return [{ timestamp: ts, data: [], damaged: true }];
      this.frag = { ts, parts: [data], got: data.length, size: h.frameSize };
      return [];
    }
    const out: DepacketizedFrame[] = [];
    let off = 0;
    while (off < data.length) {
      const h = parseAc3Header(data, off);
      if (!h || off + h.frameSize > data.length) {
        out.push({ timestamp: (ts + out.length * AC3_SAMPLES) >>> 0, data: [], damaged: true });
        break;
      }
      out.push({ timestamp: (ts + out.length * AC3_SAMPLES) >>> 0, data: [data.subarray(off, off + h.frameSize)] });
      off += h.frameSize;
    }
    return out;
  }

  private continueFrag(ts: number, data: Uint8Array): DepacketizedFrame[] {
    const fr = this.frag;
    if (!fr || fr.ts !== ts) {
      this.frag = null;
      return [];
    }
    fr.parts.push(data);
    fr.got += data.length;
    if (fr.got < fr.size) return [];
    this.frag = null;
    if (fr.got !== fr.size) return [{ timestamp: ts, data: [], damaged: true }];
    const frame = new Uint8Array(fr.size);
    let off = 0;
    for (const part of fr.parts) {
      frame.set(part, off);
      off += part.length;
    }
    return [{ timestamp: ts, data: [frame] }];
  }
}
