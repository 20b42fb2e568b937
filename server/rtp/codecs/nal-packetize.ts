// The packetize loop shared by H.264 and H.265: aggregate small NALs, fragment large ones, else send a NAL alone.

/** What differs between the NAL payload formats of RFC 6184 (H.264) and RFC 7798 (H.265). */
export interface NalPayloadFormat {
  /** Bytes of the NAL unit header: 1 for H.264, 2 for H.265. Also the aggregation header's size. */
  readonly headerSize: number;
  /**
   * Writes the aggregation packet header (STAP-A / AP) into `out[0 .. headerSize)` from the
   * NAL headers of `list[from .. to)`.
   */
  writeAggregationHeader(out: Uint8Array, list: readonly Uint8Array[], from: number, to: number): void;
  /**
   * Writes the fragmentation unit's payload header (FU indicator / PayloadHdr, `headerSize` bytes)
   * for `nal` into `out[0 .. headerSize)`; the FU header byte that follows is written by the loop.
   */
  writeFragmentHeader(out: Uint8Array, nal: Uint8Array): void;
  /** The NAL unit type carried in the low bits of the FU header. */
  nalType(nal: Uint8Array): number;
}

/**
 * RTP payloads for the NAL units of one access unit, in order: runs of two or more consecutive
 * NALs that fit together go into one aggregation packet (2-byte size before each NAL), a NAL
 * larger than `mtu` is fragmented, any other NAL goes alone. `list` is already filtered
 * (no empty NALs, no access unit delimiters) and `mtu` already checked against the format.
 */
export function packetizeNals(list: readonly Uint8Array[], mtu: number, format: NalPayloadFormat): Uint8Array[] {
  const hs = format.headerSize;
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < list.length) {
    const nal = list[i]!;
    if (nal.length > mtu) {
      fragmentNal(nal, mtu, format, out);
      i++;
      continue;
    }
    let j = i;
    let size = hs;
    while (j < list.length && list[j]!.length <= 0xffff && size + 2 + list[j]!.length <= mtu) {
      size += 2 + list[j]!.length;
      j++;
    }
    if (j - i < 2) {
      out.push(nal);
      i++;
      continue;
    }
    const agg = new Uint8Array(size);
    let off = hs;
    for (let k = i; k < j; k++) {
      const n = list[k]!;
      agg[off] = n.length >>> 8;
      agg[off + 1] = n.length & 0xff;
      agg.set(n, off + 2);
      off += 2 + n.length;
    }
    format.writeAggregationHeader(agg, list, i, j);
    out.push(agg);
    i = j;
  }
  return out;
}

/**
 * Fragments one NAL: each payload is the format's payload header, an FU header (S, E, NAL type)
 * and the next chunk of the NAL after its own header, at most `mtu` bytes in all.
 */
function fragmentNal(nal: Uint8Array, mtu: number, format: NalPayloadFormat, out: Uint8Array[]): void {
  const hs = format.headerSize;
  const type = format.nalType(nal);
  const max = mtu - hs - 1;
  for (let off = hs; off < nal.length; off += max) {
    const end = Math.min(nal.length, off + max);
    const p = new Uint8Array(hs + 1 + end - off);
    format.writeFragmentHeader(p, nal);
    p[hs] = (off === hs ? 0x80 : 0) | (end === nal.length ? 0x40 : 0) | type;
    p.set(nal.subarray(off, end), hs + 1);
    out.push(p);
  }
}
