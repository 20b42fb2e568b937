// Windows of a path's recording for RTSP playback by time: the clip from an instant, loaded into memory up to a bound,
// as a SeekableMedia the ordinary file playback plays (or its key-frame view for Scale).
import { trickMedia } from '../../core/trick-media.js';
import { loadClipMedia } from '../../record/read/clip-media.js';
import type { Clip } from '../../record/read/clip.js';
import type { ServerContext } from '../context.js';
import { RtspError } from '../errors.js';
import type { RecordedWindow } from './state.js';

export type { RecordedWindow } from './state.js';

/** Reverse play reaches back at most this far from its start instant (key frames only, so little memory). */
export const REVERSE_REACH_MS = 10 * 60_000;


/** The window for playing `path`'s recording from `atMs` at `scale`; 404 when nothing is recorded there. */
export async function loadWindow(server: ServerContext, path: string, atMs: number, scale: number): Promise<RecordedWindow> {
  const reader = server.recordingReader;
  if (!reader) throw new RtspError(404, `this server records no path, so /${path} has no recording to play by time`);
  // Reverse reaches back within the span that holds the instant: a gap before it would end the clip early.
  const from = scale < 0 ? Math.max(atMs - REVERSE_REACH_MS, await spanStart(server, path, atMs)) : atMs;
  // Reverse: up to the asked instant and one GOP past it (the key frame at or before it is where it starts).
  const clip = await reader.clip(path, from, scale < 0 ? REVERSE_REACH_MS / 1000 + 10 : undefined);
  if (!clip) {
    throw new RtspError(404, `nothing of /${path} is recorded at or after ${new Date(atMs).toISOString()}; GET /api/v1/recordings/${path} lists what is`);
  }
  const keysOnly = scale !== 1 && clip.tracks.some((t) => t.kind === 'video');
  // recordPlaybackMaxBytes bounds one window (one per playing session); next-window.ts loads the next as it ends.
  const loaded = keysOnly ? keyFramesOf(clip) : clip;
  const media = await loadClipMedia(loaded, Math.max(server.config.recordPlaybackMaxBytes, firstGopBytes(loaded)));
  const view = keysOnly ? trickMedia(media, scale) : undefined;
  return { media: view?.media ?? media, clip: media, wallStartMs: media.wallStartMs, scale: view ? scale : 1, view, truncated: media.truncated };
}

/** Bytes up to the second video key frame: a window holds at least that much, or it would hold nothing and go nowhere. */
function firstGopBytes(clip: Clip): number {
  const v = clip.tracks.findIndex((t) => t.kind === 'video');
  if (v < 0) return 0;
  const second = clip.units[v]!.filter((u) => u.key)[1];
  const until = second ? second.pts / clip.tracks[v]!.clockRate : Infinity;
  return clip.units.reduce((sum, list, n) => sum + list.filter((u) => u.pts / clip.tracks[n]!.clockRate <= until).reduce((b, u) => b + u.size, 0), 0);
}

/** The clip's video key frames alone (trick play sends nothing else): a window of them reaches far for little memory. */
function keyFramesOf(clip: Clip): Clip {
  const video = clip.tracks.findIndex((t) => t.kind === 'video');
  return { ...clip, units: clip.units.map((u, n) => (n === video ? u.filter((x) => x.key) : [])) };
}

/** The `start=` of a URL query as Unix ms (RFC 3339); undefined when the query has none. */
export function startOfQuery(query: string | undefined): number | undefined {
  if (!query) return undefined;
  const raw = new URLSearchParams(query).get('start');
  if (raw === null) return undefined;
  // A "+01:00" offset typed into a URL unescaped reads as a space: it can only have been a plus.
  const start = raw.replace(/ (\d{2}:\d{2})$/, '+$1');
  // RFC 3339 date-time: a date, a time and an offset; Date.parse accepts more, so the shape is checked first.
  const ms = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(start) ? Date.parse(start) : NaN;
  if (!Number.isFinite(ms)) throw new RtspError(400, `start=${JSON.stringify(start.slice(0, 40))} is not an RFC 3339 time such as 2026-12-03T22:10:00Z`);
  return ms;
}

/** Unix ms at which the recorded span holding `atMs` starts (-Infinity when none holds it). */
async function spanStart(server: ServerContext, path: string, atMs: number): Promise<number> {
  const { spans } = await server.recordingReader!.segments(path);
  const span = spans.find((s) => Date.parse(s.start) <= atMs && atMs <= Date.parse(s.end));
  return span ? Date.parse(span.start) : -Infinity;
}
