// In-band H.264/H.265 parameter sets (VPS/SPS/PPS) picked out of an access unit's NAL units.

/** Appends the first VPS/SPS/PPS found in `nals` to each empty list (copies: the NALs may view a packet). */
export function collectParamSets(nals: Uint8Array[], h265: boolean, ps: { vps: Uint8Array[]; sps: Uint8Array[]; pps: Uint8Array[] }): void {
  for (const n of nals) {
    if (n.length === 0) continue;
    const t = h265 ? (n[0]! >> 1) & 0x3f : n[0]! & 0x1f;
    const list = h265
      ? t === 32 ? ps.vps : t === 33 ? ps.sps : t === 34 ? ps.pps : null
      : t === 7 ? ps.sps : t === 8 ? ps.pps : null;
    if (list && list.length === 0) list.push(n.slice());
  }
}
