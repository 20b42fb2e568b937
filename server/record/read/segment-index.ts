// A recorded segment read back: its tracks (the uuid track box), the wall clock of its timeline (the first prft) and
// its complete fragments. The walk keeps each fragment's moof (a kilobyte or two) and its decode times; the samples of
// a fragment are parsed only when a clip needs them, so finding a minute in an hour-long segment reads every moof
// once but builds only that minute's samples. A file cut short by a crash ends at its last complete fragment.
import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Track } from '../../media/track.js';
import { childBoxes } from '../fragment-times.js';
import { readPrft, type Prft } from '../prft.js';
import { readTrackBox } from '../track-box.js';
import { BoxReader } from './box-reader.js';
import { readMoof, type TrunSample } from './traf.js';

export interface Fragment {
  /** File offset of the moof box. */
  moofStart: number;
  moof: Uint8Array;
  /** Where the fragment's mdat body starts and ends: samples outside are dropped. */
  mdatBody: number;
  mdatEnd: number;
  /** Seconds (file time) of the fragment's first decode time over its tracks. */
  startSec: number;
}

export interface SegmentIndex {
  file: string;
  /** Bytes up to the end of the last complete fragment. */
  size: number;
  tracks: Track[];
  fragments: Fragment[];
  /** Unix ms of file time 0: a sample's wall clock is wallAtZero + dts / clockRate * 1000. */
  wallAtZero: number;
  /** File seconds of the first sample and past the last (over all tracks). */
  startSec: number;
  endSec: number;
  /** Bytes held (the moofs), for the cache's bound. */
  bytes: number;
}

/** Boxes walked between turns of the event loop. */
const BOXES_PER_TURN = 600;
const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;

function wallAtZero(prft: Prft, tracks: Track[]): number {
  const clock = tracks.find((t) => t.id === prft.trackId - 1)?.clockRate ?? 90000;
  return prft.wallMs - (prft.mediaTime / clock) * 1000;
}

/** The earliest tfdt of a moof in seconds (no trun parsed). */
function moofStartSec(moof: Uint8Array, clockOf: Map<number, number>): number {
  let min = Infinity;
  for (const [t, traf] of childBoxes(moof)) {
    if (t !== 'traf') continue;
    let id = 0;
    for (const [c, b] of childBoxes(traf)) {
      if (c === 'tfhd' && b.length >= 8) id = u32(b, 4);
      else if (c === 'tfdt' && b.length >= 8) {
        const base = b[0] === 1 && b.length >= 12 ? u32(b, 4) * 2 ** 32 + u32(b, 8) : u32(b, 4);
        min = Math.min(min, base / (clockOf.get(id) ?? 90000));
      }
    }
  }
  return min;
}

/** Samples of the fragments [from, to) per stream track id, in decode order. */
export function fragmentSamples(ix: SegmentIndex, from: number, to: number): Map<number, TrunSample[]> {
  const out = new Map<number, TrunSample[]>();
  for (let k = Math.max(0, from); k < Math.min(to, ix.fragments.length); k++) {
    const f = ix.fragments[k]!;
    for (const run of readMoof(f.moof, f.moofStart)) {
      let list = out.get(run.trackId - 1);
      if (!list) out.set(run.trackId - 1, (list = []));
      for (const s of run.samples) if (s.offset >= f.mdatBody && s.offset + s.size <= f.mdatEnd) list.push(s);
    }
  }
  return out;
}

/** The index of the last fragment starting at or before `sec` (0 when none does). */
export function fragmentAt(ix: SegmentIndex, sec: number): number {
  let lo = 0;
  let hi = ix.fragments.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ix.fragments[mid]!.startSec <= sec) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Reads a segment; undefined when it has no track box or no complete fragment (not a playable recording). */
export async function indexSegment(file: string): Promise<SegmentIndex | undefined> {
  const r = new BoxReader(file);
  try {
    let tracks: Track[] | undefined;
    let clockOf = new Map<number, number>();
    let first: Prft | undefined;
    let pendingPrft: Prft | undefined;
    const fragments: Fragment[] = [];
    let size = 0;
    let bytes = 0;
    let walked = 0;
    for (let pos = 0; ; ) {
      if (++walked % BOXES_PER_TURN === 0) await yieldLoop();
      const box = r.head(pos);
      if (!box) break;
      if (box.type === 'uuid') {
        tracks = readTrackBox(r.body(box)) ?? tracks;
        clockOf = new Map((tracks ?? []).map((t) => [t.id + 1, t.clockRate]));
      } else if (box.type === 'prft') pendingPrft = readPrft(r.body(box));
      else if (box.type === 'moof') {
        const mdat = r.head(box.end);
        if (!mdat || mdat.type !== 'mdat') break; // the crash cut this fragment: it is not media
        const moof = r.body(box);
        fragments.push({ moofStart: box.start, moof, mdatBody: mdat.body, mdatEnd: mdat.end, startSec: moofStartSec(moof, clockOf) });
        bytes += moof.length;
        if (pendingPrft) first ??= pendingPrft;
        size = mdat.end;
        pos = mdat.end;
        continue;
      }
      pos = box.end;
    }
    if (!tracks || !first || fragments.length === 0) return undefined;
    const ix: SegmentIndex = { file, size, tracks, fragments, wallAtZero: wallAtZero(first, tracks), startSec: fragments[0]!.startSec, endSec: 0, bytes };
    // The end: the last fragment's samples (parsed now), else its start.
    const last = fragmentSamples(ix, fragments.length - 1, fragments.length);
    ix.endSec = fragments[fragments.length - 1]!.startSec;
    for (const t of tracks) {
      const l = last.get(t.id);
      const s = l?.[l.length - 1];
      if (s) ix.endSec = Math.max(ix.endSec, (s.dts + s.duration) / t.clockRate);
    }
    ix.tracks = tracks.filter((t) => fragments.length > 0 && (last.has(t.id) || fragmentSamples(ix, 0, 1).has(t.id)));
    return ix;
  } finally {
    r.close();
  }
}
