// GET/HEAD /<path>/playback.mp4 and /<path>/playback.ts ?start=<RFC 3339>&duration=<seconds>: a recorded span as one
// file. MP4 is laid out before the first byte (exact Content-Length, byte ranges, ETag); TS is streamed.
import { createHash } from 'node:crypto';
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { clipMp4, type ClipMp4 } from '../../record/read/clip-mp4.js';
import type { Clip } from '../../record/read/clip.js';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { CONTENT_TYPES, formatCarries, nothingToCarry, type ProgressiveFormat } from '../progressive/formats.js';
import { registerProgressive, type ByteCount } from '../progressive/register.js';
import { sendBody } from './body.js';
import { parsePlaybackQuery, type PlaybackQuery } from './query.js';
import { ifRangeHolds, noneMatchHits, parseRange } from './range.js';
import { sendClipTs } from './ts.js';

export const PLAYBACK_ROUTE = /^\/(.+)\/playback\.(mp4|ts)$/;

function decodePath(p: string): string {
  let out: string;
  try {
    out = p.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new HttpError(400, `the path ${p} has a malformed percent escape`);
  }
  if (out.split('/').some((s) => s === '..' || s === '.' || s === '')) throw new HttpError(400, `the path ${p} has an empty, . or .. part`);
  return out;
}

export function installPlaybackRoutes(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = PLAYBACK_ROUTE.exec(req.path);
    if (!m) return next();
    serve(ctx, req, res, decodePath(m[1]!), m[2] as ProgressiveFormat).catch(next);
  });
}

async function findClip(ctx: HttpContext, path: string, q: PlaybackQuery): Promise<Clip> {
  const reader = ctx.recordingReader;
  if (!reader) throw new HttpError(404, `nothing is recorded on this server: no path has record: true`);
  const clip = await reader.clip(path, q.startMs, q.duration);
  // The reader starts at the first recording at or after `start`: one past the asked span is not an answer.
  if (!clip || clip.wallStartMs >= q.startMs + q.duration * 1000) {
    throw new HttpError(404, `nothing of /${path} is recorded from ${new Date(q.startMs).toISOString()} for ${q.duration} s: GET /api/v1/recordings/${path} lists what is`);
  }
  return clip;
}

/**
 * A strong validator of the bytes themselves: the head (every sample's size and time) and where each stretch of the
 * body comes from. Segment files only grow, so a clip that ends before a segment still being written keeps its tag
 * while that file grows (a <video> scrubbing it keeps getting ranges of one entity); retention or a different
 * recording at that time gives another.
 */
function etagOf(layout: ClipMp4): string {
  const h = createHash('sha1').update(layout.head);
  for (const p of layout.pieces) h.update(`${p.file}\0${p.offset}\0${p.size}\n`);
  return `"${h.digest('base64url').slice(0, 22)}"`;
}

function describe(req: Request): string {
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  return `${peer.includes(':') ? `[${peer}]` : peer}:${req.socket.remotePort ?? 0}`;
}

async function serve(ctx: HttpContext, req: Request, res: Response, path: string, format: ProgressiveFormat): Promise<void> {
  const q = parsePlaybackQuery(req.query as Record<string, unknown>);
  const clip = await findClip(ctx, path, q);
  if (!clip.tracks.some((t) => formatCarries(format, t))) throw new HttpError(415, nothingToCarry(format, clip.tracks, path));
  const who = describe(req);
  const wallStart = new Date(clip.wallStartMs).toISOString();
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Disposition', `inline; filename="${path.replace(/[^\w.-]+/g, '_')}_${wallStart.replace(/:/g, '-')}.${format}"`);
  // Wall clock of the file's time 0 (the key frame at or before `start`).
  res.setHeader('X-Playback-Start', wallStart);
  const count: ByteCount = { bytes: 0 };
  if (format === 'ts') {
    res.setHeader('Accept-Ranges', 'none');
    res.setHeader('Cache-Control', 'private, no-store');
    res.status(200);
    if (req.method === 'HEAD') return void res.end();
    ctx.log.info({ client: who, path, format, start: wallStart, duration: q.duration }, `${who} GET /${path}: recorded TS from ${wallStart} for ${q.duration} s`);
    registerProgressive(ctx.paths.clients, req, res, path, format, count, () => res.destroy());
    return sendClipTs(res, clip, count);
  }
  const layout = clipMp4(clip);
  const etag = etagOf(layout);
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('ETag', etag);
  // Revalidate each time: retention, or a clip that reaches into a segment still being written, changes the bytes.
  res.setHeader('Cache-Control', 'private, no-cache');
  if (noneMatchHits(req.header('if-none-match'), etag)) return void res.status(304).end();
  let range = parseRange(req.header('range'), layout.length);
  if (!ifRangeHolds(req.header('if-range'), etag)) range = { kind: 'whole' };
  if (range.kind === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${layout.length}`);
    throw new HttpError(416, `${req.header('range')} is outside the ${layout.length} bytes of this clip`);
  }
  const [from, to] = range.kind === 'part' ? [range.start, range.end + 1] : [0, layout.length];
  if (range.kind === 'part') res.setHeader('Content-Range', `bytes ${from}-${to - 1}/${layout.length}`);
  res.setHeader('Content-Length', String(to - from));
  res.status(range.kind === 'part' ? 206 : 200);
  if (req.method === 'HEAD') return void res.end();
  ctx.log.info({ client: who, path, format, start: wallStart, duration: q.duration, from, to }, `${who} GET /${path}: recorded MP4 from ${wallStart} for ${q.duration} s, bytes ${from}-${to - 1} of ${layout.length}`);
  registerProgressive(ctx.paths.clients, req, res, path, format, count, () => res.destroy());
  await sendBody(res, layout.head, layout.pieces, from, to, count);
}
