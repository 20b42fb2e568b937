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
import { lastFragmentNear, nextFragment, walkReachedEnd } from './fragment-seek.js';

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
  /** Only a window's fragments are here (indexSegment with a window): not for other windows. */
  partial: boolean;
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
  return fragmentSamplesOf(ix.fragments.slice(Math.max(0, from), Math.max(0, to)));
}

function fragmentSamplesOf(fragments: Fragment[]): Map<number, TrunSample[]> {
  const out = new Map<number, TrunSample[]>();
  for (const f of fragments) {
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

interface WalkState {
  tracks?: Track[];
  clockOf: Map<number, number>;
  first?: Prft;
  pendingPrft?: Prft;
  fragments: Fragment[];
  bytes: number;
  /** End of the last complete fragment. */
  size: number;
  walked: number;
}

/** Walks boxes from `pos`, adding fragments, until `stop(fragment)` says so or the file ends. Returns where it stopped. */
async function walk(r: BoxReader, pos: number, st: WalkState, stop: (f: Fragment) => boolean): Promise<number> {
  for (;;) {
    if (++st.walked % BOXES_PER_TURN === 0) await yieldLoop();
    const box = r.head(pos);
    if (!box) return pos;
    if (box.type === 'uuid') {
      st.tracks = readTrackBox(r.body(box)) ?? st.tracks;
      st.clockOf = new Map((st.tracks ?? []).map((t) => [t.id + 1, t.clockRate]));
    } else if (box.type === 'prft') st.pendingPrft = readPrft(r.body(box));
    else if (box.type === 'moof') {
      const mdat = r.head(box.end);
      if (!mdat || mdat.type !== 'mdat') return pos; // the crash cut this fragment: it is not media
      const moof = r.body(box);
      const f: Fragment = { moofStart: box.start, moof, mdatBody: mdat.body, mdatEnd: mdat.end, startSec: moofStartSec(moof, st.clockOf) };
      st.fragments.push(f);
      st.bytes += moof.length;
      if (st.pendingPrft) st.first ??= st.pendingPrft;
      st.size = pos = mdat.end;
      if (stop(f)) return pos;
      continue;
    }
    pos = box.end;
  }
}

/** The file seconds a fragment starting at `pos` (its prft) starts at. */
function fragmentSecAt(r: BoxReader, pos: number, clockOf: Map<number, number>): number {
  const moof = r.head(pos + 32)!;
  return moofStartSec(r.body(moof), clockOf);
}

/** Segments smaller than this are walked whole (a few hundred fragments): seeking would save nothing. */
const SEEK_MIN_BYTES = 32 * 1024 * 1024;
/** How far apart fragment starts may be (a long part of a high bit rate) when looked for by shape. */
const MAX_FRAGMENT_BYTES = 64 * 1024 * 1024;
/** Bisection stops once the range is this small: a few fragments to walk. */
const BISECT_BYTES = 256 * 1024;
/** Seconds before a window's start it is read from: a key frame at or before the start lies in there. */
const LEAD_SEC = 30;

/** By bisection over fragment starts: the offset of a fragment starting at or before `sec` (or `lo`), near it. */
function seekFragment(r: BoxReader, lo: number, sec: number, clockOf: Map<number, number>): number {
  let hi = r.size;
  while (hi - lo > BISECT_BYTES) {
    const mid = Math.floor((lo + hi) / 2);
    const p = nextFragment(r, mid, Math.min(MAX_FRAGMENT_BYTES, hi - mid));
    if (p === undefined || p >= hi || fragmentSecAt(r, p, clockOf) > sec) hi = mid;
    else lo = p;
  }
  return lo;
}

/** A window of wall-clock time a clip needs (Unix ms): only its fragments are read from a large segment. */
export interface IndexWindow {
  fromMs: number;
  toMs: number;
}

/**
 * Reads a segment; undefined when it has no track box or no complete fragment (not a playable recording). With a
 * window, a large segment is read only around it (found by bisection): the index is then `partial`.
 */
export async function indexSegment(file: string, window?: IndexWindow, seekMinBytes = SEEK_MIN_BYTES): Promise<SegmentIndex | undefined> {
  const r = new BoxReader(file);
  try {
    const st: WalkState = { clockOf: new Map(), fragments: [], bytes: 0, size: 0, walked: 0 };
    const afterFirst = await walk(r, 0, st, () => true);
    const { tracks, first } = st;
    if (!tracks || !first || st.fragments.length === 0) return undefined;
    const zero = wallAtZero(first, tracks);
    const firstFragment = st.fragments[0]!;
    let lastFragment: Fragment | undefined;
    let partial = false;
    if (window && r.size >= seekMinBytes) {
      const fromSec = (window.fromMs - zero) / 1000 - LEAD_SEC;
      const toSec = (window.toMs - zero) / 1000;
      const from = seekFragment(r, afterFirst, fromSec, st.clockOf);
      if (from > afterFirst) (st.fragments.length = 0), (st.bytes = 0);
      const stop = await walk(r, from, st, (f) => f.startSec > toSec);
      partial = from > afterFirst || !walkReachedEnd(r, stop);
      // The segment's real end, from its last fragment (found from the tail).
      const lastAt = partial ? (lastFragmentNear(r, stop, 4 * 1024 * 1024) ?? lastFragmentNear(r, stop, MAX_FRAGMENT_BYTES)) : undefined;
      if (lastAt !== undefined && lastAt >= stop) {
        const tail: WalkState = { clockOf: st.clockOf, fragments: [], bytes: 0, size: 0, walked: 0 };
        await walk(r, lastAt, tail, () => false);
        lastFragment = tail.fragments[tail.fragments.length - 1];
        st.size = Math.max(st.size, tail.size);
      }
    } else {
      await walk(r, afterFirst, st, () => false);
    }
    lastFragment ??= st.fragments[st.fragments.length - 1]!;
    const ends = fragmentSamplesOf([lastFragment]);
    const starts = fragmentSamplesOf([firstFragment]);
    let endSec = lastFragment.startSec;
    for (const t of tracks) {
      const l = ends.get(t.id);
      const x = l?.[l.length - 1];
      if (x) endSec = Math.max(endSec, (x.dts + x.duration) / t.clockRate);
    }
    return {
      file, size: st.size, tracks: tracks.filter((t) => starts.has(t.id) || ends.has(t.id)), fragments: st.fragments, wallAtZero: zero,
      startSec: firstFragment.startSec, endSec, bytes: st.bytes, partial,
    };
  } finally {
    r.close();
  }
}
