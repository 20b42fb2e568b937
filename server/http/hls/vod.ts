// VOD HLS for media files: segments at key frames indexed once per loaded file, each made on request as one fMP4 fragment.
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import type { AccessUnit } from '../../media/access-unit.js';
import { nalSamples, sampleOf, writeFragment, writeInitSegment, type Fmp4Run, type Fmp4Track } from '../../mux/fmp4/index.js';
import { firstUnitIndexAtOrAfter } from '../../core/seek.js';
import type { SeekableMedia } from '../../core/seekable-media.js';
import { HttpError } from '../errors.js';
import type { MediaPlaylist } from './playlist.js';
import { hlsTracks } from './segmenter.js';
import { audioAlternatives } from './renditions.js';
import type { Track } from '../../media/track.js';

interface VodTrack {
  fmp4: Fmp4Track;
  units: AccessUnit[];
  video: boolean;
  /** Added to dts for the fMP4 decode time: the first frame decodes at 0 and every frame presents at its pts. */
  shift: number;
}

interface VodSegment {
  /** Seconds on the media's timeline (the leading track's pts): where a subtitle segment of the same span starts. */
  start: number;
  /** Seconds (EXTINF). */
  duration: number;
  /** Per track: units [from, to) in decode order. */
  ranges: [number, number][];
}

/**
 * What one media playlist carries: every track (the plain case), or, when the file has audio
 * alternatives (languages), the video alone or one audio track: a rendition of its own.
 */
export interface VodGroup {
  /** Added to the file's id in the names of its init and segments: "" or "t<trackId>". */
  key: string;
  /** Indexes into VodIndex.tracks. */
  members: number[];
  init: Uint8Array;
}

export interface VodIndex {
  /** From the file's size and mtime: names stay the same for the same file, so segments are immutable. */
  id: string;
  tracks: VodTrack[];
  /** The init of the plain playlist (all tracks, or the video alone when `alternatives`). */
  init: Uint8Array;
  segments: VodSegment[];
  /** By key: "" (the video, or every track) and "t<id>" per alternative audio track. */
  groups: Map<string, VodGroup>;
  /** The audio tracks offered as alternatives (two or more beside a video); empty otherwise. */
  alternatives: Track[];
}

const indexes = new WeakMap<SeekableMedia, VodIndex>();

/** The file's segment index, made on first use and kept as long as the file stays loaded. */
export function vodIndex(file: SeekableMedia, segmentMin: number): VodIndex {
  let idx = indexes.get(file);
  if (!idx) {
    idx = buildIndex(file, segmentMin);
    indexes.set(file, idx);
  }
  return idx;
}

function buildIndex(file: SeekableMedia, segmentMin: number): VodIndex {
  const alternatives = audioAlternatives(file.tracks);
  const picked = alternatives.length > 0 ? [hlsTracks(file.tracks)[0]!, ...alternatives] : hlsTracks(file.tracks);
  if (picked.length === 0) {
    throw new HttpError(415, `${file.path}: no track HLS can carry (H.264, H.265, VP9, AV1, AAC or Opus); try /stream.mp4, /stream.ts or RTSP`);
  }
  const tracks: VodTrack[] = picked.map((t) => {
    const units = file.units[t.id]!;
    const minDts = units.reduce((m, u) => Math.min(m, u.dts), 0);
    return { fmp4: { id: t.id + 1, track: t, timescale: t.clockRate }, units, video: t.kind === 'video', shift: -minDts };
  });
  const lead = tracks[0]!;
  const clock = lead.fmp4.timescale;
  // Segment starts on the leading track: key frames (any frame for audio) at least segmentMin apart.
  const starts: number[] = [];
  let lastPts = -Infinity;
  lead.units.forEach((u, i) => {
    if ((lead.video ? u.key : true) && (starts.length === 0 || u.pts - lastPts >= segmentMin * clock)) {
      starts.push(i);
      lastPts = u.pts;
    }
  });
  const end = file.duration;
  const segments: VodSegment[] = starts.map((from, k) => {
    const to = starts[k + 1] ?? lead.units.length;
    const t0 = lead.units[from]!.pts / clock;
    const t1 = k + 1 < starts.length ? lead.units[to]!.pts / clock : end;
    const ranges = tracks.map((t): [number, number] => {
      if (t === lead) return [from, to];
      // Other tracks (audio, in pts order) by time: the first segment takes anything before t0 too.
      const a = k === 0 ? 0 : firstUnitIndexAtOrAfter(t.units, Math.round(t0 * t.fmp4.timescale));
      const b = k + 1 < starts.length ? firstUnitIndexAtOrAfter(t.units, Math.round(t1 * t.fmp4.timescale)) : t.units.length;
      return [a, b];
    });
    return { start: t0, duration: Math.max(0, t1 - t0), ranges };
  });
  let id = 'f';
  try {
    const st = statSync(file.path);
    id = createHash('sha1').update(`${file.path}\0${st.size}\0${st.mtimeMs}\0${segmentMin}`).digest('hex').slice(0, 10);
  } catch {
    id = createHash('sha1').update(`${file.path}\0${Date.now()}`).digest('hex').slice(0, 10);
  }
  const groups = new Map<string, VodGroup>();
  const group = (key: string, members: number[]): void => {
    groups.set(key, { key, members, init: writeInitSegment(members.map((i) => tracks[i]!.fmp4)) });
  };
  if (alternatives.length === 0) group('', tracks.map((_, i) => i));
  else {
    group('', [0]);
    alternatives.forEach((t, k) => group(`t${t.id}`, [k + 1]));
  }
  return { id, tracks, init: groups.get('')!.init, segments, groups, alternatives };
}

/** The media playlist of one group ("" or "t<trackId>"), every group cut at the same times. */
export function vodPlaylist(idx: VodIndex, group = ''): MediaPlaylist {
  return {
    // fMP4 segments with EXT-X-MAP need version 6 (RFC 8216 section 7); nothing here needs more.
    version: 6,
    targetDuration: Math.max(1, ...idx.segments.map((s) => Math.round(s.duration))),
    mediaSequence: 0,
    map: `init-${idx.id}${group}.mp4`,
    type: 'VOD',
    endList: true,
    segments: idx.segments.map((s, n) => ({ msn: n, duration: s.duration, uri: `seg-${idx.id}${group}-${n}.mp4` })),
  };
}

/** Segment `n` of a group as one fragment of its tracks' samples, or undefined when there is no such segment. */
export function vodSegment(idx: VodIndex, n: number, group = ''): Uint8Array | undefined {
  const seg = idx.segments[n];
  const members = idx.groups.get(group)?.members;
  if (!seg || !members) return undefined;
  const runs: Fmp4Run[] = [];
  members.forEach((i) => {
    const t = idx.tracks[i]!;
    const [from, to] = seg.ranges[i]!;
    if (to <= from) return;
    const samples = [];
    for (let k = from; k < to; k++) {
      const u = t.units[k]!;
      const next = t.units[k + 1];
      samples.push(sampleOf(u, next ? next.dts - u.dts : u.duration, t.video, u.pts - u.dts - t.shift, t.video && nalSamples(t.fmp4.track)));
    }
    runs.push({ trackId: t.fmp4.id, baseDecodeTime: t.units[from]!.dts + t.shift, samples });
  });
  return runs.length > 0 ? writeFragment(n + 1, runs) : undefined;
}

/**
 * Peak bits per second of the plain playlist (EXT-X-STREAM-INF BANDWIDTH): the busiest segment of
 * the video plus the busiest of any one audio alternative (a player plays the video and one of them).
 */
export function vodBandwidth(idx: VodIndex): number {
  const peak = (i: number): number => {
    const t = idx.tracks[i]!;
    let best = 0;
    for (const s of idx.segments) {
      const [from, to] = s.ranges[i]!;
      let bytes = 0;
      for (let k = from; k < to; k++) for (const d of t.units[k]!.data) bytes += d.byteLength;
      if (s.duration > 0) best = Math.max(best, (bytes * 8) / s.duration);
    }
    return best;
  };
  const main = idx.groups.get('')!.members.reduce((sum, i) => sum + peak(i), 0);
  const audio = idx.alternatives.map((_, k) => peak(k + 1));
  return main + Math.max(0, ...audio);
}

/** Every segment's span on the media's timeline: a subtitle playlist cut where the media's is. */
export function vodSpans(idx: VodIndex): { msn: number; start: number; duration: number }[] {
  return idx.segments.map((s, msn) => ({ msn, start: s.start, duration: s.duration }));
}
