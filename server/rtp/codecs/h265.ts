// H.265 over RTP (RFC 7798, no DONL): single NAL, AP (48) and FU (49) packetizer and depacketizer.

import { NalDepacketizer } from './frame.js';

const NAL_AUD = 35;
const AP = 48;
const FU = 49;

/** nal_unit_type from the 2-byte NAL header (RFC 7798 §1.1.4). */
function nalType(n: Uint8Array): number {
  return (n[0]! >>> 1) & 0x3f;
}

/**
 * RTP payloads for one access unit, in decoding order; the caller sets the marker bit on the last
 * one (RFC 7798 §4.1). `mtu` is the maximum RTP payload size.
 */
export function packetizeH265(nalus: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 4)) throw new Error(`MTU ${mtu} is too small: H.265 RTP payloads need at least 4 bytes`);
  // Access unit delimiters add nothing over RTP; a NAL needs its 2-byte header.
  const list = nalus.filter((n) => n.length >= 2 && nalType(n) !== NAL_AUD);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < list.length) {
    const nal = list[i]!;
    if (nal.length > mtu) {
      fragment(nal, mtu, out);
      i++;
      continue;
    }
    // RFC 7798 §4.4.2 AP: 2-byte PayloadHdr, then (16-bit size, NAL) per unit.
    let j = i;
    let size = 2;
    while (j < list.length && list[j]!.length <= 0xffff && size + 2 + list[j]!.length <= mtu) {
      size += 2 + list[j]!.length;
      j++;
    }
    if (j - i < 2) {
      out.push(nal);
      i++;
      continue;
    }
    const ap = new Uint8Array(size);
    let f = 0;
    let layer = 63;
    let tid = 7;
    let off = 2;
    for (let k = i; k < j; k++) {
      const n = list[k]!;
      // §4.4.2: F is the OR of the F bits, LayerId and TID the lowest of the aggregated units.
      f |= n[0]! & 0x80;
      layer = Math.min(layer, ((n[0]! & 1) << 5) | (n[1]! >>> 3));
      tid = Math.min(tid, n[1]! & 7);
      ap[off] = n.length >>> 8;
      ap[off + 1] = n.length & 0xff;
      ap.set(n, off + 2);
      off += 2 + n.length;
    }
    ap[0] = f | (AP << 1) | (layer >>> 5);
    ap[1] = ((layer & 0x1f) << 3) | tid;
    out.push(ap);
    i = j;
  }
  return out;
}

/** RFC 7798 §4.4.3: PayloadHdr keeps F/LayerId/TID with type 49; the FU header carries S, E and the type. */
function fragment(nal: Uint8Array, mtu: number, out: Uint8Array[]): void {
  const h0 = (nal[0]! & 0x81) | (FU << 1);
  const h1 = nal[1]!;
  const type = nalType(nal);
  const max = mtu - 3;
  for (let off = 2; off < nal.length; off += max) {
    const end = Math.min(nal.length, off + max);
    const p = new Uint8Array(3 + end - off);
    p[0] = h0;
    p[1] = h1;
    p[2] = (off === 2 ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    p.set(nal.subarray(off, end), 3);
    out.push(p);
  }
}

export class H265Depacketizer extends NalDepacketizer {
  protected handlePayload(p: Uint8Array): void {
    if (p.length < 2) return this.damage();
    const type = nalType(p);
    if (type < AP) {
      this.addNal(p);
    } else if (type === AP) {
      const nalus: Uint8Array[] = [];
      let off = 2;
      while (off < p.length) {
        if (off + 2 > p.length) return this.damage();
        const len = (p[off]! << 8) | p[off + 1]!;
        if (len < 2 || off + 2 + len > p.length) return this.damage();
        nalus.push(p.subarray(off + 2, off + 2 + len));
        off += 2 + len;
      }
      for (const n of nalus) this.addNal(n);
    } else if (type === FU) {
      if (p.length < 4) return this.damage();
      const fuHeader = p[2]!;
      const data = p.subarray(3);
      if (fuHeader & 0x80) {
        const header = Uint8Array.of((p[0]! & 0x81) | ((fuHeader & 0x3f) << 1), p[1]!);
        this.fuStart(header, data);
        if (fuHeader & 0x40) this.fuEnd(new Uint8Array(0));
      } else if (fuHeader & 0x40) {
        this.fuEnd(data);
      } else {
        this.fuAppend(data);
      }
    } else {
      // PACI (50) and reserved types: not negotiated, so nothing we can decode.
      this.damage();
    }
  }
}

/** IRAP pictures (BLA, IDR, CRA: types 16..23) are random access points (H.265 §7.4.2.2). */
export function isH265KeyFrame(nalus: Uint8Array[]): boolean {
  return nalus.some((n) => {
    if (n.length < 2) return false;
    const t = nalType(n);
    return t >= 16 && t <= 23;
  });
}
