// Reader placement over HTTP (docs/deploy.md, docs/cluster.md): media requests answer 302 to the node paths.placeReader picks,
// or 503 on a front with no edge alive. One code path for a Redis front and the origin of --workers.
import type { NextFunction, Request, Response } from 'express';
import type { RouteInstaller } from './app.js';
import { HttpError, sendError } from './errors.js';

/** The live path a media URL reads: "cam/door" for /cam/door/index.m3u8; the player names it in ?path=. */
export function mediaPathOf(urlPath: string, query: Record<string, unknown>): string {
  let p = urlPath;
  try {
    p = decodeURIComponent(urlPath);
  } catch {
    // A malformed escape: placed by the raw text, the edge answers what it is.
  }
  if (p === '/player' || p.startsWith('/player/')) return typeof query.path === 'string' ? query.path.replace(/^\/+/, '') : '';
  const parts = p.split('/').filter(Boolean);
  return parts.length > 1 ? parts.slice(0, -1).join('/') : (parts[0] ?? '');
}

const PROGRESSIVE = /\/stream\.(mp4|ts)$/;
/**
 * What a placing origin (--workers) places: only the URL a player starts from. hls.js and ffmpeg resolve the playlist's
 * relative part, segment and rendition URIs against the redirected URL, so they stay on the edge.
 */
const ENTRY = /^\/.+\/(?:index\.m3u8|stream\.mp4|stream\.ts)$/;

/** Installed after the API, metrics and dashboard (which this server answers itself), before every media route. */
export const installFrontRoutes: RouteInstaller = (app, ctx) => {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const placing = ctx.paths.cluster?.placing;
    if ((placing !== 'front' && (placing !== 'origin' || !ENTRY.test(req.path))) || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const path = mediaPathOf(req.path, req.query as Record<string, unknown>);
    // A progressive stream is one request a reader holds, an entry URL starts one reader: placed and counted like an RTSP reader.
    // On a front everything else (HLS playlists reloaded through it, parts, the player's page) follows the client to one edge.
    const sticky = placing === 'front' && !PROGRESSIVE.test(req.path) ? (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '') : undefined;
    // The Host header's name without its port ("[::1]:8888" -> "[::1]").
    const node = ctx.paths.placeReader(path, (req.headers.host ?? '127.0.0.1').replace(/:\d+$/, ''), sticky);
    if (node === 'here') return next();
    if (node === 'none') return sendError(res, new HttpError(503, `no edge is alive in the cluster to serve ${req.path}: this front (${ctx.paths.cluster!.id}) sees none in Redis; try again later`));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, node.http + req.originalUrl);
  });
};
