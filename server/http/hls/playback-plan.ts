// HLS segments of a recorded clip: cut at the leading track's key frames (2-6 s apart where the GOPs allow), EXTINFs exact
// from the units, other tracks split by time. A pure function of the clip, so any request that rebuilds the same clip
// (the playlist's and each segment's) gets the same segments.
import { fmp4Supports, type Fmp4Track } from '../../mux/fmp4/index.js';
import type { Clip, ClipUnit } from '../../record/read/clip.js';
import { hlsTracks } from './segmenter.js';
import { firstUnitIndexAtOrAfter } from '../../core/seek.js';

/** A segment is cut at the first key frame this far into it... */
export const SEGMENT_TARGET_SEC = 4;
/** ...or earlier (but not before SEGMENT_MIN_SEC) when waiting for the next key frame would pass SEGMENT_MAX_SEC. */
export const SEGMENT_MIN_SEC = 2;
export const SEGMENT_MAX_SEC = 6;

export interface PlanTrack {
  fmp4: Fmp4Track;
  /** Decode order, from the first that presents at or after the leading track's first frame. */
  units: ClipUnit[];
  /** Ticks taken off pts and dts: the leading track's first frame presents at 0 (a clip asked from before the first key frame starts a little later). */
  offset: number;
  /** Added to dts - offset for the fMP4 decode time (non-negative from the first unit on); presentation stays at pts - offset. */
  shift: number;
}

export interface PlanSegment {
  /** Seconds from the clip's start (pts 0). */
  start: number;
  /** Seconds (EXTINF). */
  duration: number;
  /** Per plan track: units [from, to) in decode order. */
  ranges: [number, number][];
}

export interface PlaybackPlan {
  tracks: PlanTrack[];
  segments: PlanSegment[];
  /** Seconds at which the leading track's last unit stops presenting: the playlist's end. */
  end: number;
  /** Clip seconds of the playlist's 0 (the leading track's first frame). */
  originSec: number;
}

/** Decode-order indexes of the leading track where segments start. */
export function segmentStarts(units: { pts: number; duration: number; key: boolean }[], clock: number, video: boolean): number[] {
  const keys = units.flatMap((u, i) => ((video ? u.key : true) ? [i] : []));
  const endPts = units.reduce((m, u) => Math.max(m, u.pts + u.duration), 0);
  const starts: number[] = [];
  for (let k = 0; k < keys.length; k++) {
    const i = keys[k]!;
    if (starts.length === 0) {
      starts.push(i);
      continue;
    }
    const elapsed = (units[i]!.pts - units[starts[starts.length - 1]!]!.pts) / clock;
    const next = keys[k + 1];
    // After the last key frame, the clip's end is where the segment would stop.
    const nextElapsed = ((next === undefined ? endPts : units[next]!.pts) - units[starts[starts.length - 1]!]!.pts) / clock;
    if (elapsed >= SEGMENT_TARGET_SEC - 1e-9 || (elapsed >= SEGMENT_MIN_SEC - 1e-9 && nextElapsed > SEGMENT_MAX_SEC + 1e-9)) starts.push(i);
  }
  return starts;
}

/** The plan, or undefined when the clip has no track HLS carries in fMP4. */
export function planPlayback(clip: Clip): PlaybackPlan | undefined {
  const picked = hlsTracks(clip.tracks).filter(fmp4Supports);
  const leadUnits = picked.length > 0 ? clip.units[picked[0]!.id]! : [];
  if (leadUnits.length === 0) return undefined;
  const originSec = leadUnits.reduce((m, u) => Math.min(m, u.pts), Infinity) / picked[0]!.clockRate;
  const tracks: PlanTrack[] = picked.map((t, i) => {
    const offset = Math.round(originSec * t.clockRate);
    // Audio before the first video frame has nothing to play beside it.
    const units = i === 0 ? leadUnits : clip.units[t.id]!.slice(firstUnitIndexAtOrAfter(clip.units[t.id]!, offset));
    const minDts = units.reduce((m, u) => Math.min(m, u.dts - offset), 0);
    return { fmp4: { id: t.id + 1, track: t, timescale: t.clockRate }, units, offset, shift: -minDts };
  });
  const lead = tracks[0]!;
  const clock = lead.fmp4.timescale;
  const at = (i: number): number => (lead.units[i]!.pts - lead.offset) / clock;
  const end = lead.units.reduce((m, u) => Math.max(m, u.pts + u.duration - lead.offset), 0) / clock;
  const starts = segmentStarts(lead.units, clock, lead.fmp4.track.kind === 'video');
  const segments = starts.map((from, k): PlanSegment => {
    const last = k + 1 === starts.length;
    const to = last ? lead.units.length : starts[k + 1]!;
    const t0 = k === 0 ? 0 : at(from);
    const t1 = last ? end : at(to);
    const ranges = tracks.map((t): [number, number] => {
      if (t === lead) return [from, to];
      // By time: the first segment takes anything before its start too, the last anything after its end.
      const a = k === 0 ? 0 : firstUnitIndexAtOrAfter(t.units, Math.round(t0 * t.fmp4.timescale) + t.offset);
      const b = last ? t.units.length : firstUnitIndexAtOrAfter(t.units, Math.round(t1 * t.fmp4.timescale) + t.offset);
      return [a, b];
    });
    return { start: t0, duration: Math.max(0, t1 - t0), ranges };
  });
  return { tracks, segments, end, originSec };
}
