// track_ID to timescale from a moov (tkhd, mdhd): the clock of a prft when a file carries no track box.
import { childBoxes } from '../fragment-times.js';

const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;

export function moovTimescales(moov: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  for (const [t, trak] of childBoxes(moov)) {
    if (t !== 'trak') continue;
    let id = 0;
    let scale = 0;
    for (const [c, body] of childBoxes(trak)) {
      if (c === 'tkhd' && body.length >= 24) id = body[0] === 1 ? u32(body, 20) : u32(body, 12);
      if (c === 'mdia') for (const [m, mb] of childBoxes(body)) if (m === 'mdhd' && mb.length >= 24) scale = mb[0] === 1 ? u32(mb, 20) : u32(mb, 12);
    }
    if (id && scale) out.set(id, scale);
  }
  return out;
}
