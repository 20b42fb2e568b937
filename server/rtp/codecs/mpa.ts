// MPEG-1/2 Audio (layers I-III, MP3) over RTP (RFC 2250 §3.5, static PT 14 "MPA/90000"): frame headers, depacketizer, packetizer.

import { seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

export interface MpaHeader {
  /** 1 for MPEG-1, 2 for MPEG-2, 2.5 for MPEG-2.5. */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  sampleRate: number;
  channels: number;
  /** Bits per second; 0 for free format. */
  bitrate: number;
  /** Frame bytes, header included (0 for free format: unknown). */
  frameSize: number;
  /** PCM samples per frame: 384, 1152 or 576. */
  samples: number;
}

const RATES = [44100, 48000, 32000];
// ISO 11172-3 / 13818-3 bit rate tables (kbit/s) by index 1..14.
const BR_V1 = [
  [32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
];
const BR_V2 = [
  [32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/** The 4-byte MPEG audio frame header at `off`, or undefined when it is not one. */
export function parseMpaHeader(b: Uint8Array, off = 0): MpaHeader | undefined {
  if (off + 4 > b.length || b[off] !== 0xff || (b[off + 1]! & 0xe0) !== 0xe0) return undefined;
  const v = (b[off + 1]! >>> 3) & 3;
  const l = (b[off + 1]! >>> 1) & 3;
  const bri = b[off + 2]! >>> 4;
  const sri = (b[off + 2]! >>> 2) & 3;
  if (v === 1 || l === 0 || bri === 15 || sri === 3) return undefined;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const sampleRate = RATES[sri]! / (version === 1 ? 1 : version === 2 ? 2 : 4);
  const bitrate = bri === 0 ? 0 : (version === 1 ? BR_V1 : BR_V2)[layer - 1]![bri - 1]! * 1000;
  const pad = (b[off + 2]! >>> 1) & 1;
  const samples = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const frameSize = bitrate === 0 ? 0 : layer === 1 ? (Math.floor((12 * bitrate) / sampleRate) + pad) * 4 : Math.floor((samples / 8) * bitrate / sampleRate) + pad;
  const channels = b[off + 3]! >>> 6 === 3 ? 1 : 2;
  return { version, layer, sampleRate, channels, bitrate, frameSize, samples };
}

/** Frame duration in the 90 kHz RTP clock (RFC 2250 §3.5). */
export const mpaTicks = (h: MpaHeader): number => Math.round((h.samples * 90000) / h.sampleRate);

/**
 * RTP payloads: the 4-byte header (MBZ, Frag_offset), then whole frames while they fit; a frame
 * larger than a packet is fragmented with its byte offset. One call per frame keeps timestamps exact.
 */
export function packetizeMpa(frames: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 5)) throw new Error(`MTU ${mtu} is too small for an MPA payload`);
  const out: Uint8Array[] = [];
  for (const f of frames) {
    for (let off = 0; off < f.length || off === 0; off += mtu - 4) {
      const end = Math.min(f.length, off + mtu - 4);
      const p = new Uint8Array(4 + end - off);
      p[2] = off >>> 8;
      p[3] = off & 0xff;
      p.set(f.subarray(off, end), 4);
      out.push(p);
      if (end >= f.length) break;
    }
  }
  return out;
}

/** A frame being reassembled from fragments is bounded by the largest MPEG audio frame. */
const MAX_FRAME = 8192;

export class MpaDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private frag: { ts: number; parts: Uint8Array[]; got: number; size: number } | null = null;

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    if (order > 0) this.frag = null;
    const p = pkt.payload;
    const ts = pkt.timestamp >>> 0;
    if (p.length <= 4) return [];
    const fragOffset = (p[2]! << 8) | p[3]!;
    const data = p.subarray(4);
    if (fragOffset > 0) return this.continueFrag(fragOffset, data);
    this.frag = null;
    const out: DepacketizedFrame[] = [];
    let off = 0;
    let t = ts;
    while (off < data.length) {
      const h = parseMpaHeader(data, off);
      if (!h) {
        out.push({ timestamp: t, data: [], damaged: true });
        break;
      }
      // Free format has no length in its header: the rest of the payload is the frame.
      const size = h.frameSize || data.length - off;
      if (off + size > data.length) {
        if (size <= MAX_FRAME) this.frag = { ts: t, parts: [data.subarray(off)], got: data.length - off, size };
        break;
      }
      out.push({ timestamp: t, data: [data.subarray(off, off + size)] });
      off += size;
      t = (t + mpaTicks(h)) >>> 0;
    }
    return out;
  }

  private continueFrag(offset: number, data: Uint8Array): DepacketizedFrame[] {
    const fr = this.frag;
    // A fragment of a frame whose start we never saw, or out of place: dropped.
    if (!fr || fr.got !== offset) {
      this.frag = null;
      return [];
    }
    fr.parts.push(data);
    fr.got += data.length;
    if (fr.got < fr.size) return [];
    this.frag = null;
    if (fr.got !== fr.size) return [{ timestamp: fr.ts, data: [], damaged: true }];
    const frame = new Uint8Array(fr.size);
    let off = 0;
    for (const part of fr.parts) {
      frame.set(part, off);
      off += part.length;
    }
    return [{ timestamp: fr.ts, data: [frame] }];
  }
}
