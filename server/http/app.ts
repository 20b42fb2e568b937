// The express app on the HTTP port: CORS, the routes of each delivery, and JSON errors for everything else.
import express, { type NextFunction, type Request, type Response } from 'express';
import type { HttpContext } from './context.js';
import { cors } from './cors.js';
import { HttpError, httpErrorOf, sendError } from './errors.js';
import { hideSecrets } from '../util/hide-secrets.js';
import { NoticeLog } from '../limits/notice-log.js';
import { attachRefusalLog } from './refusal-log.js';

/** A group of routes (progressive, HLS, API, player); each delivery adds itself to ROUTES in server.ts. */
export type RouteInstaller = (app: express.Express, ctx: HttpContext) => void;

export function createHttpApp(ctx: HttpContext, routes: RouteInstaller[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Every error answer (sendError) logs one line: path, client, reason.
  const notices = new NoticeLog(ctx.log);
  app.use((req: Request, res: Response, next: NextFunction) => {
    attachRefusalLog(notices, req, res);
    next();
  });
  app.use(cors);
  for (const install of routes) install(app, ctx);
  app.use((req: Request, res: Response) => {
    sendError(res, new HttpError(404, `nothing at ${req.path}: streams are at /<path>/stream.mp4, /<path>/stream.ts and /<path>/index.m3u8`));
  });
  // Express needs the four-argument signature to treat this as the error handler.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const mapped = httpErrorOf(err);
    if (mapped) return sendError(res, mapped);
    const status = (err as { status?: number }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, new HttpError(status, (err as Error).message || 'bad request'));
    }
    const client = `${(req.socket.remoteAddress ?? '').replace(/^::ffff:/, '')}:${req.socket.remotePort ?? 0}`;
    ctx.log.error({ err, client, method: req.method, url: hideSecrets(req.originalUrl) }, `${client} ${req.method} ${hideSecrets(req.path)}: failed with 500 (a server bug): ${(err as Error)?.message ?? String(err)}`);
    sendError(res, new HttpError(500, 'internal error while handling the request; it is logged on the server'));
  });
  return app;
}
