// The dashboard at `/`: one static page plus its scripts and style under /dashboard/, polling the REST API every second.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { Express, Request, Response } from 'express';
import { DASHBOARD_ASSET } from '../auth/rules.js';
import { HttpError, sendError } from '../errors.js';

// The page is plain files in the source tree, read once. Run from dist/ (tsc copies no HTML, CSS or JS),
// this module sits at dist/server/http/dashboard/ and the files are at the same place under the root.
const HERE = new URL('./', import.meta.url);
const FROM_DIST = new URL('../../../../server/http/dashboard/', import.meta.url);
const DIR = existsSync(new URL('page.html', HERE)) ? HERE : FROM_DIST;

const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

/** The page's own files, by name ("dashboard.js"): a fixed set, so no request reaches the file system. */
const ASSETS = new Map<string, { type: string; body: string }>(
  readdirSync(DIR)
    .filter((f) => /^[a-z-]+\.(?:js|css)$/.test(f))
    .map((f) => [f, { type: TYPES[f.split('.').pop()!]!, body: readFileSync(new URL(f, DIR), 'utf8') }]),
);
const PAGE = readFileSync(new URL('page.html', DIR), 'utf8');

export function installDashboard(app: Express): void {
  app.get('/', (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(PAGE);
  });
  app.get(DASHBOARD_ASSET, (req: Request, res: Response) => {
    const asset = ASSETS.get(req.path.slice('/dashboard/'.length));
    // These URLs pass the auth gate unchecked: nothing but the page's own files is answered on them.
    if (!asset) return sendError(res, new HttpError(404, `the dashboard has no file ${req.path}`));
    res.setHeader('Content-Type', asset.type);
    // Revalidated on every load: a new server version shows its new page at once.
    res.setHeader('Cache-Control', 'no-cache');
    res.send(asset.body);
  });
}
