// KLV metadata over RTP (RFC 6597): a KLV unit spans one or more packets of one timestamp, and the
// marker bit is set on its last packet. Units are reassembled and passed on as they are.

import { chunk, seqCheck, type DepacketizedFrame, type DepacketizerInput, type Depacketizer } from './frame.js';

/** A KLV unit larger than this is dropped (SMPTE ST 0601 local sets are a few hundred bytes). */
export const MAX_KLV_UNIT = 1024 * 1024;

/** Payloads of at most `mtu` bytes per KLV unit; the caller marks the last one. */
export function packetizeKlv(units: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 1)) throw new Error(`MTU ${mtu} is too small for KLV`);
  const out: Uint8Array[] = [];
  for (const u of units) out.push(...chunk(u, Math.floor(mtu)));
  return out;
}

export class KlvDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private parts: Uint8Array[] = [];
  private size = 0;
  private ts = 0;
  private damaged = false;

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const out: DepacketizedFrame[] = [];
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return out;
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const ts = pkt.timestamp >>> 0;
    // A new timestamp ends an unmarked unit (its marker packet was lost).
    if (this.parts.length > 0 && ts !== this.ts) this.emit(out, true);
    if (order > 0) this.damaged = true;
    this.ts = ts;
    if (this.size + pkt.payload.length > MAX_KLV_UNIT) {
      this.parts = [];
      this.size = 0;
      this.damaged = true;
    } else if (pkt.payload.length > 0) {
      this.parts.push(pkt.payload);
      this.size += pkt.payload.length;
    }
    if (pkt.marker) this.emit(out, false);
    return out;
  }

  private emit(out: DepacketizedFrame[], cut: boolean): void {
    const unit = new Uint8Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      unit.set(p, off);
      off += p.length;
    }
    if (unit.length > 0 || this.damaged || cut) {
      const f: DepacketizedFrame = { timestamp: this.ts, data: unit.length > 0 ? [unit] : [] };
      if (this.damaged || cut) f.damaged = true;
      out.push(f);
    }
    this.parts = [];
    this.size = 0;
    this.damaged = false;
  }
}
