// GET /<file>: the media directory's files as they are, with byte ranges (206) for players and download managers.
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import type { HttpContext } from './context.js';

/** What counts as a media file here: the containers the file source reads (not READMEs or configs beside them). */
const MEDIA = /\.(mp4|m4v|mov|mkv|webm|ts|m2ts|mp3|m4a|aac|ogg|opus|wav)$/i;

export function installStaticMediaRoutes(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    let path: string;
    try {
      path = req.path.slice(1).split('/').map(decodeURIComponent).join('/');
    } catch {
      return next();
    }
    if (!MEDIA.test(path) || !ctx.paths.isFile(path)) return next();
    // send (under sendFile) answers Range with 206/416, and sets Last-Modified and ETag, so a CDN
    // can revalidate; the files change rarely, so an hour of freshness.
    res.sendFile(ctx.paths.filePath(path), { acceptRanges: true, lastModified: true, etag: true, maxAge: 3600_000, dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) next(err);
    });
  });
}
