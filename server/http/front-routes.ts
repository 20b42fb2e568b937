// A cluster front (docs/cluster.md): media requests (HLS, progressive streams, files, the player) go to the best edge with 302; 503 when none is alive.
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

/** Installed after the API, metrics and dashboard (which the front answers itself), before every media route. */
export const installFrontRoutes: RouteInstaller = (app, ctx) => {
  app.use((req: Request, res: Response, next: NextFunction) => {
    const cluster = ctx.paths.cluster;
    if (cluster?.role !== 'front' || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const path = mediaPathOf(req.path, req.query as Record<string, unknown>);
    // A progressive stream is one request a reader holds: placed and counted like an RTSP reader. Everything else
    // (HLS playlists reloaded through the front, parts, the player's page) follows the client to one edge.
    const edge = PROGRESSIVE.test(req.path) ? cluster.place(path) : cluster.place(path, (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''));
    if (!edge) return sendError(res, new HttpError(503, `no edge is alive in the cluster to serve ${req.path}: this front (${cluster.id}) sees none in Redis; try again later`));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, edge.http + req.originalUrl);
  });
};
