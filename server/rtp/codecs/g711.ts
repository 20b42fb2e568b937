// G.711 PCMU (PT 0) / PCMA (PT 8) over RTP (RFC 3551 §4.5.14): raw 8-bit samples, one per clock tick.

import { chunk, seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

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

export class G711Depacketizer implements Depacketizer {
  private lastSeq = -1;
  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    if (pkt.payload.length === 0) return [];
    // Each packet decodes on its own, so a gap damages no received frame: concealment covers it.
    return [{ timestamp: pkt.timestamp >>> 0, data: [pkt.payload] }];
  }
}
