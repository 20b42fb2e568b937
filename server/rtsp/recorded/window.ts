// Windows of a path's recording for RTSP playback by time: the clip from an instant, loaded into memory up to a bound,
// as a SeekableMedia the ordinary file playback plays (or its key-frame view for Scale).
import { trickMedia } from '../../core/trick-media.js';
import { loadClipMedia } from '../../record/read/clip-media.js';
import type { Clip } from '../../record/read/clip.js';
import type { ServerContext } from '../context.js';
import { RtspError } from '../errors.js';
import type { RecordedWindow } from './state.js';

export type { RecordedWindow } from './state.js';

/**
 * Bytes of samples one window holds (one per playing session): about 8 minutes of a 2 Mbit/s camera at
 * Scale 1. A window that ends before the recorded span does ends the playback there (RTCP BYE); a new
 * PLAY with a later clock= range loads the next window.
 */
export const WINDOW_MAX_BYTES = 128 * 1024 * 1024;
/** Reverse play reaches back at most this far from its start instant (key frames only, so little memory). */
export const REVERSE_REACH_MS = 10 * 60_000;


/** The window for playing `path`'s recording from `atMs` at `scale`; 404 when nothing is recorded there. */
export async function loadWindow(server: ServerContext, path: string, atMs: number, scale: number): Promise<RecordedWindow> {
  const reader = server.recordingReader;
  if (!reader) throw new RtspError(404, `this server records no path, so /${path} has no recording to play by time`);
  const from = scale < 0 ? atMs - REVERSE_REACH_MS : atMs;
  // Reverse: up to the asked instant and one GOP past it (the key frame at or before it is where it starts).
  const clip = await reader.clip(path, from, scale < 0 ? REVERSE_REACH_MS / 1000 + 10 : undefined);
  if (!clip) {
    throw new RtspError(404, `nothing of /${path} is recorded at or after ${new Date(atMs).toISOString()}; GET /api/v1/recordings/${path} lists what is`);
  }
  const keysOnly = scale !== 1 && clip.tracks.some((t) => t.kind === 'video');
  const media = await loadClipMedia(keysOnly ? keyFramesOf(clip) : clip, WINDOW_MAX_BYTES);
  const view = keysOnly ? trickMedia(media, scale) : undefined;
  return { media: view?.media ?? media, clip: media, wallStartMs: media.wallStartMs, scale: view ? scale : 1, view };
}

/** The clip's video key frames alone (trick play sends nothing else): a window of them reaches far for little memory. */
function keyFramesOf(clip: Clip): Clip {
  const video = clip.tracks.findIndex((t) => t.kind === 'video');
  return { ...clip, units: clip.units.map((u, n) => (n === video ? u.filter((x) => x.key) : [])) };
}

/** The `start=` of a URL query as Unix ms (RFC 3339); undefined when the query has none. */
export function startOfQuery(query: string | undefined): number | undefined {
  if (!query) return undefined;
  const start = new URLSearchParams(query).get('start');
  if (start === null) return undefined;
  // RFC 3339 date-time: a date, a time and an offset; Date.parse accepts more, so the shape is checked first.
  const ms = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(start) ? Date.parse(start) : NaN;
  if (!Number.isFinite(ms)) throw new RtspError(400, `start=${JSON.stringify(start.slice(0, 40))} is not an RFC 3339 time such as 2026-12-03T22:10:00Z`);
  return ms;
}
