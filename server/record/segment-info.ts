// What a segment file says about itself: its wall-clock start (the first prft) and its media duration (the last
// complete fragment's end), read from the boxes; a file cut short by a crash ends at its last complete fragment.
// Reading the times from the file itself (not a sidecar index) keeps one source of truth that survives kill -9.
// Closed segments are remembered by size and mtime, so a listing reads each file once.
import { stat } from 'node:fs/promises';
import type { Track } from '../media/track.js';
import { readPrft, type Prft } from './prft.js';
import { readTrackBox } from './track-box.js';
import { BoxReader } from './read/box-reader.js';
import { readMoof } from './read/traf.js';
import { moovTimescales } from './read/moov-timescales.js';
import { tsDuration } from './read/ts-times.js';

export interface SegmentInfo {
  /** Unix ms of the first fragment. */
  startMs: number;
  /** Seconds of media up to the end of the last complete fragment. */
  duration: number;
  /** Bytes up to the end of the last complete box (a partial tail is not counted as media). */
  size: number;
}

interface Walk {
  tracks: Track[];
  scales: Map<number, number>;
  first?: Prft;
  last?: Prft;
  lastMoof?: { body: Uint8Array; start: number };
  /** End of the last complete fragment. */
  end: number;
}

/** Walks boxes from `pos`; with `one`, stops after the first complete fragment. Returns where it stopped. */
function walk(r: BoxReader, pos: number, w: Walk, one: boolean): number {
  for (;;) {
    const box = r.head(pos);
    if (!box) return pos;
    if (box.type === 'moov') w.scales = moovTimescales(r.body(box));
    else if (box.type === 'uuid') w.tracks = readTrackBox(r.body(box)) ?? w.tracks;
    else if (box.type === 'prft') w.last = readPrft(r.body(box)) ?? w.last;
    else if (box.type === 'moof') {
      const mdat = r.head(box.end);
      if (!mdat || mdat.type !== 'mdat') return pos;
      w.first ??= w.last;
      w.lastMoof = { body: r.body(box), start: box.start };
      w.end = pos = mdat.end;
      if (one) return pos;
      continue;
    }
    pos = box.end;
  }
}

/** How far from the end the last fragment is looked for before the whole file is walked. */
const TAIL = 4 * 1024 * 1024;
const FRAGMENT_TYPES = new Set(['prft', 'moof', 'mdat']);

/**
 * The start of a fragment (its 32-byte prft, then a moof) near the end of the file: the last fragments are found
 * without walking an hour of them. Found by its shape, then confirmed by a walk from there that must reach the end
 * of the file (or a fragment cut short); anything else falls back to the full walk.
 */
function tailFragment(r: BoxReader, from: number): number | undefined {
  const start = Math.max(from, r.size - TAIL);
  const b = r.at(start, r.size - start).slice();
  for (let i = b.length - 40; i >= 0; i--) {
    if (b[i + 4] !== 0x70 || b[i + 5] !== 0x72 || b[i + 6] !== 0x66 || b[i + 7] !== 0x74) continue; // 'prft'
    if (b[i] !== 0 || b[i + 1] !== 0 || b[i + 2] !== 0 || b[i + 3] !== 32) continue;
    const moof = r.head(start + i + 32);
    if (moof?.type === 'moof') return start + i;
  }
  return undefined;
}

/** True when a walk that stopped at `pos` reached the end of the file or a fragment box cut short. */
function reachedEnd(r: BoxReader, pos: number): boolean {
  if (r.size - pos < 8) return true;
  const h = r.at(pos, 8);
  const size = ((h[0]! << 24) >>> 0) + (h[1]! << 16) + (h[2]! << 8) + h[3]!;
  const type = String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!);
  return FRAGMENT_TYPES.has(type) && (size > r.size - pos || type === 'moof');
}

function infoOf(file: string): SegmentInfo | undefined {
  const r = new BoxReader(file);
  try {
    const w: Walk = { tracks: [], scales: new Map(), end: 0 };
    const afterFirst = walk(r, 0, w, true);
    const tail = w.lastMoof ? tailFragment(r, afterFirst) : undefined;
    const stop = tail !== undefined ? walk(r, tail, w, false) : afterFirst;
    if (tail === undefined || !reachedEnd(r, stop)) walk(r, afterFirst, w, false);
    const { first, last, lastMoof } = w;
    if (!first || !last || !lastMoof) return undefined;
    const clock = w.tracks.find((t) => t.id === last.trackId - 1)?.clockRate ?? w.scales.get(last.trackId) ?? 90000;
    const run = readMoof(lastMoof.body, lastMoof.start).find((x) => x.trackId === last.trackId);
    const tailSample = run?.samples[run.samples.length - 1];
    const endTime = tailSample ? tailSample.dts + tailSample.duration : last.mediaTime;
    const endMs = last.wallMs + ((endTime - last.mediaTime) / clock) * 1000;
    return { startMs: first.wallMs, duration: Math.max(0, (endMs - first.wallMs) / 1000), size: w.end };
  } finally {
    r.close();
  }
}

const remembered = new Map<string, { size: number; mtimeMs: number; info: SegmentInfo | undefined }>();
const REMEMBER = 10_000;

/** An MPEG-TS segment: its span from the PES timestamps; its start from its name, else from when it was last written. */
async function tsInfoOf(file: string, nameTimeMs: number | undefined, mtimeMs: number): Promise<SegmentInfo | undefined> {
  const t = await tsDuration(file);
  return t && { startMs: nameTimeMs ?? mtimeMs - t.duration * 1000, duration: t.duration, size: t.size };
}

/**
 * The segment's start, duration and size, or undefined when it holds no complete fragment. `nameTimeMs`: the time
 * the file's name gives (the start of an MPEG-TS segment, which carries no wall clock inside).
 */
export async function segmentInfo(file: string, nameTimeMs?: number): Promise<SegmentInfo | undefined> {
  const st = await stat(file);
  const hit = remembered.get(file);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.info;
  const info = file.endsWith('.ts') ? await tsInfoOf(file, nameTimeMs, st.mtimeMs) : infoOf(file);
  remembered.set(file, { size: st.size, mtimeMs: st.mtimeMs, info });
  if (remembered.size > REMEMBER) remembered.delete(remembered.keys().next().value!);
  return info;
}
