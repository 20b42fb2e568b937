// /player/ on the HTTP port: the bundle with the right types and caching, the redirect without the slash, and a clear 503 when it is not built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createHttpApp } from '../../server/http/app.js';
import { installPlayerRoutes } from '../../server/http/player-routes.js';
import { buildPlayer } from './player-page.js';

let srv: TestServer;

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

describe('/player/', () => {
  it('serves the page (no-cache), the bundle (JavaScript) and its source map', async () => {
    const page = await fetch(srv.httpUrl('player/?src=sample.mp4'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const html = await page.text();
    expect(html).toContain('src="player.js"');
    const js = await fetch(srv.httpUrl('player/player.js'));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^(text|application)\/javascript/);
    expect(js.headers.get('cache-control')).toBe('no-cache');
    expect(await js.text()).toContain('sourceMappingURL=player.js.map');
    const map = await fetch(srv.httpUrl('player/player.js.map'));
    expect(map.status).toBe(200);
    const css = await fetch(srv.httpUrl('player/player.css'));
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('/player redirects to /player/ keeping the query', async () => {
    const r = await fetch(srv.httpUrl('player?src=a&mode=hls'), { redirect: 'manual' });
    expect(r.status).toBe(301);
    expect(r.headers.get('location')).toBe('/player/?src=a&mode=hls');
  });

  it('a missing file is a JSON 404', async () => {
    const r = await fetch(srv.httpUrl('player/nope.js'));
    expect(r.status).toBe(404);
    expect((await r.json()).status).toBe(404);
  });
});

describe('without a bundle', () => {
  it('answers 503 saying to run npm run build, as JSON or HTML', async () => {
    // A second app whose player directory does not exist: the same installer, pointed elsewhere.
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createServer } = await import('node:http');
    const empty = mkdtempSync(join(tmpdir(), 'tidecast-noplayer-'));
    const app = createHttpApp(srv.http.ctx, [(a, ctx) => installPlayerRoutes(a, ctx, empty)]);
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const j = await fetch(`http://127.0.0.1:${port}/player/`, { headers: { Accept: 'application/json' } });
      expect(j.status).toBe(503);
      expect((await j.json()).error).toMatch(/npm run build/);
      const h = await fetch(`http://127.0.0.1:${port}/player/`, { headers: { Accept: 'text/html' } });
      expect(h.status).toBe(503);
      expect(h.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await h.text()).toMatch(/npm run build/);
    } finally {
      server.close();
    }
  });
});
