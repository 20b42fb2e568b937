// A moof's track fragments read back (ISO 14496-12 8.8.7-8.8.8): per traf, its track, decode time and samples with their
// file offsets. Handles what any fMP4 writer may put there (tfhd defaults and base offsets, trun optional fields).
import { childBoxes } from '../fragment-times.js';

export interface TrunSample {
  /** Decode time in the track's timescale. */
  dts: number;
  duration: number;
  /** Composition offset (pts - dts), signed. */
  cto: number;
  size: number;
  key: boolean;
  /** Absolute file offset of the sample's bytes. */
  offset: number;
}

export interface TrackRun {
  /** MP4 track_ID. */
  trackId: number;
  samples: TrunSample[];
}

const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const i32 = (b: Uint8Array, i: number): number => u32(b, i) | 0;
const u64 = (b: Uint8Array, i: number): number => u32(b, i) * 2 ** 32 + u32(b, i + 4);
/** sample_is_non_sync_sample (8.8.3.1). */
const NON_SYNC = 0x10000;

interface Tfhd {
  trackId: number;
  base?: number;
  duration: number;
  size: number;
  flags: number;
}

function readTfhd(b: Uint8Array): Tfhd | undefined {
  if (b.length < 8) return undefined;
  const flags = u32(b, 0) & 0xffffff;
  const out: Tfhd = { trackId: u32(b, 4), duration: 0, size: 0, flags: 0 };
  let i = 8;
  if (flags & 0x1) (out.base = u64(b, i)), (i += 8);
  if (flags & 0x2) i += 4; // sample_description_index
  if (flags & 0x8) (out.duration = u32(b, i)), (i += 4);
  if (flags & 0x10) (out.size = u32(b, i)), (i += 4);
  if (flags & 0x20) out.flags = u32(b, i);
  return i <= b.length ? out : undefined;
}

/** The trun's samples from `dts`, with data starting at `dataStart` unless the trun gives its own offset from `base`. */
function readTrun(b: Uint8Array, d: Tfhd, base: number, dataStart: number, dts: number): { samples: TrunSample[]; next: number; dts: number } {
  const samples: TrunSample[] = [];
  if (b.length < 8) return { samples, next: dataStart, dts };
  const version = b[0]!;
  const flags = u32(b, 0) & 0xffffff;
  const count = u32(b, 4);
  let i = 8;
  let offset = dataStart;
  if (flags & 0x1) (offset = base + i32(b, i)), (i += 4);
  let firstFlags: number | undefined;
  if (flags & 0x4) (firstFlags = u32(b, i)), (i += 4);
  const per = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
  for (let n = 0; n < count && i + per <= b.length; n++) {
    const duration = flags & 0x100 ? u32(b, (i += 4) - 4) : d.duration;
    const size = flags & 0x200 ? u32(b, (i += 4) - 4) : d.size;
    let sf = flags & 0x400 ? u32(b, (i += 4) - 4) : d.flags;
    if (n === 0 && firstFlags !== undefined) sf = firstFlags;
    const cto = flags & 0x800 ? (version === 0 ? u32(b, (i += 4) - 4) : i32(b, (i += 4) - 4)) : 0;
    samples.push({ dts, duration, cto, size, key: !(sf & NON_SYNC), offset });
    dts += duration;
    offset += size;
  }
  return { samples, next: offset, dts };
}

/** The runs of a moof whose body starts at `moofBody` and whose box starts at `moofStart`. */
export function readMoof(moof: Uint8Array, moofStart: number): TrackRun[] {
  const out: TrackRun[] = [];
  let prevEnd = moofStart;
  for (const [t, traf] of childBoxes(moof)) {
    if (t !== 'traf') continue;
    let tfhd: Tfhd | undefined;
    let dts = 0;
    const samples: TrunSample[] = [];
    for (const [c, b] of childBoxes(traf)) {
      if (c === 'tfhd') tfhd = readTfhd(b);
      else if (c === 'tfdt' && b.length >= 8) dts = b[0] === 1 && b.length >= 12 ? u64(b, 4) : u32(b, 4);
      else if (c === 'trun' && tfhd) {
        // default-base-is-moof (and no explicit base): offsets count from the moof.
        const base = tfhd.base ?? moofStart;
        const r = readTrun(b, tfhd, base, prevEnd, dts);
        samples.push(...r.samples);
        prevEnd = r.next;
        dts = r.dts;
      }
    }
    if (tfhd) out.push({ trackId: tfhd.trackId, samples });
  }
  return out;
}
