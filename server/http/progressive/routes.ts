// GET /<path>/stream.mp4 and /<path>/stream.ts: progressive fragmented MP4 and MPEG-TS of live paths and media files.
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { statSync } from 'node:fs';
import type { HttpContext } from '../context.js';
import { HttpError } from '../errors.js';
import { audioByQuery, withAudio } from './audio-query.js';
import { StreamClient } from './client.js';
import { streamFile } from './file.js';
import { CONTENT_TYPES, formatCarries, nothingToCarry, type ProgressiveFormat } from './formats.js';
import { LiveFeed } from './live.js';
import { registerProgressive, type ByteCount } from './register.js';

const ROUTE = /^\/(.+)\/stream\.(mp4|ts)$/;

/** `?start=SECONDS` for files: a non-negative number, or a 400 saying what is expected. */
export function parseStart(q: unknown): number {
  if (q === undefined) return 0;
  const s = Array.isArray(q) ? q[0] : q;
  const n = typeof s === 'string' && s.trim() !== '' ? Number(s) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new HttpError(400, `start=${String(s)} is not a time: give seconds from the beginning, e.g. ?start=12.5`);
  return n;
}

/** The request path's stream name: each segment percent-decoded, e.g. "live/cam%201" -> "live/cam 1". */
function decodePath(p: string): string {
  try {
    return p.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new HttpError(400, `the path ${p} has a malformed percent escape`);
  }
}

export function installProgressiveRoutes(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = ROUTE.exec(req.path);
    if (!m) return next();
    serve(ctx, req, res, decodePath(m[1]!), m[2] as ProgressiveFormat).catch(next);
  });
}

async function serve(ctx: HttpContext, req: Request, res: Response, path: string, format: ProgressiveFormat): Promise<void> {
  const start = parseStart(req.query.start);
  const resolved = await ctx.paths.resolve(path);
  const { config, log } = ctx;
  const peer = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const who = `${peer.includes(':') ? `[${peer}]` : peer}:${req.socket.remotePort ?? 0}`;
  res.setHeader('Content-Type', CONTENT_TYPES[format]);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // A progressive stream has no length and cannot be ranged: say so rather than let players probe.
  res.setHeader('Accept-Ranges', 'none');

  const all = resolved.kind === 'file' ? resolved.file.tracks : resolved.stream.tracks;
  const audio = audioByQuery(all, req.query.audio, path);
  const tracks = withAudio(all, audio);
  if (!tracks.some((t) => formatCarries(format, t))) throw new HttpError(415, nothingToCarry(format, tracks, path));

  if (resolved.kind === 'file') {
    const file = resolved.file;
    if (start >= file.duration && file.duration > 0) {
      throw new HttpError(416, `start=${start} is past the end of /${path}, which is ${file.duration.toFixed(3)} s long`);
    }
    // The bytes depend only on the file and start: a CDN may keep them while the file is unchanged.
    res.setHeader('Cache-Control', 'public, max-age=3600');
    try {
      res.setHeader('Last-Modified', statSync(file.path).mtime.toUTCString());
    } catch {
      /* the file went away after loading: the cached units still serve this reader */
    }
    res.status(200);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    log.info({ client: who, path, format, start }, `${who} ${req.method} /${path}: ${format.toUpperCase()} of the file from ${start} s`);
    const count: ByteCount = { bytes: 0 };
    registerProgressive(ctx.paths.clients, req, res, path, format, count, () => res.destroy());
    await streamFile(file, format, start, res, count, audio?.id);
    return;
  }

  // Live: every GET is a new join; nothing along the way may keep or share it.
  res.setHeader('Cache-Control', 'no-store');
  if (req.query.start !== undefined) {
    throw new HttpError(400, `/${path} is live: it has no start time to seek to (start= works for media files)`);
  }
  res.status(200);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.flushHeaders();
  const feed = LiveFeed.for(resolved.stream, format, log, config.gopCacheBytes, audio?.id);
  const client = new StreamClient(res, { queueBytes: config.tcpQueueBytes, slowTimeoutMs: config.slowReaderTimeout * 1000 }, log, peer);
  log.info({ client: who, path, format, reader: client.id }, `${who} ${req.method} /${path}: live ${format.toUpperCase()} (reader ${client.id})`);
  registerProgressive(ctx.paths.clients, req, res, path, format, client, (why) => {
    log.info({ client: who, path, format, reader: client.id, why }, `${who} ${req.method} /${path}: live ${format.toUpperCase()} reader ${client.id} kicked: ${why}`);
    client.end();
  });
  feed.add(client);
}
