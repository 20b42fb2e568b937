// Opus over RTP (RFC 7587): exactly one Opus packet per RTP payload, never fragmented.

import { seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

/** One payload per Opus packet (RFC 7587 §4.2); an Opus packet larger than the MTU cannot be sent. */
export function packetizeOpus(frames: Uint8Array[], mtu: number): Uint8Array[] {
  for (const f of frames) {
    if (f.length > mtu) {
      throw new Error(`Opus packet of ${f.length} bytes exceeds the ${mtu}-byte MTU: RFC 7587 has no fragmentation`);
    }
  }
  return frames.filter((f) => f.length > 0);
}

export class OpusDepacketizer implements Depacketizer {
  private lastSeq = -1;
  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    // An empty payload is not a valid Opus packet (RFC 6716 §3.1 needs a TOC byte).
    if (pkt.payload.length === 0) return [];
    // Each packet decodes on its own, so a gap damages no received frame: concealment covers it.
    return [{ timestamp: pkt.timestamp >>> 0, data: [pkt.payload] }];
  }
}
