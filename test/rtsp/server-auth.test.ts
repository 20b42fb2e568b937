// RTSP auth through raw sockets: 401 with Digest and Basic challenges, both answered, wrong passwords, `ips` from 127.0.0.2, sessions refused (454) to another address or user over UDP and TCP, throttling.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { answerChallenge, formatAuthorization } from '../../server/rtsp/headers/authorization.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseWwwAuthenticate, type AuthChallenge } from '../../server/rtsp/headers/www-authenticate.js';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const USERS = {
  authUsers: [
    { user: 'alice', pass: 'secret', permissions: [{ action: 'read' as const }, { action: 'publish' as const, path: 'live/*' }] },
    { user: 'bob', pass: 'builder', permissions: [{ action: 'read' as const }] },
    { user: 'carol', pass: 'c4rol', ips: ['127.0.0.1/32'], permissions: [{ action: 'read' as const }] },
    { user: 'any', permissions: [{ action: 'read' as const, path: 'public/*' }] },
  ],
};

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer(USERS);
});
afterAll(async () => {
  await srv?.close();
});
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

async function client(s: TestServer = srv, from?: string): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(s.rtspPort, '127.0.0.1', from);
  opened.push(c);
  return c;
}

const challenges = (r: RtspResponse): AuthChallenge[] => r.headers.getAll('WWW-Authenticate').flatMap((v) => parseWwwAuthenticate(v));

/** A client that logs in as a real one does: the request, a 401, the same request answering the challenge of `scheme`. */
class LoggedIn {
  private challenge: AuthChallenge | undefined;
  private nc = 0;
  constructor(
    readonly c: RawRtspClient,
    private readonly user: string,
    private readonly password: string,
    private readonly scheme: 'Digest' | 'Basic' = 'Digest',
  ) {}

  async request(method: string, url: string, headers: Record<string, string> = {}, body = ''): Promise<RtspResponse> {
    const r = await this.c.request(method, url, { ...headers, ...this.auth(method, url) }, body);
    if (r.status !== 401 || this.challenge) return r;
    this.challenge = challenges(r).find((ch) => ch.scheme === this.scheme);
    if (!this.challenge) throw new Error(`no ${this.scheme} challenge in ${r.headers.getAll('WWW-Authenticate').join(' | ')}`);
    return this.c.request(method, url, { ...headers, ...this.auth(method, url) }, body);
  }

  /** The same login on another connection, answering the challenge it already has (as live555's client keeps its authenticator). */
  on(c: RawRtspClient): LoggedIn {
    const l = new LoggedIn(c, this.user, this.password, this.scheme);
    l.challenge = this.challenge;
    return l;
  }

  private auth(method: string, url: string): Record<string, string> {
    if (!this.challenge) return {};
    return { Authorization: formatAuthorization(answerChallenge(this.challenge, { username: this.user, password: this.password }, method, url, { nc: ++this.nc })) };
  }
}

async function playUdp(who: LoggedIn): Promise<string> {
  const s = await who.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=40000-40001' });
  expect(s.status, bodyText(s)).toBe(200);
  const id = parseSession(s.headers.get('Session')!).id;
  expect((await who.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
  return id;
}

describe('RTSP logins', () => {
  it('OPTIONS needs nothing; DESCRIBE of a protected path gets 401 with a Digest and a Basic challenge, one line each', async () => {
    const c = await client();
    expect((await c.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    const r = await c.request('DESCRIBE', srv.url('sample.mp4'));
    expect(r.status).toBe(401);
    expect(bodyText(r)).toMatch(/^Reading \/sample\.mp4 needs a login/);
    const lines = r.headers.getAll('WWW-Authenticate');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^Digest realm="Tidecast", nonce="[0-9a-f]{42}", algorithm=MD5, qop="auth"$/);
    expect(lines[1]).toBe('Basic realm="Tidecast"');
    // Anyone may read public/*: a 404 there, not a 401.
    expect((await c.request('DESCRIBE', srv.url('public/nothing'))).status).toBe(404);
  });

  it.each(['Digest', 'Basic'] as const)('%s: the right password describes; a wrong one or an unknown user gets 401 in the same words', async (scheme) => {
    const ok = await new LoggedIn(await client(), 'alice', 'secret', scheme).request('DESCRIBE', srv.url('sample.mp4'));
    expect(ok.status).toBe(200);
    expect(bodyText(ok)).toMatch(/^v=0/);
    const wrong = await new LoggedIn(await client(), 'alice', 'Secret', scheme).request('DESCRIBE', srv.url('sample.mp4'));
    const unknown = await new LoggedIn(await client(), 'mallory', 'secret', scheme).request('DESCRIBE', srv.url('sample.mp4'));
    for (const r of [wrong, unknown]) {
      expect(r.status).toBe(401);
      expect(bodyText(r)).toBe('wrong user name or password\r\n');
    }
  });

  it('a user whose ips do not hold the address is refused as a wrong password (checked from 127.0.0.2)', async () => {
    expect((await new LoggedIn(await client(), 'carol', 'c4rol').request('DESCRIBE', srv.url('sample.mp4'))).status).toBe(200);
    const away = await new LoggedIn(await client(srv, '127.0.0.2'), 'carol', 'c4rol').request('DESCRIBE', srv.url('sample.mp4'));
    expect(away.status).toBe(401);
    expect(bodyText(away)).toBe('wrong user name or password\r\n');
    // alice has no ips: 127.0.0.2 is fine for her.
    expect((await new LoggedIn(await client(srv, '127.0.0.2'), 'alice', 'secret').request('DESCRIBE', srv.url('sample.mp4'))).status).toBe(200);
  });

  it('publishing needs publish on the path: 401 anonymous, 403 for a reader', async () => {
    const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1\r\na=control:trackID=0\r\n';
    const type = { 'Content-Type': 'application/sdp' };
    const r0 = await (await client()).request('ANNOUNCE', srv.url('live/x'), type, sdp);
    expect(r0.status).toBe(401);
    expect(bodyText(r0)).toMatch(/^Publishing to \/live\/x needs a login/);
    const r1 = await new LoggedIn(await client(), 'bob', 'builder').request('ANNOUNCE', srv.url('live/x'), type, sdp);
    expect(r1.status).toBe(403);
    expect(bodyText(r1)).toBe('user bob may not publish to /live/x\r\n');
    const alice = new LoggedIn(await client(), 'alice', 'secret');
    expect((await alice.request('ANNOUNCE', srv.url('live/x'), type, sdp)).status).toBe(200);
    expect((await alice.request('ANNOUNCE', srv.url('elsewhere/x'), type, sdp)).status).toBe(403);
  });
});

describe('sessions belong to their address and user', () => {
  it('UDP: 454 in the not-found words from 127.0.0.2, as another user, or anonymous; the owner may resume on a new connection', async () => {
    const alice = new LoggedIn(await client(), 'alice', 'secret');
    const id = await playUdp(alice);
    const notFound = `session ${id} not found: it timed out after 60 s without a request or RTCP, or was torn down\r\n`;
    const strangers = [
      new LoggedIn(await client(srv, '127.0.0.2'), 'alice', 'secret'), // her password, another address
      new LoggedIn(await client(), 'bob', 'builder'), // her address, another user
      new LoggedIn(await client(), 'alice', 'wrong'), // her address, a wrong password
    ];
    for (const who of strangers) {
      for (const method of ['GET_PARAMETER', 'PLAY', 'PAUSE', 'TEARDOWN']) {
        const r = await who.request(method, srv.url('sample.mp4'), { Session: id });
        expect(r.status, `${method}`).toBe(454);
        expect(bodyText(r)).toBe(notFound);
      }
    }
    const anon = await client();
    const r = await anon.request('TEARDOWN', srv.url('sample.mp4'), { Session: id });
    expect([r.status, bodyText(r)]).toEqual([454, notFound]);
    // A session that does not exist reads the same.
    const ghost = await anon.request('TEARDOWN', srv.url('sample.mp4'), { Session: '0123456789abcdef' });
    expect(bodyText(ghost)).toBe(notFound.replace(id, '0123456789abcdef'));
    expect(srv.rtsp.sessions.get(id)?.state).toBe('playing');
    // The owner, on a new connection from the same address, with the credentials it already sends
    // (a request naming a session without them is a stranger's: 454, nothing to tell it).
    const again = alice.on(await client());
    expect((await again.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
    expect((await again.request('TEARDOWN', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
    expect(srv.rtsp.sessions.has(id)).toBe(false);
  });

  it('TCP: 454 from 127.0.0.2 and as another user on the same connection', async () => {
    const alice = new LoggedIn(await client(), 'alice', 'secret');
    const s = await alice.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s.status).toBe(200);
    const id = parseSession(s.headers.get('Session')!).id;
    const away = new LoggedIn(await client(srv, '127.0.0.2'), 'alice', 'secret');
    expect((await away.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(454);
    // bob on alice's own connection.
    const bobHere = new LoggedIn(alice.c, 'bob', 'builder');
    const r = await bobHere.request('TEARDOWN', srv.url('sample.mp4'), { Session: id });
    expect(r.status).toBe(454);
    expect(bodyText(r)).toMatch(/^session [0-9a-f]{16} not found/);
    expect(srv.rtsp.sessions.has(id)).toBe(true);
    expect((await alice.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
  });

  it('anonymous sessions are anonymous: someone who logs in cannot take them over either', async () => {
    const open = await startTestServer();
    try {
      const c = await client(open);
      const s = await c.request('SETUP', `${open.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=40000-40001' });
      const id = parseSession(s.headers.get('Session')!).id;
      const other = await client(open, '127.0.0.2');
      expect((await other.request('TEARDOWN', open.url('sample.mp4'), { Session: id })).status).toBe(454);
      const again = await client(open);
      expect((await again.request('TEARDOWN', open.url('sample.mp4'), { Session: id })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('authMethods and throttling', () => {
  it('offers only what authMethods lists, and refuses the other scheme', async () => {
    for (const [methods, only] of [[['basic'], 'Basic'], [['digest'], 'Digest']] as const) {
      const s = await startTestServer({ ...USERS, authMethods: [...methods] });
      try {
        const c = await client(s);
        const r = await c.request('DESCRIBE', s.url('sample.mp4'));
        expect(challenges(r).map((x) => x.scheme)).toEqual([only]);
        const basic = `Basic ${Buffer.from('alice:secret').toString('base64')}`;
        expect((await c.request('DESCRIBE', s.url('sample.mp4'), { Authorization: basic })).status).toBe(only === 'Basic' ? 200 : 401);
      } finally {
        await s.close();
      }
    }
  });

  it('after 5 wrong passwords from an address, its 6th login is refused (503, Retry-After) even when right; others go on', async () => {
    const s = await startTestServer(USERS);
    try {
      const from = await client(s, '127.0.0.2');
      const basic = (pw: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`alice:${pw}`).toString('base64')}` });
      for (let i = 1; i <= 5; i++) expect((await from.request('DESCRIBE', s.url('sample.mp4'), basic(`guess${i}`))).status, `guess ${i}`).toBe(401);
      const sixth = await from.request('DESCRIBE', s.url('sample.mp4'), basic('secret'));
      expect(sixth.status).toBe(503);
      expect(Number(sixth.headers.get('Retry-After'))).toBeGreaterThan(0);
      expect(bodyText(sixth)).toMatch(/^too many failed logins from 127\.0\.0\.2: try again in \d+ s/);
      expect((await (await client(s)).request('DESCRIBE', s.url('sample.mp4'), basic('secret'))).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
