// Opus over RTP (RFC 7587): exactly one Opus packet per RTP payload, never fragmented.

import { FramePerPacketDepacketizer } from './frame.js';

/** One payload per Opus packet (RFC 7587 §4.2); an Opus packet larger than the MTU cannot be sent. */
export function packetizeOpus(frames: Uint8Array[], mtu: number): Uint8Array[] {
  for (const f of frames) {
    if (f.length > mtu) {
      throw new Error(`Opus packet of ${f.length} bytes exceeds the ${mtu}-byte MTU: RFC 7587 has no fragmentation`);
    }
  }
  return frames.filter((f) => f.length > 0);
}

/** One frame per packet, as is: see FramePerPacketDepacketizer. */
export class OpusDepacketizer extends FramePerPacketDepacketizer {}
