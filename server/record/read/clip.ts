// A clip of a path's recording by wall-clock time: from the video key frame at or before the asked instant, across
// segment cuts (each segment continues exactly where the previous one ended, so nothing is lost or doubled at a cut),
// until the asked duration, a gap in the recording or a change of tracks. Times follow SeekableMedia's rules: the first
// key frame presents at 0, tracks renumbered 0..n-1.
import type { Track } from '../../media/track.js';
import { fragmentAt, fragmentSamples, type SegmentIndex } from './segment-index.js';

export interface ClipUnit {
  pts: number;
  dts: number;
  duration: number;
  key: boolean;
  file: string;
  offset: number;
  size: number;
}

export interface Clip {
  tracks: Track[];
  /** Per clip track, decode order. */
  units: ClipUnit[][];
  /** Unix ms at which pts 0 was presented. */
  wallStartMs: number;
  /** Seconds: the latest unit end over all tracks. */
  duration: number;
  /** Segment files the clip reads. */
  files: string[];
}

/** Loads a segment's index (the caller caches). */
export type IndexOf = (file: string) => Promise<SegmentIndex | undefined>;

export interface ClipRequest {
  /** Segment files of the path with their wall-clock start, oldest first. */
  segments: { file: string; startMs: number; duration: number }[];
  startMs: number;
  /** Seconds from the clip's first key frame; undefined plays to the end of the span. */
  duration?: number;
  /** Segments further apart than this do not join (ms). */
  joinGapMs: number;
}

const sameTracks = (a: Track[], b: Track[]): boolean =>
  a.length === b.length && a.every((t, i) => t.codec === b[i]!.codec && t.clockRate === b[i]!.clockRate && t.kind === b[i]!.kind);

/** The clip, or undefined when nothing is recorded at or after `startMs` within the request. */
export async function buildClip(req: ClipRequest, indexOf: IndexOf): Promise<Clip | undefined> {
  let i = req.segments.findIndex((s) => s.startMs + s.duration * 1000 > req.startMs);
  if (i < 0) return undefined;
  const firstIx = await indexOf(req.segments[i]!.file);
  if (!firstIx) return undefined;
  const origin = originOf(firstIx, req.startMs);
  const tracks = firstIx.tracks.map((t, n) => ({ ...t, id: n }));
  const clip: Clip = { tracks, units: tracks.map(() => []), wallStartMs: origin.wallMs, duration: 0, files: [] };
  const endSec = req.duration === undefined ? Infinity : req.duration;
  // Clip seconds minus file seconds, per segment.
  let shift = -origin.fileSec;
  let ix: SegmentIndex | undefined = firstIx;
  let prevEndWall = -Infinity;
  while (ix) {
    const wallStart = ix.wallAtZero + ix.startSec * 1000;
    if (clip.files.length > 0) {
      if (wallStart - prevEndWall > req.joinGapMs || !sameTracks(firstIx.tracks, ix.tracks)) break;
      shift = primaryEnd(clip) - primaryStart(ix);
    }
    clip.files.push(ix.file);
    const full = addSegment(clip, ix, shift, clip.files.length === 1 ? origin.fileSec : -Infinity, endSec);
    prevEndWall = ix.wallAtZero + ix.endSec * 1000;
    if (!full) break;
    const next = req.segments[++i];
    ix = next ? await indexOf(next.file) : undefined;
  }
  return clip.units.some((u) => u.length > 0) ? clip : undefined;
}

/** The track that sets the timeline at a cut: video when there is one (the recorder cuts at its key frames). */
const primary = (tracks: Track[]): number => Math.max(0, tracks.findIndex((t) => t.kind === 'video'));

/** Clip seconds at which the primary track's units so far stop presenting. */
function primaryEnd(clip: Clip): number {
  const n = primary(clip.tracks);
  const clock = clip.tracks[n]!.clockRate;
  return clip.units[n]!.reduce((m, u) => Math.max(m, (u.pts + u.duration) / clock), 0);
}

/** Seconds of decode reordering and audio lead a window of fragments is widened by (far above any real GOP reorder). */
const SLACK = 2;

/** File seconds at which the segment's primary track first presents. */
function primaryStart(ix: SegmentIndex): number {
  const t = ix.tracks[primary(ix.tracks)]!;
  const list = fragmentSamples(ix, 0, fragmentAt(ix, ix.startSec + SLACK) + 1).get(t.id) ?? [];
  return list.reduce((m, s) => Math.min(m, (s.dts + s.cto) / t.clockRate), Infinity);
}

/** The last key frame presenting at or before `at` in fragments [lo, hi), else (with `orFirst`) the first one there. */
function keyIn(ix: SegmentIndex, video: Track, lo: number, hi: number, at: number, orFirst: boolean): number | undefined {
  let best: number | undefined;
  let first: number | undefined;
  for (const s of fragmentSamples(ix, lo, hi).get(video.id) ?? []) {
    if (!s.key) continue;
    const pts = (s.dts + s.cto) / video.clockRate;
    first ??= pts;
    if (pts <= at + 1e-6 && (best === undefined || pts > best)) best = pts;
  }
  return best ?? (orFirst ? first : undefined);
}

/** The file time and wall clock of the presentation of the video key frame at or before `startMs` (else the first one). */
function originOf(ix: SegmentIndex, startMs: number): { fileSec: number; wallMs: number } {
  const video = ix.tracks.find((t) => t.kind === 'video');
  const at = (startMs - ix.wallAtZero) / 1000;
  let fileSec = Math.max(ix.startSec, Math.min(at, ix.endSec));
  if (video) {
    // Parse only the fragments around the time, widening backwards until a key frame at or before it is found.
    const hi = Math.min(ix.fragments.length, fragmentAt(ix, at + SLACK) + 1);
    let lo = fragmentAt(ix, at);
    let key: number | undefined;
    for (let width = 2; key === undefined; width *= 2) {
      lo = Math.max(0, lo - width);
      key = keyIn(ix, video, lo, lo === 0 ? ix.fragments.length : hi, at, lo === 0);
      if (lo === 0) break;
    }
    fileSec = key ?? ix.startSec;
  }
  return { fileSec, wallMs: ix.wallAtZero + fileSec * 1000 };
}

/** Adds the segment's samples from `fromSec` (file time) to clip time `endSec`; false once the end was reached. */
function addSegment(clip: Clip, ix: SegmentIndex, shiftSec: number, fromSec: number, endSec: number): boolean {
  // Only the fragments that can hold the span: from a little before its start to a little past its end.
  const k0 = Number.isFinite(fromSec) ? fragmentAt(ix, fromSec - SLACK) : 0;
  const k1 = Number.isFinite(endSec) ? Math.min(ix.fragments.length, fragmentAt(ix, endSec - shiftSec + SLACK) + 1) : ix.fragments.length;
  const samples = fragmentSamples(ix, k0, k1);
  let reachedEnd = k1 < ix.fragments.length;
  ix.tracks.forEach((t, n) => {
    const out = clip.units[n]!;
    const list = samples.get(t.id) ?? [];
    const shift = Math.round(shiftSec * t.clockRate);
    const from = Math.round(fromSec * t.clockRate);
    const end = endSec * t.clockRate;
    // Video in decode order up to the last sample that presents before the end (B-frames need what follows them).
    let last = list.length - 1;
    while (last >= 0 && list[last]!.dts + list[last]!.cto + shift >= end) last--;
    if (last < list.length - 1) reachedEnd = true;
    let started = t.kind !== 'video';
    for (let k = 0; k <= last; k++) {
      const s = list[k]!;
      const pts = s.dts + s.cto;
      if (!started) started = s.key && pts >= from - 1;
      if (!started || pts < from - 1) continue;
      out.push({ pts: pts + shift, dts: s.dts + shift, duration: s.duration, key: t.kind !== 'video' || s.key, file: ix.file, offset: s.offset, size: s.size });
    }
    const tail = out[out.length - 1];
    if (tail) clip.duration = Math.max(clip.duration, (tail.pts + tail.duration) / t.clockRate);
  });
  return !reachedEnd;
}
