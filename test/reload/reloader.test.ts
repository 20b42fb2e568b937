// The reloader of a server started without a config file: config API edits live in memory, SIGHUP has nothing to reload.
import { afterEach, describe, expect, it } from 'vitest';
import { captureLog } from '../helpers/log-capture.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('Reloader without --config', () => {
  it('says there is nothing to reload', async () => {
    const log = captureLog();
    srv = await startTestServer({}, { log: log.logger });
    expect(await srv.reloader.reload('SIGHUP')).toBe(false);
    expect(log.lines.map((l) => l.msg)).toContain('SIGHUP: nothing to reload (the server was started without --config)');
  });

  it('keeps API edits in memory, applied as a reload applies them', async () => {
    srv = await startTestServer();
    const added = await srv.reloader.editPath({ op: 'add', name: 'cams/door', fields: { redirect: 'rtsp://elsewhere/door' } });
    expect(added).toEqual({ ok: true, path: expect.objectContaining({ redirect: 'rtsp://elsewhere/door' }) });
    expect(srv.paths.redirectOf('cams/door')).toBe('rtsp://elsewhere/door');
    expect(srv.reloader.current().paths['cams/door']).toMatchObject({ redirect: 'rtsp://elsewhere/door' });
    const patched = await srv.reloader.editPath({ op: 'patch', name: 'cams/door', fields: { redirect: 'rtsp://other/door' } });
    expect(patched.ok).toBe(true);
    expect(srv.paths.redirectOf('cams/door')).toBe('rtsp://other/door');
    expect(await srv.reloader.editPath({ op: 'add', name: 'cams/door', fields: {} })).toMatchObject({ ok: false, status: 409 });
    expect(await srv.reloader.editPath({ op: 'add', name: 'bad//name', fields: {} })).toMatchObject({ ok: false, status: 400, reasons: [expect.stringMatching(/cannot contain "\/\/"/)] });
    const invalid = await srv.reloader.editPath({ op: 'patch', name: 'cams/door', fields: { redirect: 'http://x' } });
    expect(invalid).toMatchObject({ ok: false, status: 400, reasons: [expect.stringMatching(/^paths\["cams\/door"\]\.redirect: /)] });
    expect(srv.paths.redirectOf('cams/door')).toBe('rtsp://other/door');
    expect(await srv.reloader.editPath({ op: 'remove', name: 'cams/door' })).toEqual({ ok: true });
    expect(srv.paths.redirectOf('cams/door')).toBeUndefined();
    expect(srv.reloader.current().paths).toEqual({});
    // The settings the server was started with stayed: nothing but paths changed.
    expect(srv.reloader.current()).toMatchObject({ rtspPort: 0, host: '127.0.0.1', logLevel: 'silent', rtpPort: srv.rtpPort });
  });

  it('over HTTP: the same edits, and GET /api/v1/config', async () => {
    srv = await startTestServer();
    const post = await fetch(srv.httpUrl('api/v1/config/paths/~%5Eold%2F(.%2B)%24'), { method: 'POST', body: JSON.stringify({ redirect: 'rtsp://new.example/$G1' }) });
    expect(post.status).toBe(201);
    expect(await post.json()).toEqual({ name: '~^old/(.+)$', path: expect.objectContaining({ redirect: 'rtsp://new.example/$G1' }) });
    expect(srv.paths.redirectOf('old/cam 1')).toBeUndefined(); // not a path name
    expect(srv.paths.redirectOf('old/cam1')).toBe('rtsp://new.example/cam1');
    const cfg = (await (await fetch(srv.httpUrl('api/v1/config'))).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(cfg.paths)).toEqual(['~^old/(.+)$']);
    const bad = await fetch(srv.httpUrl('api/v1/config/paths/x'), { method: 'POST', body: '{not json' });
    expect(bad.status).toBe(400);
    expect((await fetch(srv.httpUrl('api/v1/config/paths/~%5Eold%2F(.%2B)%24'), { method: 'DELETE' })).status).toBe(200);
    expect(srv.paths.redirectOf('old/cam1')).toBeUndefined();
  });
});
