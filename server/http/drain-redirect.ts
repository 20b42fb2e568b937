// While the server drains with an HTTP target, stream and page requests answer 302 there (HLS players and progressive readers move with it).
import type { Express } from 'express';
import type { HttpContext } from './context.js';

/** The API and metrics stay here: the operator watches the drain through them. */
const STAYS = /^\/(?:api|metrics)(?:\/|$)/;

export function installDrainRedirect(app: Express, ctx: HttpContext): void {
  app.use((req, res, next) => {
    if (!ctx.paths.drain.target || STAYS.test(req.path)) return next();
    const location = ctx.paths.drain.httpLocation(req.originalUrl);
    if (location === undefined) return next();
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, location);
  });
}
