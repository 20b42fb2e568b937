// HTTP auth against a real server: the defaults (API and metrics from loopback only; narrowed to 127.0.0.1, refused from 127.0.0.2), users on HLS (playlists, init, segments), progressive streams, files, API and metrics; login tokens in headers, ?token= and the cookie; the WebSocket and HTTP tunnels.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_AUTH_USERS } from '../../server/config-auth.js';
import { answerChallenge, formatAuthorization } from '../../server/rtsp/headers/authorization.js';
import { parseWwwAuthenticate } from '../../server/rtsp/headers/www-authenticate.js';
import { HttpTunnelClient } from '../helpers/http-tunnel-client.js';
import { bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One HTTP request with node:http, so it may come from another loopback address. */
function get(url: string, o: { method?: string; headers?: Record<string, string>; from?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: o.method ?? 'GET', headers: o.headers ?? {}, ...(o.from ? { localAddress: o.from } : {}) }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const basic = (user: string, pw: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` });
const lines = (h: IncomingHttpHeaders, name: string): string[] => {
  const v = h[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
};

describe('HTTP without authUsers', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('serves the API and metrics to this machine (127.0.0.0/8 and ::1), streams and files to anyone', async () => {
    for (const from of ['127.0.0.1', '127.0.0.2']) {
      for (const path of ['api/v1/status', 'api/v1/sessions', 'metrics', 'sample.mp4/index.m3u8']) expect((await get(srv.httpUrl(path), { from })).status, `${path} from ${from}`).toBe(200);
    }
    expect((await get(srv.httpUrl('sample.mp4/stream.mp4'), { method: 'HEAD' })).status).toBe(200);
    expect((await get(srv.httpUrl('sample.mp4'), { method: 'HEAD' })).status).toBe(200);
  });

  it('the same rules with loopback narrowed to 127.0.0.1: the API and metrics refused from 127.0.0.2, streams still served', async () => {
    const narrowed = DEFAULT_AUTH_USERS.map((u) => (u.ips ? { ...u, ips: ['127.0.0.1/32'] } : u));
    const s = await startTestServer({ authUsers: narrowed });
    try {
      for (const path of ['api/v1/status', 'api/v1/sessions', 'metrics']) {
        const r = await get(s.httpUrl(path), { from: '127.0.0.2' });
        expect(r.status, path).toBe(401);
        const what = path === 'metrics' ? 'Reading /metrics' : 'Using the API';
        expect(JSON.parse(r.body)).toEqual({ error: `${what} needs a login (user name and password); no users are configured (authUsers), and 127.0.0.2 is not an address allowed to do this without one`, status: 401 });
      }
      expect((await get(s.httpUrl('api/v1/status'), { from: '127.0.0.1' })).status).toBe(200);
      expect((await get(s.httpUrl('sample.mp4/index.m3u8'), { from: '127.0.0.2' })).status).toBe(200);
      expect((await get(s.httpUrl('sample.mp4/stream.mp4'), { method: 'HEAD', from: '127.0.0.2' })).status).toBe(200);
      expect((await get(s.httpUrl('sample.mp4'), { method: 'HEAD', from: '127.0.0.2' })).status).toBe(200);
      expect((await get(s.httpUrl(''), { from: '127.0.0.2' })).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('HTTP with users', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({
      authUsers: [
        { user: 'alice', pass: 'secret', permissions: [{ action: 'read', path: 'sample.*' }, { action: 'api' }] },
        { user: 'bob', pass: 'builder', permissions: [{ action: 'metrics' }, { action: 'playback' }] },
      ],
    });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('HLS: 401 with Digest, Basic and Bearer challenges (only Bearer for our own pages); Basic opens the playlist and every file it names', async () => {
    const anon = await get(srv.httpUrl('sample.mp4/index.m3u8'));
    expect(anon.status).toBe(401);
    expect(lines(anon.headers, 'www-authenticate').flatMap((l) => parseWwwAuthenticate(l)).map((c) => c.scheme)).toEqual(['Digest', 'Basic', 'Bearer']);
    const page = await get(srv.httpUrl('sample.mp4/index.m3u8'), { headers: { 'X-Tidecast-Page': '1' } });
    expect(lines(page.headers, 'www-authenticate')).toEqual(['Bearer realm="Tidecast"']);
    const pl = await get(srv.httpUrl('sample.mp4/index.m3u8'), { headers: basic('alice', 'secret') });
    expect(pl.status).toBe(200);
    const uris = playlistUris(pl.body);
    expect(uris.length).toBeGreaterThan(2);
    for (const u of uris.slice(0, 3)) {
      const url = new URL(u, srv.httpUrl('sample.mp4/index.m3u8')).toString();
      expect((await get(url)).status, `${u} anonymous`).toBe(401);
      const ok = await get(url, { headers: basic('alice', 'secret') });
      expect(ok.status, u).toBe(200);
      // Never kept by a shared cache for someone else.
      expect(ok.headers['cache-control'], u).toMatch(/^private/);
    }
    expect((await get(srv.httpUrl('sample.mp4/index.m3u8'), { headers: basic('alice', 'wrong') })).status).toBe(401);
    expect((await get(srv.httpUrl('sample.mkv/index.m3u8'), { headers: basic('alice', 'secret') })).status).toBe(200);
    // bob logs in right but may not read: 403 in words.
    const bob = await get(srv.httpUrl('sample.mp4/index.m3u8'), { headers: basic('bob', 'builder') });
    expect([bob.status, JSON.parse(bob.body).error]).toEqual([403, 'user bob may not read /sample.mp4']);
  });

  it('Digest over HTTP, as curl --digest and ffmpeg answer it', async () => {
    const first = await get(srv.httpUrl('sample.mp4/index.m3u8'));
    const ch = lines(first.headers, 'www-authenticate').flatMap((l) => parseWwwAuthenticate(l)).find((c) => c.scheme === 'Digest')!;
    const auth = formatAuthorization(answerChallenge(ch, { username: 'alice', password: 'secret' }, 'GET', '/sample.mp4/index.m3u8'));
    expect((await get(srv.httpUrl('sample.mp4/index.m3u8'), { headers: { Authorization: auth } })).status).toBe(200);
  });

  it('a login token works as Bearer, as ?token= (the playlist then names every file with it) and as the HttpOnly cookie', async () => {
    const login = await get(srv.httpUrl('api/v1/login?action=read&path=sample.mp4'), { method: 'POST', headers: basic('alice', 'secret') });
    expect(login.status).toBe(200);
    const { user, token, expiresAt } = JSON.parse(login.body) as { user: string; token: string; expiresAt: string };
    expect(user).toBe('alice');
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(11 * 3600_000);
    expect(lines(login.headers, 'set-cookie')[0]).toMatch(new RegExp(`^tidecast_token=${token.replace(/[.]/g, '\\.')}; Path=/; Max-Age=\\d+; HttpOnly; SameSite=Strict$`));
    expect((await get(srv.httpUrl('sample.mp4/stream.mp4'), { method: 'HEAD', headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    const pl = await get(srv.httpUrl(`sample.mp4/index.m3u8?token=${token}`));
    expect(pl.status).toBe(200);
    const uris = playlistUris(pl.body);
    expect(uris.every((u) => u.endsWith(`?token=${encodeURIComponent(token)}`))).toBe(true);
    for (const u of uris.slice(0, 3)) expect((await get(new URL(u, srv.httpUrl('sample.mp4/index.m3u8')).toString())).status, u).toBe(200);
    const seg = new URL(uris[1]!, srv.httpUrl('sample.mp4/index.m3u8'));
    seg.search = '';
    expect((await get(seg.toString())).status).toBe(401);
    expect((await get(seg.toString(), { headers: { Cookie: `tidecast_token=${token}` } })).status).toBe(200);
    const out = await get(srv.httpUrl('api/v1/logout'), { method: 'POST' });
    expect(lines(out.headers, 'set-cookie')[0]).toMatch(/^tidecast_token=; Path=\/; Max-Age=0/);
  });

  it('refuses logins with wrong credentials, without any, or for what the user may not do', async () => {
    const wrong = await get(srv.httpUrl('api/v1/login'), { method: 'POST', headers: basic('alice', 'nope') });
    expect(wrong.status).toBe(401);
    expect((await get(srv.httpUrl('api/v1/login'), { method: 'POST' })).status).toBe(401);
    const bob = await get(srv.httpUrl('api/v1/login?action=api'), { method: 'POST', headers: basic('bob', 'builder') });
    expect([bob.status, JSON.parse(bob.body).error]).toEqual([403, 'user bob may not use the API']);
    expect((await get(srv.httpUrl('api/v1/login?action=fly'), { method: 'POST', headers: basic('bob', 'builder') })).status).toBe(400);
    expect((await get(srv.httpUrl('api/v1/login'), { headers: basic('bob', 'builder') })).status).toBe(405);
  });

  it('the API needs api (no session ids or publishers to anyone else), /metrics needs metrics, files need playback', async () => {
    for (const [who, path, status] of [
      [undefined, 'api/v1/sessions', 401],
      [basic('bob', 'builder'), 'api/v1/sessions', 403],
      [basic('bob', 'builder'), 'api/v1/paths', 403],
      [basic('alice', 'secret'), 'api/v1/sessions', 200],
      [undefined, 'metrics', 401],
      [basic('alice', 'secret'), 'metrics', 403],
      [basic('bob', 'builder'), 'metrics', 200],
      [basic('alice', 'secret'), 'sample.mp4', 403],
      [basic('bob', 'builder'), 'sample.mp4', 200],
      [undefined, 'sample.mp4/stream.ts', 401],
      [basic('alice', 'secret'), 'sample.mp4/stream.ts', 200],
      [basic('alice', 'secret'), 'sample.ts/stream.ts', 200],
    ] as const) {
      const r = await get(srv.httpUrl(path), { method: path.endsWith('stream.ts') || path === 'sample.mp4' ? 'HEAD' : 'GET', headers: { ...(who ?? {}) } });
      expect(r.status, `${path} as ${who ? 'a user' : 'anyone'}`).toBe(status);
      if (status !== 200 && r.body) expect(r.body).not.toMatch(/"sessions"|"session"/);
    }
    // Pages hold no data: public.
    expect((await get(srv.httpUrl(''))).status).toBe(200);
    expect((await get(srv.httpUrl('player/'))).status).not.toBe(401);
  });

  it('the WebSocket tunnel: the RTSP inside is checked as RTSP; a token in the URL or the cookie logs it in', async () => {
    const ws = srv.httpUrl('rtsp').replace(/^http/, 'ws');
    const anon = await WsRtspClient.open(ws, 'rtsp');
    try {
      expect((await anon.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
      const r = await anon.request('DESCRIBE', srv.url('sample.mp4'));
      expect(r.status).toBe(401);
      expect((await anon.request('DESCRIBE', srv.url('sample.mp4'), basic('alice', 'secret'))).status).toBe(200);
    } finally {
      anon.close();
    }
    const { token } = JSON.parse((await get(srv.httpUrl('api/v1/login'), { method: 'POST', headers: basic('alice', 'secret') })).body) as { token: string };
    for (const [url, headers] of [[`${ws}?token=${token}`, undefined], [ws, { Cookie: `tidecast_token=${token}` }]] as const) {
      const c = await WsRtspClient.open(url, 'rtsp', headers);
      try {
        expect((await c.request('DESCRIBE', srv.url('sample.mp4'))).status).toBe(200);
        const s = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
        expect(s.status).toBe(200);
        expect((await c.request('DESCRIBE', srv.url('live/elsewhere'))).status).toBe(403);
      } finally {
        c.close();
      }
    }
    const bad = await WsRtspClient.open(`${ws}?token=tc1.${'A'.repeat(60)}`, 'rtsp');
    try {
      expect((await bad.request('DESCRIBE', srv.url('sample.mp4'))).status).toBe(401);
    } finally {
      bad.close();
    }
  });

  it('the HTTP tunnel: the RTSP inside is checked as RTSP, on the RTSP port and the HTTP port', async () => {
    for (const port of [srv.rtspPort, srv.httpPort]) {
      const t = await HttpTunnelClient.open(port, `auth${port}`);
      try {
        await t.openPost();
        const r = await t.request('DESCRIBE', srv.url('sample.mp4'));
        expect(r.status).toBe(401);
        expect(r.headers.getAll('WWW-Authenticate')).toHaveLength(2);
        expect(bodyText(await t.request('DESCRIBE', srv.url('sample.mp4'), basic('alice', 'secret')))).toMatch(/^v=0/);
      } finally {
        t.close();
      }
    }
  });

  it('throttles HTTP logins too: 429 with Retry-After after 5 failures from an address', async () => {
    for (let i = 0; i < 5; i++) expect((await get(srv.httpUrl('api/v1/status'), { headers: basic('alice', `x${i}`), from: '127.0.0.3' })).status).toBe(401);
    const r = await get(srv.httpUrl('api/v1/status'), { headers: basic('alice', 'secret'), from: '127.0.0.3' });
    expect(r.status).toBe(429);
    expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
    expect((await get(srv.httpUrl('api/v1/status'), { headers: basic('alice', 'secret') })).status).toBe(200);
  });
});

/** The URIs a playlist names: EXT-X-MAP, parts, the preload hint, segments. */
function playlistUris(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const attr = /URI="([^"]+)"/.exec(line);
    if (attr) out.push(attr[1]!);
    else if (line && !line.startsWith('#')) out.push(line.trim());
  }
  return out;
}
