// H.265 over RTP (RFC 7798, no DONL): single NAL, AP (48) and FU (49) packetizer and depacketizer.

import { NalDepacketizer } from './frame.js';
import { packetizeNals, type NalPayloadFormat } from './nal-packetize.js';

const NAL_AUD = 35;
const AP = 48;
const FU = 49;

/** nal_unit_type from the 2-byte NAL header (RFC 7798 §1.1.4). */
function nalType(n: Uint8Array): number {
  return (n[0]! >>> 1) & 0x3f;
}

/** RFC 7798 §4.4.2 AP and §4.4.3 FU headers. */
const H265_FORMAT: NalPayloadFormat = {
  headerSize: 2,
  writeAggregationHeader(out, list, from, to) {
    // §4.4.2: F is the OR of the F bits, LayerId and TID the lowest of the aggregated units.
    let f = 0;
    let layer = 63;
    let tid = 7;
    for (let k = from; k < to; k++) {
      const n = list[k]!;
      f |= n[0]! & 0x80;
      layer = Math.min(layer, ((n[0]! & 1) << 5) | (n[1]! >>> 3));
      tid = Math.min(tid, n[1]! & 7);
    }
    out[0] = f | (AP << 1) | (layer >>> 5);
    out[1] = ((layer & 0x1f) << 3) | tid;
  },
  // PayloadHdr keeps F/LayerId/TID with type 49; the FU header carries S, E and the type.
  writeFragmentHeader(out, nal) {
    out[0] = (nal[0]! & 0x81) | (FU << 1);
    out[1] = nal[1]!;
  },
  nalType,
};

/**
 * RTP payloads for one access unit, in decoding order; the caller sets the marker bit on the last
 * one (RFC 7798 §4.1). `mtu` is the maximum RTP payload size.
 */
export function packetizeH265(nalus: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 4)) throw new Error(`MTU ${mtu} is too small: H.265 RTP payloads need at least 4 bytes`);
  // Access unit delimiters add nothing over RTP; a NAL needs its 2-byte header.
  const list = nalus.filter((n) => n.length >= 2 && nalType(n) !== NAL_AUD);
  return packetizeNals(list, mtu, H265_FORMAT);
}

/** The NAL header of an FU start fragment: F/LayerId/TID from the PayloadHdr, the type from the FU header. */
function fuNalHeader(p: Uint8Array): Uint8Array {
  return Uint8Array.of((p[0]! & 0x81) | ((p[2]! & 0x3f) << 1), p[1]!);
}

export class H265Depacketizer extends NalDepacketizer {
  protected handlePayload(p: Uint8Array): void {
    if (p.length < 2) return this.damage();
    const type = nalType(p);
    if (type < AP) {
      this.addNal(p);
    } else if (type === AP) {
      this.addAggregated(p, 2, 2);
    } else if (type === FU) {
      this.addFragment(p, 3, fuNalHeader);
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
