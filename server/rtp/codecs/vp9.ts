// VP9 over RTP (RFC 9628): payload descriptor, frame assembly, packetization, and the uncompressed header (key frames, size, format).
import { concatBytes } from '../../media/bytes.js';
import type { VpxConfig } from '../../media/track.js';
import type { KeyFrameHint } from '../key-frame-hint.js';
import { BitReader } from './bit-reader.js';
import { ChunkDepacketizer, type FrameChunk } from './chunk-frame.js';
import { chunk } from './frame.js';

// RFC 9628 §4.2 first octet: I P L F B E V Z.
const I = 0x80;
const P = 0x40;
const L = 0x20;
const F = 0x10;
const B = 0x08;
const E = 0x04;
const V = 0x02;

/** Length of the payload descriptor, scalability structure included, or -1 when the payload is too short. */
export function vp9DescriptorSize(p: Uint8Array): number {
  if (p.length < 1) return -1;
  const h = p[0]!;
  let off = 1;
  if (h & I) {
    if (off >= p.length) return -1;
    off += p[off]! & 0x80 ? 2 : 1; // M: 15-bit picture ID
  }
  if (h & L) off += h & F ? 1 : 2; // layer indices, + TL0PICIDX in non-flexible mode
  if (h & F && h & P) {
    // Up to 3 reference indices, each with N (another follows) in its low bit.
    for (let i = 0; i < 3; i++) {
      if (off >= p.length) return -1;
      if (!(p[off++]! & 1)) break;
    }
  }
  if (h & V) off = scalabilityEnd(p, off);
  return off >= 0 && off <= p.length ? off : -1;
}

/** RFC 9628 §4.2.1 scalability structure: N_S, Y (sizes), G (picture groups). */
function scalabilityEnd(p: Uint8Array, off: number): number {
  if (off >= p.length) return -1;
  const ss = p[off++]!;
  if (ss & 0x10) off += ((ss >>> 5) + 1) * 4;
  if (ss & 0x08) {
    if (off >= p.length) return -1;
    const groups = p[off++]!;
    for (let g = 0; g < groups; g++) {
      if (off >= p.length) return -1;
      off += 1 + ((p[off]! >>> 2) & 3);
    }
  }
  return off;
}

/**
 * A frame start (B) not predicted from an earlier picture (P clear) at the base spatial layer is a
 * key frame (RFC 9628 §4.2: P=0 with SID 0 means an intra-only or key picture).
 */
export function vp9KeyFrameHint(p: Uint8Array): KeyFrameHint {
  if (p.length < 1 || !(p[0]! & B)) return 'unknown';
  if (p[0]! & P) return 'delta';
  if (p[0]! & L) {
    const off = p[0]! & I ? 1 + (p[1] !== undefined && p[1] & 0x80 ? 2 : 1) : 1;
    if (off >= p.length || (p[off]! >>> 1) & 7) return 'unknown';
  }
  const off = vp9DescriptorSize(p);
  if (off < 0 || off >= p.length) return 'unknown';
  return isVp9KeyFrame(p.subarray(off)) ? 'key' : 'delta';
}

export interface Vp9FrameInfo extends VpxConfig {
  width: number;
  height: number;
}

/** The VP9 uncompressed header of a key frame (VP9 bitstream spec §6.2); undefined for any other frame or garbage. */
export function vp9FrameInfo(frame: Uint8Array): Vp9FrameInfo | undefined {
  try {
    const r = new BitReader(frame);
    if (r.u(2) !== 2) return undefined; // frame_marker
    const low = r.u(1);
    const profile = (r.u(1) << 1) | low;
    if (profile === 3) r.u(1);
    if (r.flag()) return undefined; // show_existing_frame
    if (r.u(1) !== 0) return undefined; // frame_type: not KEY_FRAME
    r.u(2); // show_frame, error_resilient_mode
    if (r.u(24) !== 0x498342) return undefined; // frame_sync_code
    const bitDepth = profile >= 2 ? (r.flag() ? 12 : 10) : 8;
    const colorSpace = r.u(3);
    let fullRange = true;
    let ssx = 0;
    let ssy = 0;
    if (colorSpace !== 7) {
      fullRange = r.flag();
      if (profile === 1 || profile === 3) {
        ssx = r.u(1);
        ssy = r.u(1);
      } else {
        ssx = ssy = 1;
      }
    }
    const width = r.u(16) + 1;
    const height = r.u(16) + 1;
    // vpcC chromaSubsampling (VP codec binding §2.2): 0 = 4:2:0, 2 = 4:2:2, 3 = 4:4:4 (4:4:0 has no code).
    const chromaSubsampling = ssx && ssy ? 0 : ssx ? 2 : 3;
    return { width, height, profile, bitDepth, chromaSubsampling, fullRange, colorSpace };
  } catch {
    return undefined;
  }
}

export function isVp9KeyFrame(frame: Uint8Array | undefined): boolean {
  return !!frame && vp9FrameInfo(frame) !== undefined;
}

/** One frame per access unit: a one-byte descriptor (B first, E last, P unless a key frame), the rest of the MTU for data. */
export function packetizeVp9(data: Uint8Array[], mtu: number): Uint8Array[] {
  const frame = data.length === 1 ? data[0]! : concatBytes(data);
  if (frame.length === 0) return [];
  if (mtu < 2) throw new Error(`MTU ${mtu} leaves no room for VP9 data`);
  const inter = isVp9KeyFrame(frame) ? 0 : P;
  const chunks = chunk(frame, mtu - 1);
  return chunks.map((c, i) => {
    const p = new Uint8Array(c.length + 1);
    p[0] = inter | (i === 0 ? B : 0) | (i === chunks.length - 1 ? E : 0);
    p.set(c, 1);
    return p;
  });
}

export class Vp9Depacketizer extends ChunkDepacketizer {
  protected parse(p: Uint8Array): FrameChunk | undefined {
    const off = vp9DescriptorSize(p);
    if (off < 0) return undefined;
    return { start: (p[0]! & B) !== 0, chunk: p.subarray(off) };
  }
}
