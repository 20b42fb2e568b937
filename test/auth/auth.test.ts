// The auth layer's decisions: a table of who asks what from where (anonymous, users, ips, tokens, the defaults), Digest on a simulated clock, throttling, logins, the log.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Auth, type AccessRequest } from '../../server/auth/auth.js';
import { NONE, type Presented } from '../../server/auth/credentials.js';
import { NonceMemory, NONCE_LIFETIME_MS } from '../../server/auth/digest.js';
import { makeConfig, type ConfigInput } from '../../server/config.js';
import type { AuthAction } from '../../server/config-auth.js';
import { answerChallenge, type DigestAuthorization } from '../../server/rtsp/headers/authorization.js';
import { silentLogger } from '../../server/log.js';

const sha = (s: string): string => `sha256:${createHash('sha256').update(s).digest('base64')}`;

const USERS: ConfigInput = {
  authUsers: [
    { user: 'alice', pass: 'secret', permissions: [{ action: 'read', path: 'cams/*' }, { action: 'publish', path: '~^live/alice-' }] },
    { user: 'bob', pass: sha('hunter2'), ips: ['10.0.0.0/8', '::1/128'], permissions: [{ action: 'api' }, { action: 'read' }] },
    { user: 'any', permissions: [{ action: 'read', path: 'public/*' }] },
    { user: 'any', ips: ['127.0.0.0/8'], permissions: [{ action: 'metrics' }] },
  ],
};

function rig(input: ConfigInput = USERS): { auth: Auth; clock: { now: number }; log: string[] } {
  const clock = { now: 1_800_000_000_000 };
  const log: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write: (c, _e, cb) => (log.push(String(c)), cb()) }));
  return { auth: new Auth(makeConfig(input), logger, { now: () => clock.now }), clock, log };
}

const basic = (user: string, password: string): Presented => ({ kind: 'basic', user, password });
const ask = (auth: Auth, presented: Presented, ip: string, action: AuthAction, path = ''): ReturnType<Auth['check']> => auth.check({ ip, action, path, protocol: 'rtsp', presented });

type Row = [what: string, presented: Presented, ip: string, action: AuthAction, path: string, expect: { status?: number; user?: string; reason?: RegExp }];

const table: Row[] = [
  ['anyone reads public/*', NONE, '192.0.2.1', 'read', 'public/x', { user: '' }],
  ['anyone elsewhere needs a login', NONE, '192.0.2.1', 'read', 'cams/door', { status: 401, reason: /^Reading \/cams\/door needs a login/ }],
  ['anyone may not publish', NONE, '192.0.2.1', 'publish', 'public/x', { status: 401, reason: /^Publishing to \/public\/x needs a login/ }],
  ['alice reads cams/*', basic('alice', 'secret'), '192.0.2.1', 'read', 'cams/door', { user: 'alice' }],
  ['alice may do what anyone may', basic('alice', 'secret'), '192.0.2.1', 'read', 'public/x', { user: 'alice' }],
  ['alice publishes by her regex', basic('alice', 'secret'), '192.0.2.1', 'publish', 'live/alice-1', { user: 'alice' }],
  ['alice, not allowed', basic('alice', 'secret'), '192.0.2.1', 'publish', 'live/bob', { status: 403, reason: /^user alice may not publish to \/live\/bob$/ }],
  ['alice, not below cams/*', basic('alice', 'secret'), '192.0.2.1', 'read', 'cams/a/b', { status: 403 }],
  ['a wrong password', basic('alice', 'Secret'), '192.0.2.1', 'read', 'cams/door', { status: 401, reason: /^wrong user name or password$/ }],
  ['an unknown user: the same words', basic('mallory', 'secret'), '192.0.2.1', 'read', 'cams/door', { status: 401, reason: /^wrong user name or password$/ }],
  ['"any" is no user name to log in with', basic('any', ''), '192.0.2.1', 'read', 'public/x', { status: 401 }],
  ['bob (sha256) from his network', basic('bob', 'hunter2'), '10.1.2.3', 'api', '', { user: 'bob' }],
  ['bob from ::1', basic('bob', 'hunter2'), '::1', 'read', 'anything', { user: 'bob' }],
  ['bob from elsewhere: the same words as a wrong password', basic('bob', 'hunter2'), '192.0.2.1', 'api', '', { status: 401, reason: /^wrong user name or password$/ }],
  ['metrics for anyone on loopback', NONE, '127.0.0.1', 'metrics', '', { user: '' }],
  ['metrics for anyone on IPv4-mapped loopback', NONE, '::ffff:127.0.0.5', 'metrics', '', { user: '' }],
  ['no metrics from the network', NONE, '10.0.0.1', 'metrics', '', { status: 401 }],
  ['an unreadable Authorization', { kind: 'malformed', status: 400, reason: 'Authorization: the Basic credentials have no ":"' }, '192.0.2.1', 'read', 'public/x', { status: 400 }],
  ['a token that is not ours', { kind: 'token', token: 'tc1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', source: 'header' }, '192.0.2.1', 'read', 'public/x', { status: 401, reason: /token is not valid/ }],
  ['a bad cookie is ignored: anyone', { kind: 'token', token: 'tc1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', source: 'cookie' }, '192.0.2.1', 'read', 'public/x', { user: '' }],
];

describe('who may do what', () => {
  it.each(table)('%s', async (_what, presented, ip, action, path, want) => {
    const r = await ask(rig().auth, presented, ip, action, path);
    if (want.status === undefined) expect(r).toMatchObject({ ok: true, user: want.user });
    else expect(r).toMatchObject({ ok: false, status: want.status });
    if (want.reason && !r.ok) expect(r.reason).toMatch(want.reason);
  });

  it('without authUsers: anyone reads and publishes from anywhere; api and metrics only from loopback', async () => {
    const { auth } = rig({});
    for (const [ip, action, ok] of [
      ['203.0.113.5', 'read', true],
      ['203.0.113.5', 'publish', true],
      ['203.0.113.5', 'playback', true],
      ['203.0.113.5', 'api', false],
      ['203.0.113.5', 'metrics', false],
      ['127.0.0.1', 'api', true],
      ['127.0.0.2', 'api', true],
      ['::1', 'metrics', true],
      ['::ffff:127.0.0.1', 'api', true],
      ['::2', 'api', false],
    ] as const) {
      expect((await ask(auth, NONE, ip, action, 'x')).ok, `${action} from ${ip}`).toBe(ok);
    }
    expect(auth.methods).toEqual(['basic', 'digest']);
    // Nobody can log in: the refusal says why, and where from it would work.
    expect(await ask(auth, NONE, '203.0.113.5', 'api', '')).toMatchObject({
      status: 401,
      reason: 'Using the API needs a login (user name and password); no users are configured (authUsers), and 203.0.113.5 is not an address allowed to do this without one',
    });
  });

  it('logs a failed login with the address, path and why, never the password', async () => {
    const { auth, log } = rig();
    await ask(auth, basic('alice', 'hunter3'), '192.0.2.9', 'read', 'cams/door');
    const line = JSON.parse(log.find((l) => l.includes('failed login'))!);
    expect(line).toMatchObject({ peer: '192.0.2.9', path: 'cams/door', action: 'read', user: 'alice', why: 'wrong password for alice' });
    expect(line.msg).toBe('192.0.2.9 alice read /cams/door (rtsp): failed login: wrong password for alice');
    expect(log.join('')).not.toContain('hunter3');
  });
});

describe('Digest', () => {
  /** Answers the auth layer's own challenge as ffmpeg does (qop=auth). */
  function answer(auth: Auth, ip: string, user: string, password: string, uri: string): Presented {
    const challenge = auth.challenges(ip).find((c) => c.scheme === 'Digest')!;
    return { kind: 'digest', auth: answerChallenge(challenge, { username: user, password }, 'DESCRIBE', uri) as DigestAuthorization, method: 'DESCRIBE' };
  }
  const req = (p: Presented, ip: string, uri: string, nonces?: NonceMemory): AccessRequest => ({ ip, action: 'read', path: 'cams/door', protocol: 'rtsp', presented: p, uri, ...(nonces ? { nonces } : {}) });

  /** Users whose passwords Digest can check (no sha256 bob): Digest is offered. */
  const PLAIN: ConfigInput = { authUsers: USERS.authUsers!.filter((u) => u.user !== 'bob') };

  it('accepts a right answer, refuses a wrong one, the wrong uri, or a nonce from another address', async () => {
    const { auth } = rig(PLAIN);
    const uri = 'rtsp://h/cams/door';
    expect(await auth.check(req(answer(auth, '192.0.2.1', 'alice', 'secret', uri), '192.0.2.1', uri))).toMatchObject({ ok: true, user: 'alice' });
    expect(await auth.check(req(answer(auth, '192.0.2.1', 'alice', 'wrong', uri), '192.0.2.1', uri))).toMatchObject({ ok: false, status: 401 });
    expect(await auth.check(req(answer(auth, '192.0.2.1', 'alice', 'secret', uri), '192.0.2.1', 'rtsp://h/cams/other'))).toMatchObject({ ok: false, status: 401 });
    expect(await auth.check(req(answer(auth, '192.0.2.1', 'alice', 'secret', uri), '192.0.2.2', uri))).toMatchObject({ ok: false, status: 401 });
    // The absolute and the path form of the same URI are one resource.
    expect(await auth.check(req(answer(auth, '192.0.2.1', 'alice', 'secret', '/cams/door'), '192.0.2.1', uri))).toMatchObject({ ok: true });
  });

  it('cannot check a hashed password: such a user fails whatever the answer (and Digest is not offered by default)', async () => {
    const { auth } = rig();
    expect(auth.methods).toEqual(['basic']);
    const forced = rig({ ...PLAIN, authMethods: ['digest'] }).auth;
    expect(forced.methods).toEqual(['digest']);
    expect(await forced.check(req(basic('alice', 'secret'), '192.0.2.1', 'rtsp://h/cams/door'))).toMatchObject({ ok: false, status: 401, reason: /Basic credentials are not accepted here/ });
  });

  it('an expired nonce gets 401 stale=true without counting as a failure, unless this connection already used it', async () => {
    const { auth, clock } = rig({ authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'read' }] }] });
    const uri = 'rtsp://h/cams/door';
    const memory = new NonceMemory();
    const first = answer(auth, '192.0.2.1', 'alice', 'secret', uri);
    expect(await auth.check(req(first, '192.0.2.1', uri, memory))).toMatchObject({ ok: true });
    clock.now += NONCE_LIFETIME_MS + 1000;
    // The same connection's keepalive with the nonce it used: still good.
    expect(await auth.check(req(first, '192.0.2.1', uri, memory))).toMatchObject({ ok: true });
    // Anywhere else it is stale: retry with the new nonce.
    for (let i = 0; i < 8; i++) expect(await auth.check(req(first, '192.0.2.1', uri, new NonceMemory()))).toMatchObject({ ok: false, status: 401, stale: true });
    expect(auth.throttle.blockedFor('192.0.2.1')).toBe(0);
    const stale = auth.challenges('192.0.2.1', true).find((c) => c.scheme === 'Digest')!;
    expect(stale.stale).toBe(true);
    expect(await auth.check(req(answer(auth, '192.0.2.1', 'alice', 'secret', uri), '192.0.2.1', uri))).toMatchObject({ ok: true });
  });
});

describe('failed-login throttling', () => {
  it('refuses the 6th attempt after 5 failures in a minute, even with the right password, until the block ends', async () => {
    const { auth, clock, log } = rig();
    for (let i = 1; i <= 5; i++) {
      expect(await ask(auth, basic('alice', `guess${i}`), '192.0.2.66', 'read', 'cams/door'), `attempt ${i}`).toMatchObject({ ok: false, status: 401 });
      clock.now += 5000;
    }
    const sixth = await ask(auth, basic('alice', 'secret'), '192.0.2.66', 'read', 'cams/door');
    // Blocked from the 5th failure (20 s in) for 60 s: 55 s to go.
    expect(sixth).toMatchObject({ ok: false, status: 429, retryAfterS: 55, reason: 'too many failed logins from 192.0.2.66: try again in 55 s' });
    expect(log.some((l) => l.includes('logins from 192.0.2.66 are refused for 60 s'))).toBe(true);
    // Another address, and anonymous requests from this one, go on as before.
    expect(await ask(auth, basic('alice', 'secret'), '192.0.2.67', 'read', 'cams/door')).toMatchObject({ ok: true });
    expect(await ask(auth, NONE, '192.0.2.66', 'read', 'public/x')).toMatchObject({ ok: true });
    clock.now += 54_000;
    expect(await ask(auth, basic('alice', 'secret'), '192.0.2.66', 'read', 'cams/door')).toMatchObject({ ok: false, status: 429 });
    clock.now += 1000;
    expect(await ask(auth, basic('alice', 'secret'), '192.0.2.66', 'read', 'cams/door')).toMatchObject({ ok: true, user: 'alice' });
  });
});

describe('login tokens', () => {
  it('are issued for right credentials, carry the user, and expire', async () => {
    const { auth, clock } = rig({ ...USERS, authTokenLifetime: 600 });
    const r = await auth.login(basic('alice', 'secret'), '192.0.2.1', undefined, '');
    if (!r.ok) throw new Error(r.reason);
    expect(r).toMatchObject({ user: 'alice', expiresAt: clock.now + 600_000 });
    for (const source of ['header', 'query', 'cookie'] as const) {
      expect(await ask(auth, { kind: 'token', token: r.token, source }, '192.0.2.1', 'read', 'cams/door')).toMatchObject({ ok: true, user: 'alice' });
    }
    clock.now += 600_000;
    expect(await ask(auth, { kind: 'token', token: r.token, source: 'query' }, '192.0.2.1', 'read', 'cams/door')).toMatchObject({ ok: false, status: 401, reason: /expired/ });
    // An expired cookie leaves the request anonymous: public paths still play.
    expect(await ask(auth, { kind: 'token', token: r.token, source: 'cookie' }, '192.0.2.1', 'read', 'public/x')).toMatchObject({ ok: true, user: '' });
  });

  it('are refused for wrong credentials, and checked against the action asked for', async () => {
    const { auth } = rig();
    expect(await auth.login(basic('alice', 'nope'), '192.0.2.1', undefined, '')).toMatchObject({ ok: false, status: 401 });
    expect(await auth.login(NONE, '192.0.2.1', undefined, '')).toMatchObject({ ok: false, status: 401, reason: /log in with Basic credentials/ });
    expect(await auth.login(basic('alice', 'secret'), '192.0.2.1', 'api', '')).toMatchObject({ ok: false, status: 403, reason: 'user alice may not use the API' });
    expect(await auth.login(basic('alice', 'secret'), '192.0.2.1', 'read', 'cams/door')).toMatchObject({ ok: true });
  });

  it('are checked as the credentials they stand for: the ips of the user apply wherever the token is used', async () => {
    const { auth } = rig();
    const r = await auth.login(basic('bob', 'hunter2'), '10.0.0.7', 'api', '');
    if (!r.ok) throw new Error(r.reason);
    const token: Presented = { kind: 'token', token: r.token, source: 'header' };
    expect(await ask(auth, token, '10.9.9.9', 'api')).toMatchObject({ ok: true, user: 'bob' });
    expect(await ask(auth, token, '192.0.2.1', 'api')).toMatchObject({ ok: false, status: 401 });
  });
});

describe("our own ffmpeg sources", () => {
  it('publish their own path with the credentials auth gives them, from this machine only, whatever authUsers says', async () => {
    const { auth } = rig();
    const { username, password } = auth.sourceCredentials('clock');
    const here = (action: AuthAction, path: string, pw = password, ip = '127.0.0.1', local = '127.0.0.1') =>
      auth.check({ ip, local, action, path, protocol: 'rtsp', presented: basic(username, pw) });
    expect(await here('publish', 'clock')).toMatchObject({ ok: true, user: 'tidecast-source' });
    // Also on a server bound to one non-loopback address: the connection's two ends are that address.
    expect(await here('publish', 'clock', password, '192.0.2.2', '192.0.2.2')).toMatchObject({ ok: true });
    expect(await here('publish', 'other')).toMatchObject({ ok: false, status: 401 });
    expect(await here('read', 'clock')).toMatchObject({ ok: false, status: 401 });
    expect(await here('publish', 'clock', password, '192.0.2.7', '192.0.2.2')).toMatchObject({ ok: false, status: 401 });
    expect(await here('publish', 'clock', password.slice(1))).toMatchObject({ ok: false, status: 401 });
    expect(new Auth(makeConfig(USERS), silentLogger).sourceCredentials('clock').password).not.toBe(password);
  });

  it("read their path with its read key (a rendition's ffmpeg reading its main path), which does not publish", async () => {
    const { auth } = rig();
    const { username, password } = auth.sourceCredentials('clock', 'read');
    const here = (action: AuthAction, path: string) => auth.check({ ip: '127.0.0.1', local: '127.0.0.1', action, path, protocol: 'rtsp', presented: basic(username, password) });
    expect(await here('read', 'clock')).toMatchObject({ ok: true, user: 'tidecast-source' });
    expect(await here('publish', 'clock')).toMatchObject({ ok: false, status: 401 });
    expect(await here('read', 'other')).toMatchObject({ ok: false, status: 401 });
    expect(await here('playback', 'clock')).toMatchObject({ ok: false });
  });
});

describe('configuration', () => {
  it('offers Digest only where it can check passwords', () => {
    expect(new Auth(makeConfig({ authUsers: [{ user: 'a', pass: 'x' }] }), silentLogger).methods).toEqual(['basic', 'digest']);
    expect(new Auth(makeConfig({ authUsers: [{ user: 'a', pass: sha('x') }] }), silentLogger).methods).toEqual(['basic']);
    expect(new Auth(makeConfig({ authHTTPAddress: 'http://127.0.0.1:9000/auth' }), silentLogger).methods).toEqual(['basic']);
    expect(new Auth(makeConfig({ authMethods: ['digest', 'digest'] }), silentLogger).methods).toEqual(['digest']);
  });
});
