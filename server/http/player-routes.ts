// Serves the bundled web player (dist/player, made by scripts/build-player.mjs) at /player/.
import express, { type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteInstaller } from './app.js';
import { HttpError, sendError } from './errors.js';

/**
 * The package root is the first directory above this file with a package.json: the same answer
 * from server/http (run from source by tsx/vitest) and from dist/server/http (built).
 */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

export const PLAYER_DIR = resolve(packageRoot(), 'dist/player');

const MISSING =
  'the web player is not built: run "npm run build" (it bundles player/ into dist/player/), then reload';

/** `dir` is for tests: the bundle directory to serve (default dist/player). */
export const installPlayerRoutes = (app: Parameters<RouteInstaller>[0], _ctx: Parameters<RouteInstaller>[1], dir: string = PLAYER_DIR): void => {
  // /player without the slash would resolve the page's relative script URLs against "/".
  app.get('/player', (req: Request, res: Response, next) => {
    const q = req.originalUrl.indexOf('?');
    const path = q >= 0 ? req.originalUrl.slice(0, q) : req.originalUrl;
    // Express routing is not strict: this route sees "/player/" too, which is the page itself.
    if (path.endsWith('/')) return next();
    res.redirect(301, `/player/${q >= 0 ? req.originalUrl.slice(q) : ''}`);
  });
  app.use('/player', (req: Request, res: Response, next) => {
    // Checked per request, so a build made while the server runs is picked up without a restart.
    if (existsSync(join(dir, 'index.html'))) return next();
    if (req.accepts(['json', 'html']) === 'html') {
      res.status(503).setHeader('Cache-Control', 'no-store').type('html').send(`<!doctype html><meta charset="utf-8"><title>Player not built</title><p>503: ${MISSING}</p>`);
      return;
    }
    sendError(res, new HttpError(503, MISSING));
  });
  app.use(
    '/player',
    express.static(dir, {
      index: 'index.html',
      fallthrough: true,
      setHeaders(res, path) {
        // The page names the bundle by a fixed URL: it must be revalidated so a rebuild shows at once.
        if (path.endsWith('.html') || path.endsWith('player.js') || path.endsWith('player.css')) res.setHeader('Cache-Control', 'no-cache');
        else res.setHeader('Cache-Control', 'public, max-age=3600');
      },
    }),
  );
};
