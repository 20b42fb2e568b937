// The dashboard at `/`: one static page that polls the REST API (live paths, files, sessions).
import { existsSync, readFileSync } from 'node:fs';
import type { Express } from 'express';

// The page is a plain file in the source tree, read once. Run from dist/ (tsc copies no HTML),
// this module sits at dist/server/http/dashboard/ and the page is at the same place under the root.
const HERE = new URL('./page.html', import.meta.url);
const FROM_DIST = new URL('../../../../server/http/dashboard/page.html', import.meta.url);
const PAGE = readFileSync(existsSync(HERE) ? HERE : FROM_DIST, 'utf8');

export function installDashboard(app: Express): void {
  app.get('/', (_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.send(PAGE);
  });
}
