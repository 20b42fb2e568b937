// G.722 over RTP (RFC 3551 §4.5.2, static PT 9 "G722/8000"): 16 kHz audio, but the RTP clock runs at
// 8000 Hz for historical reasons. Each byte holds two 16 kHz samples, so one byte is one clock tick.

import { chunk, FramePerPacketDepacketizer } from './frame.js';

/** Splits frames into payloads of at most `mtu` bytes (any byte boundary is a sample boundary). */
export function packetizeG722(frames: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 1)) throw new Error(`MTU ${mtu} is too small for G.722`);
  const out: Uint8Array[] = [];
  for (const f of frames) out.push(...chunk(f, Math.floor(mtu)));
  return out;
}

/** Duration of a G.722 frame in RTP clock ticks (8000 Hz): one tick per byte. */
export function g722Ticks(frame: Uint8Array): number {
  return frame.length;
}

/** One frame per packet, as is: see FramePerPacketDepacketizer. */
export class G722Depacketizer extends FramePerPacketDepacketizer {}
