// GET /<file>: the media directory's files as they are, with validators (304) and byte ranges (206) for players, CDNs and download managers.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { HttpContext } from './context.js';
import { decideStatic, etagOf, lastModifiedOf, type FileVersion } from './static-media-conditional.js';

/** What counts as a media file here: the containers the file source reads (not READMEs or configs beside them). */
const MEDIA = /\.(mp4|m4v|mov|mkv|webm|ts|m2ts|mp3|m4a|aac|ogg|opus|wav)$/i;

const TYPES: Record<string, string> = {
  mp4: 'video/mp4', m4v: 'video/mp4', mov: 'video/quicktime', mkv: 'video/x-matroska', webm: 'video/webm',
  ts: 'video/mp2t', m2ts: 'video/mp2t', mp3: 'audio/mpeg', m4a: 'audio/mp4', aac: 'audio/aac',
  ogg: 'audio/ogg', opus: 'audio/ogg', wav: 'audio/wav',
};

export function installStaticMediaRoutes(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let path: string;
    try {
      path = req.path.slice(1).split('/').map(decodeURIComponent).join('/');
    } catch {
      return next();
    }
    // Hidden files and folders (`.git/`, `.x.mp4`) are not served, as with send's dotfiles: 'deny'.
    if (!MEDIA.test(path) || path.split('/').some((s) => s.startsWith('.')) || !ctx.paths.isFile(path)) return next();
    serveFile(req, res, ctx.paths.filePath(path)).catch((err: unknown) => {
      if (!res.headersSent) next(err);
      else res.destroy();
    });
  });
}

async function serveFile(req: Request, res: Response, file: string): Promise<void> {
  const st = await stat(file);
  const v: FileVersion = { size: st.size, mtimeMs: st.mtimeMs };
  // Validators from size and mtime, so a CDN or player revalidates with a 304 instead of a download;
  // the files change rarely, so an hour of freshness.
  res.setHeader('ETag', etagOf(v));
  res.setHeader('Last-Modified', lastModifiedOf(v));
  res.setHeader('Cache-Control', 'public, max-age=3600');
  res.setHeader('Accept-Ranges', 'bytes');
  const d = decideStatic(
    {
      ifNoneMatch: req.get('If-None-Match'),
      ifModifiedSince: req.get('If-Modified-Since'),
      range: req.get('Range'),
      ifRange: req.get('If-Range'),
    },
    v,
  );
  if (d.status === 304) {
    res.status(304).end();
    return;
  }
  if (d.status === 416) {
    res.status(416).setHeader('Content-Range', `bytes */${v.size}`);
    res.json({ error: `Range ${req.get('Range')} is past the end of the file (${v.size} bytes)`, status: 416 });
    return;
  }
  const start = d.status === 206 ? d.range.start : 0;
  const end = d.status === 206 ? d.range.end : v.size - 1;
  res.status(d.status);
  if (d.status === 206) res.setHeader('Content-Range', `bytes ${start}-${end}/${v.size}`);
  res.setHeader('Content-Type', TYPES[file.slice(file.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream');
  res.setHeader('Content-Length', String(Math.max(0, end - start + 1)));
  if (req.method === 'HEAD' || v.size === 0) {
    res.end();
    return;
  }
  await pipeline(createReadStream(file, { start, end }), res);
}
