// The playlist, init segment and fMP4 fragments of a recorded clip's HLS plan; sample bytes are copied from the segment
// files as recorded (already length-prefixed NAL units for H.264/H.265, the same sample format the init declares).
import { writeFragment, writeInitSegment, type Fmp4Run, type Fmp4Sample } from '../../mux/fmp4/index.js';
import type { ClipFiles } from '../../record/read/clip-data.js';
import type { PlaybackPlan } from './playback-plan.js';
import type { MediaPlaylist } from './playlist.js';

export function playbackInit(plan: PlaybackPlan): Uint8Array {
  return writeInitSegment(plan.tracks.map((t) => t.fmp4));
}

/**
 * The VOD playlist; `query` (start, fixed duration, token) goes on every URI so each one rebuilds the same clip.
 * Names are relative to /<path>/playback.m3u8.
 */
export function playbackPlaylist(plan: PlaybackPlan, wallStartMs: number, query: string): MediaPlaylist {
  return {
    // fMP4 segments with EXT-X-MAP need version 6 (RFC 8216 section 7).
    version: 6,
    targetDuration: Math.max(1, ...plan.segments.map((s) => Math.round(s.duration))),
    mediaSequence: 0,
    map: `playback/init.mp4?${query}`,
    type: 'VOD',
    endList: true,
    segments: plan.segments.map((s, n) => ({ msn: n, duration: s.duration, uri: `playback/${n}.m4s?${query}`, programDateTime: wallStartMs + (plan.originSec + s.start) * 1000 })),
  };
}

/** Segment `n` as one fragment (mfhd sequence n + 1); undefined when the plan has no such segment. */
export async function playbackFragment(plan: PlaybackPlan, n: number, files: ClipFiles): Promise<Uint8Array | undefined> {
  const seg = plan.segments[n];
  if (!seg) return undefined;
  const runs: Fmp4Run[] = [];
  for (const [i, t] of plan.tracks.entries()) {
    const [from, to] = seg.ranges[i]!;
    if (to <= from) continue;
    const slice = t.units.slice(from, to);
    const data = await files.bytes(slice);
    const samples = slice.map((u, k): Fmp4Sample => {
      // The next unit of the clip (in the next segment for the last one here): decode times run on across segments.
      const next = t.units[from + k + 1];
      const duration = next ? next.dts - u.dts : u.duration;
      return { duration, cto: u.pts - u.dts - t.shift, key: t.fmp4.track.kind === 'video' ? u.key : true, data: [data[k]!], nal: false };
    });
    runs.push({ trackId: t.fmp4.id, baseDecodeTime: slice[0]!.dts - t.offset + t.shift, samples });
  }
  return runs.length > 0 ? writeFragment(n + 1, runs) : undefined;
}
