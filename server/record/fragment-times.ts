// The decode time of each track in a fragment (moof tfhd/tfdt): what its prft refers to.

export interface FragmentTime {
  /** MP4 track_ID. */
  trackId: number;
  baseDecodeTime: number;
}

const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const type = (b: Uint8Array, i: number): string => String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);

/** Child boxes of a box body (or of a whole file): [type, body]; stops at a box that does not fit. */
export function* childBoxes(b: Uint8Array): Generator<[string, Uint8Array]> {
  for (let i = 0; i + 8 <= b.length; ) {
    const size = u32(b, i);
    if (size < 8 || i + size > b.length) return;
    yield [type(b, i + 4), b.subarray(i + 8, i + size)];
    i += size;
  }
}

/** Per traf of the fragment's moof, in order: track and tfdt. */
export function fragmentTimes(fragment: Uint8Array): FragmentTime[] {
  const out: FragmentTime[] = [];
  for (const [t, moof] of childBoxes(fragment)) {
    if (t !== 'moof') continue;
    for (const [tt, traf] of childBoxes(moof)) {
      if (tt !== 'traf') continue;
      let trackId = 0;
      let base = 0;
      for (const [c, b] of childBoxes(traf)) {
        if (c === 'tfhd' && b.length >= 8) trackId = u32(b, 4);
        else if (c === 'tfdt' && b.length >= 8) base = b[0] === 1 && b.length >= 12 ? u32(b, 4) * 2 ** 32 + u32(b, 8) : u32(b, 4);
      }
      out.push({ trackId, baseDecodeTime: base });
    }
  }
  return out;
}
