// Reader placement over HTTP: the entry URLs of a live path (HLS playlist, progressive streams) answer 302 to the chosen node.
import type { NextFunction, Request, Response } from 'express';
import type { RouteInstaller } from './app.js';

/**
 * Only the URL a player starts from: index.m3u8 (hls.js and ffmpeg resolve the playlist's relative
 * part, segment and rendition URIs against the redirected URL, so they follow) and stream.mp4/.ts.
 */
const ENTRY = /^\/(.+)\/(?:index\.m3u8|stream\.mp4|stream\.ts)$/;

export const installPlacement: RouteInstaller = (app, ctx) => {
  app.get(ENTRY, (req: Request, res: Response, next: NextFunction) => {
    if (!ctx.paths.placement) return next();
    let path: string;
    try {
      path = decodeURIComponent(ENTRY.exec(req.path)![1]!);
    } catch {
      return next();
    }
    // The Host header's name without its port ("[::1]:8888" -> "[::1]").
    const host = (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, '');
    const node = ctx.paths.placeReader(path, host);
    if (!node) return next();
    res.redirect(302, `${node.http}${req.originalUrl}`);
  });
};
