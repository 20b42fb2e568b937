// VP8 over RTP (RFC 7741): payload descriptor, frame assembly, packetization, key frames and picture size.
import type { KeyFrameHint } from '../key-frame-hint.js';
import { ChunkDepacketizer, type FrameChunk } from './chunk-frame.js';
import { concatBytes } from '../../media/bytes.js';
import { chunk } from './frame.js';

/** Length of the payload descriptor (RFC 7741 §4.2), or -1 when the payload is too short for it. */
export function vp8DescriptorSize(p: Uint8Array): number {
  if (p.length < 1) return -1;
  let off = 1;
  if (p[0]! & 0x80) {
    if (p.length < 2) return -1;
    const x = p[1]!;
    off = 2;
    if (x & 0x80) {
      // I: PictureID, 7 bits, or 15 when its M bit is set.
      if (p.length < off + 1) return -1;
      off += p[off]! & 0x80 ? 2 : 1;
    }
    if (x & 0x40) off += 1; // L: TL0PICIDX
    if (x & 0x30) off += 1; // T or K: TID/Y/KEYIDX
  }
  return off <= p.length ? off : -1;
}

/** Start of a frame: S bit with partition index 0 (RFC 7741 §4.2). */
function startsFrame(p: Uint8Array): boolean {
  return (p[0]! & 0x10) !== 0 && (p[0]! & 0x07) === 0;
}

/** RFC 7741 §4.3: in a frame's first packet, the P bit of the VP8 payload header (RFC 6386 §9.1) is 0 for a key frame. */
export function vp8KeyFrameHint(p: Uint8Array): KeyFrameHint {
  const off = vp8DescriptorSize(p);
  if (off < 0 || off >= p.length || !startsFrame(p)) return 'unknown';
  return p[off]! & 0x01 ? 'delta' : 'key';
}

/** Whether a whole VP8 frame is a key frame (RFC 6386 §9.1: frame tag bit 0 clear, then the start code). */
export function isVp8KeyFrame(frame: Uint8Array | undefined): boolean {
  return !!frame && frame.length >= 10 && (frame[0]! & 1) === 0 && frame[3] === 0x9d && frame[4] === 0x01 && frame[5] === 0x2a;
}

/** Picture size and version from a key frame (RFC 6386 §9.1, §9.2); undefined for other frames. */
export function vp8FrameInfo(frame: Uint8Array): { width: number; height: number; profile: number } | undefined {
  if (!isVp8KeyFrame(frame)) return undefined;
  const width = (frame[6]! | (frame[7]! << 8)) & 0x3fff;
  const height = (frame[8]! | (frame[9]! << 8)) & 0x3fff;
  if (width === 0 || height === 0) return undefined;
  return { width, height, profile: (frame[0]! >>> 1) & 7 };
}

/** One frame per access unit; a one-byte descriptor (S on the first packet, PID 0), the rest of the MTU for data. */
export function packetizeVp8(data: Uint8Array[], mtu: number): Uint8Array[] {
  const frame = data.length === 1 ? data[0]! : concatBytes(data);
  if (frame.length === 0) return [];
  if (mtu < 2) throw new Error(`MTU ${mtu} leaves no room for VP8 data`);
  return chunk(frame, mtu - 1).map((c, i) => {
    const p = new Uint8Array(c.length + 1);
    p[0] = i === 0 ? 0x10 : 0x00;
    p.set(c, 1);
    return p;
  });
}

export class Vp8Depacketizer extends ChunkDepacketizer {
  protected parse(p: Uint8Array): FrameChunk | undefined {
    const off = vp8DescriptorSize(p);
    if (off < 0) return undefined;
    return { start: startsFrame(p), chunk: p.subarray(off) };
  }
}
