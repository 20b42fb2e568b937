// A Tidecast with authHTTPAddress against a real service this test starts: what the service is asked over RTSP and HTTP, 2xx allows, a refusal is a 401, a foreign token passed on, a service that is down gives 503.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExternalQuery } from '../../server/auth/external.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let service: Server;
let srv: TestServer;
const asked: ExternalQuery[] = [];

/** alice/secret may read and publish; a JWT-like "good-jwt" may read; anyone may read public/*. */
function decide(q: ExternalQuery): boolean {
  if (q.user === 'alice' && q.password === 'secret') return q.action === 'read' || q.action === 'publish' || q.action === 'api';
  if (q.token === 'good-jwt') return q.action === 'read';
  return q.user === '' && q.token === '' && q.action === 'read' && q.path.startsWith('public/');
}

beforeAll(async () => {
  service = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const q = JSON.parse(body) as ExternalQuery;
      asked.push(q);
      res.writeHead(decide(q) ? 200 : 401).end();
    });
  });
  await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
  srv = await startTestServer({ authHTTPAddress: `http://127.0.0.1:${(service.address() as AddressInfo).port}/auth` });
});
afterAll(async () => {
  await srv?.close();
  service.closeAllConnections();
  await new Promise((r) => service.close(r));
});

const basic = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('external auth (authHTTPAddress)', () => {
  it('RTSP: asks the service with the request; 401 offering Basic only until it says yes', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    try {
      asked.length = 0;
      const anon = await c.request('DESCRIBE', srv.url('sample.mp4'));
      expect(anon.status).toBe(401);
      expect(anon.headers.getAll('WWW-Authenticate')).toEqual(['Basic realm="Tidecast"']);
      expect(asked).toEqual([{ user: '', password: '', token: '', ip: '127.0.0.1', action: 'read', path: 'sample.mp4', protocol: 'rtsp' }]);
      const ok = await c.request('DESCRIBE', srv.url('sample.mp4'), { Authorization: basic('alice', 'secret') });
      expect(ok.status).toBe(200);
      expect(asked.at(-1)).toEqual({ user: 'alice', password: 'secret', token: '', ip: '127.0.0.1', action: 'read', path: 'sample.mp4', protocol: 'rtsp' });
      const wrong = await c.request('DESCRIBE', srv.url('sample.mp4'), { Authorization: basic('alice', 'nope') });
      expect([wrong.status, bodyText(wrong)]).toEqual([401, 'wrong user name or password\r\n']);
      // The same question within a few seconds is answered from the cache.
      const before = asked.length;
      expect((await c.request('DESCRIBE', srv.url('sample.mp4'), { Authorization: basic('alice', 'secret') })).status).toBe(200);
      expect(asked.length).toBe(before);
    } finally {
      c.close();
    }
  });

  it('HTTP: the service judges HLS, the API and foreign bearer tokens; our login tokens carry the credentials', async () => {
    asked.length = 0;
    expect((await fetch(srv.httpUrl('public/x/index.m3u8'))).status).toBe(404);
    expect(asked[0]).toMatchObject({ user: '', action: 'read', path: 'public/x', protocol: 'hls' });
    expect((await fetch(srv.httpUrl('sample.mp4/index.m3u8'), { headers: { Authorization: 'Bearer good-jwt' } })).status).toBe(200);
    expect(asked.at(-1)).toMatchObject({ user: '', password: '', token: 'good-jwt', action: 'read', path: 'sample.mp4', protocol: 'hls' });
    expect((await fetch(srv.httpUrl('api/v1/status'), { headers: { Authorization: 'Bearer good-jwt' } })).status).toBe(401);
    expect((await fetch(srv.httpUrl('api/v1/status'), { headers: { Authorization: basic('alice', 'secret') } })).status).toBe(200);
    // A login needs an action here: the service answers for one.
    expect((await fetch(srv.httpUrl('api/v1/login'), { method: 'POST', headers: { Authorization: basic('alice', 'secret') } })).status).toBe(400);
    const login = await fetch(srv.httpUrl('api/v1/login?action=read&path=sample.mp4'), { method: 'POST', headers: { Authorization: basic('alice', 'secret') } });
    expect(login.status).toBe(200);
    const { token } = (await login.json()) as { token: string };
    expect((await fetch(srv.httpUrl(`sample.mp4/stream.mp4?token=${token}`), { method: 'HEAD' })).status).toBe(200);
    expect(asked.at(-1)).toMatchObject({ user: 'alice', password: 'secret', token: '', action: 'read', protocol: 'http' });
  });

  it('a service that does not answer gets the client a 503 saying so', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const down = await startTestServer({ authHTTPAddress: `http://127.0.0.1:${port}/auth` });
    try {
      const c = await RawRtspClient.open(down.rtspPort);
      try {
        const r = await c.request('DESCRIBE', down.url('sample.mp4'));
        expect(r.status).toBe(503);
        expect(bodyText(r)).toMatch(/^the authentication service did not answer \(connect ECONNREFUSED/);
      } finally {
        c.close();
      }
      expect((await fetch(down.httpUrl('metrics'))).status).toBe(503);
    } finally {
      await down.close();
    }
  });
});
