// The dashboard's page and files: public (like the page) with a login required by the server, only the fixed set of
// page files, and no way around the auth of a path that happens to be named "dashboard".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ruleFor } from '../../server/http/auth/rules.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;

beforeAll(async () => {
  srv = await startTestServer({ authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'api' }, { action: 'read' }] }] });
});
afterAll(async () => {
  await srv?.close();
});

describe('dashboard files', () => {
  it.each([
    ['/dashboard/dashboard.js', 'public'],
    ['/dashboard/dashboard.css', 'public'],
    ['/dashboard/stream.mp4', 'check'],
    ['/dashboard/index.m3u8', 'check'],
    ['/dashboard/sub/x.js', 'check'],
    ['/dashboard/x.js.mp4', 'check'],
    ['/dashboard/UPPER.js', 'check'],
  ])('%s is %s', (url, kind) => {
    expect(ruleFor(url).kind).toBe(kind);
  });

  it('serves the page and each of its files without a login, with their types; the API still needs one', async () => {
    const page = await fetch(srv.httpUrl(''));
    expect(page.status).toBe(200);
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="(\/dashboard\/[^"]+)"/g)].map((m) => m[1]!);
    expect(refs).toEqual(['/dashboard/dashboard.css', '/dashboard/dashboard.js']);
    const js = await fetch(srv.httpUrl('dashboard/dashboard.js'));
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    // Every module the entry imports is served too.
    const imports = [...(await js.text()).matchAll(/from '\.\/([a-z-]+\.js)'/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(3);
    for (const f of imports) expect((await fetch(srv.httpUrl(`dashboard/${f}`))).status, f).toBe(200);
    const css = await fetch(srv.httpUrl('dashboard/dashboard.css'));
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await fetch(srv.httpUrl('api/v1/paths'))).status).toBe(401);
  });

  it('answers nothing but its own files on those unchecked URLs (a media file there would need a login)', async () => {
    const r = await fetch(srv.httpUrl('dashboard/nope.js'));
    expect(r.status).toBe(404);
    expect((await r.json()).error).toBe('the dashboard has no file /dashboard/nope.js');
  });
});
