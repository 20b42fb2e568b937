// A clip loaded into memory as a SeekableMedia: what the RTSP on-demand playback (seek, pause, RTP-Info) and the TS
// muxer take. Bounded: past `maxBytes` the clip is cut at the last video key frame that fits, so memory never follows
// the length of a recording.
import type { SeekableMedia } from '../../core/seekable-media.js';
import type { AccessUnit } from '../../media/access-unit.js';
import { ClipFiles } from './clip-data.js';
import type { Clip, ClipUnit } from './clip.js';

export interface ClipMedia extends SeekableMedia {
  /** Unix ms of npt 0. */
  wallStartMs: number;
  /** True when maxBytes cut the clip short. */
  truncated: boolean;
}

/** The clip time (seconds) up to which `maxBytes` of units fit, at a video key frame when there is video. */
function fitSeconds(clip: Clip, maxBytes: number): number {
  const all = clip.units.flatMap((u, n) => u.map((x) => ({ t: x.pts / clip.tracks[n]!.clockRate, x, video: clip.tracks[n]!.kind === 'video' })));
  all.sort((a, b) => a.t - b.t);
  let bytes = 0;
  let cut = Infinity;
  for (const { t, x, video } of all) {
    if (video && x.key) cut = t;
    bytes += x.size;
    if (bytes > maxBytes) return cut === Infinity || !clip.tracks.some((tr) => tr.kind === 'video') ? t : cut;
  }
  return Infinity;
}

export async function loadClipMedia(clip: Clip, maxBytes: number): Promise<ClipMedia> {
  const until = fitSeconds(clip, maxBytes);
  const files = new ClipFiles();
  try {
    const units: AccessUnit[][] = [];
    for (const [n, track] of clip.tracks.entries()) {
      // Decode order stays a prefix (B-frames): everything from the first unit past the cut on goes.
      const all: ClipUnit[] = clip.units[n]!;
      const firstPast = all.findIndex((u) => u.pts / track.clockRate >= until);
      units.push(await files.accessUnits(track, firstPast < 0 ? all : all.slice(0, firstPast)));
    }
    const duration = Math.max(0, ...units.map((u, n) => (u.length ? (u[u.length - 1]!.pts + u[u.length - 1]!.duration) / clip.tracks[n]!.clockRate : 0)));
    return { path: clip.files[0]!, tracks: clip.tracks, units, duration, wallStartMs: clip.wallStartMs, truncated: until !== Infinity };
  } finally {
    await files.close();
  }
}
