// G.711 PCMU (PT 0) / PCMA (PT 8) over RTP (RFC 3551 §4.5.14): raw 8-bit samples, one per clock tick.

import { chunk, FramePerPacketDepacketizer } from './frame.js';

/**
 * Splits raw samples into payloads of at most `mtu` bytes. One byte is one sample, so payload k
 * of a frame starts k * mtu clock ticks after the frame's timestamp (RFC 3551 §4.5.14); sources
 * send 20 ms frames (160 bytes at 8 kHz), well under any MTU, so in practice there is one payload.
 */
export function packetizeG711(frames: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 1)) throw new Error(`MTU ${mtu} is too small for G.711`);
  const out: Uint8Array[] = [];
  for (const f of frames) out.push(...chunk(f, Math.floor(mtu)));
  return out;
}

/** One frame per packet, as is: see FramePerPacketDepacketizer. */
export class G711Depacketizer extends FramePerPacketDepacketizer {}
