// HLS playback of recordings: GET /<path>/playback.m3u8?start=&duration= (a VOD playlist over the recorded clip) and the
// playback/init.mp4 and playback/<n>.m4s it names. Stateless: every URI carries the clip's start and fixed duration, and
// each request rebuilds the clip from the reader's cached segment indexes.
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { ClipFiles } from '../../record/read/clip-data.js';
import type { Clip } from '../../record/read/clip.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { planPlayback, type PlaybackPlan } from './playback-plan.js';
import { MAX_PLAYBACK_SECONDS, parsePlaybackQuery, type PlaybackQuery } from './playback-query.js';
import { playbackFragment, playbackInit, playbackPlaylist } from './playback-segment.js';
import { formatPlaylist } from './playlist.js';
import { queryToken } from './token-uris.js';

/** Path names hold "/", so the file name is matched at the end and the rest is the path. */
export const PLAYBACK_HLS_ROUTE = /^\/(.+)\/playback(?:(\.m3u8)|\/(init)\.mp4|\/(\d{1,9})\.m4s)$/;

const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
/** A segment's URI names a fixed stretch of recording: it changes only if retention removes it (then 404). */
const SEGMENT_CACHE = 'public, max-age=3600';

export function installPlaybackHls(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = PLAYBACK_HLS_ROUTE.exec(req.path);
    if (!m) return next();
    serve(ctx, req, res, m).catch(next);
  });
}

async function serve(ctx: HttpContext, req: Request, res: Response, m: RegExpExecArray): Promise<void> {
  const path = decodePath(m[1]!);
  const query = req.query as Record<string, unknown>;
  const q = parsePlaybackQuery(query);
  const clip = await clipOf(ctx, path, q);
  const plan = planPlayback(clip);
  if (!plan) {
    const codecs = clip.tracks.map((t) => t.codec).join(', ');
    throw new HttpError(415, `the recording of /${path} carries ${codecs}: HLS needs H.264, H.265, VP9, AV1, AAC or Opus; play it over RTSP or /${path}/playback.mp4`);
  }
  if (m[2]) {
    const token = queryToken(query);
    const fixed = `start=${encodeURIComponent(q.start)}&duration=${fixedDuration(plan)}${token ? `&token=${encodeURIComponent(token)}` : ''}`;
    return send(res, PLAYLIST_TYPE, 'no-cache', formatPlaylist(playbackPlaylist(plan, clip.wallStartMs, fixed)));
  }
  if (m[3]) return send(res, 'video/mp4', SEGMENT_CACHE, playbackInit(plan));
  const data = await fragment(plan, Number(m[4])).catch((e: unknown) => {
    // Retention removed a file the clip reads between the index and the read.
    if ((e as { code?: string }).code === 'ENOENT') throw new HttpError(404, `a segment file of this clip of /${path} is gone (retention); reload /${path}/playback.m3u8`);
    throw e;
  });
  if (!data) throw new HttpError(404, `segment ${m[4]} is past the end of this clip of /${path} (${plan.segments.length} segments); reload /${path}/playback.m3u8`);
  send(res, 'video/mp4', SEGMENT_CACHE, data);
}

async function clipOf(ctx: HttpContext, path: string, q: PlaybackQuery): Promise<Clip> {
  const clip = await ctx.recordingReader?.clip(path, q.startMs, q.duration ?? MAX_PLAYBACK_SECONDS);
  if (!clip) throw new HttpError(404, `nothing of /${path} is recorded at or after ${q.start}: GET /api/v1/recordings/${path} lists the recorded spans`);
  return clip;
}

/**
 * The playlist's end, rounded down to microseconds: the segments' requests cut the clip there, so a recording still
 * being written gives them the same units the playlist listed, not what was written since.
 */
const fixedDuration = (plan: PlaybackPlan): string => String(Math.min(MAX_PLAYBACK_SECONDS, Math.floor((plan.originSec + plan.end) * 1e6) / 1e6));

async function fragment(plan: PlaybackPlan, n: number): Promise<Uint8Array | undefined> {
  const files = new ClipFiles();
  try {
    return await playbackFragment(plan, n, files);
  } finally {
    await files.close();
  }
}

function decodePath(p: string): string {
  try {
    return p.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new HttpError(400, `the path ${p} has a malformed percent escape`);
  }
}

function send(res: Response, type: string, cache: string, body: string | Uint8Array): void {
  res.status(200).setHeader('Content-Type', type);
  res.setHeader('Cache-Control', cache);
  // A Buffer, not a string: express would add "; charset=utf-8" to the playlist type.
  res.send(typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}
