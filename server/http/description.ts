// GET /<path>.sdp and /<path>/description.sdp: the path's description for a web page or a player (RFC 2326 §1.1, C.1.1).
import type express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { SDP_ROUTE } from './auth/rules.js';
import type { HttpContext } from './context.js';
import { HttpError } from './errors.js';

export function installDescriptions(app: express.Express, ctx: HttpContext): void {
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const m = SDP_ROUTE.exec(req.path);
    if (!m) return next();
    serve(ctx, req, res, m[1]!).catch(next);
  });
}

async function serve(ctx: HttpContext, req: Request, res: Response, rawPath: string): Promise<void> {
  let path: string;
  try {
    path = rawPath.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new HttpError(400, `the path ${rawPath} has a malformed percent escape`);
  }
  if (!ctx.descriptions) throw new HttpError(503, 'descriptions are served once the RTSP server runs');
  const { sdp } = await ctx.descriptions.describe(path, requestHost(req));
  res.status(200);
  res.setHeader('Content-Type', 'application/sdp');
  // A live path's description changes with its publisher (codecs, groups): always ask again.
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(sdp));
  if (req.method === 'HEAD') return void res.end();
  res.end(sdp);
}

/** The host the client named (Host header without its port), else the address it reached. */
function requestHost(req: Request): string {
  const h = req.headers.host ?? '';
  const m = /^(\[[^\]]+\]|[^:]+)(?::\d+)?$/.exec(h);
  if (m && m[1]) return m[1].replace(/^\[|\]$/g, '');
  return (req.socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
}
