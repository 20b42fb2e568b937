// GET /<path>.sdp and /<path>/description.sdp: read permission like the stream, absolute rtsp:// URLs from the Host header or publicHost, errors as JSON.
import { request } from 'node:http';
import sdpTransform from 'sdp-transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../server/config.js';
import { rtspUrlFor } from '../../server/rtsp/http-descriptions.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;

/** GET with a Host header of our choosing (fetch does not let a caller set Host). */
function getWithHost(path: string, host: string, headers: Record<string, string>): Promise<{ status: number; type: string | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.httpPort, path, headers: { ...headers, Host: host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}
const basic = (u: string, p: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });

beforeAll(async () => {
  srv = await startTestServer({
    authUsers: [
      { user: 'viewer', pass: 'pw', permissions: [{ action: 'read', path: 'sample.mp4' }] },
      { user: 'other', pass: 'pw', permissions: [{ action: 'read', path: 'cams/door' }] },
      { user: 'all', pass: 'pw', permissions: [{ action: 'read' }] },
    ],
  });
});
afterAll(async () => {
  await srv?.close();
});

describe('GET /<path>.sdp', () => {
  it('needs read permission on the path, as the stream does', async () => {
    expect((await fetch(srv.httpUrl('sample.mp4.sdp'))).status).toBe(401);
    expect((await fetch(srv.httpUrl('sample.mp4.sdp'), { headers: basic('other', 'pw') })).status).toBe(403);
    expect((await fetch(srv.httpUrl('sample.mp4/description.sdp'), { headers: basic('other', 'pw') })).status).toBe(403);
  });

  it('gives the SDP with absolute controls on the host the client named, at the RTSP port', async () => {
    const res = await getWithHost('/sample.mp4.sdp', `media.example:${srv.httpPort}`, basic('viewer', 'pw'));
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/sdp');
    const text = res.body;
    const sdp = sdpTransform.parse(text);
    const url = `rtsp://media.example:${srv.rtspPort}/sample.mp4`;
    expect(sdp.control).toBe(url);
    expect(sdp.media.map((m) => m.control)).toEqual([`${url}/trackID=0`, `${url}/trackID=1`]);
    expect(text).toMatch(/\r\na=range:npt=0-20\.0\d\d\r\n/);
    const alias = await getWithHost('/sample.mp4/description.sdp', `media.example:${srv.httpPort}`, basic('viewer', 'pw'));
    expect(alias.body).toBe(text);
    const head = await fetch(srv.httpUrl('sample.mp4.sdp'), { method: 'HEAD', headers: basic('viewer', 'pw') });
    expect(head.status).toBe(200);
    expect(head.headers.get('cache-control')).toMatch(/no-store/);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(100);
  });

  it('answers 404 with the reason for a path that does not exist', async () => {
    const res = await fetch(srv.httpUrl('nope.mp4.sdp'), { headers: basic('all', 'pw') });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toMatch(/nope\.mp4/);
  });
});

describe('rtspUrlFor', () => {
  const cfg = (c: Partial<Config>): Config => ({ rtspEncryption: 'optional', ...c }) as Config;
  it.each([
    [cfg({}), 'cam.example', 'cams/door', 'rtsp://cam.example:8554/cams/door'],
    [cfg({ publicHost: 'tv.example.org' }), '10.0.0.2', 'cams/door', 'rtsp://tv.example.org:8554/cams/door'],
    [cfg({}), '::1', 'a b/c#d', 'rtsp://[::1]:8554/a%20b/c%23d'],
    [cfg({ rtspEncryption: 'strict' }), 'cam.example', 'x', 'rtsps://cam.example:8322/x'],
    [cfg({ rtspEncryption: 'optional' }), 'cam.example', 'x', 'rtsp://cam.example:8554/x'],
  ])('%j %s %s -> %s', (config, host, path, url) => {
    expect(rtspUrlFor(config, { rtspPort: 8554, rtspsPort: 8322 }, host, path)).toBe(url);
  });
});
