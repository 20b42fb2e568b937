// Digest: the RFC 2617 §3.5 example checked, responses from our client accepted and altered ones refused, nonces that expire on a simulated clock.
import { describe, expect, it } from 'vitest';
import { digestChallenge, digestMatches, digestShapeProblem, NonceMemory, NonceMint, NONCE_LIFETIME_MS, REALM } from '../../server/auth/digest.js';
import { answerChallenge, type DigestAuthorization } from '../../server/rtsp/headers/authorization.js';
import { formatChallenge, parseWwwAuthenticate } from '../../server/rtsp/headers/www-authenticate.js';

/** RFC 2617 §3.5: Mufasa, "Circle Of Life", GET /dir/index.html. */
const RFC2617: DigestAuthorization = {
  scheme: 'Digest',
  username: 'Mufasa',
  realm: 'testrealm@host.com',
  nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
  uri: '/dir/index.html',
  qop: 'auth',
  nc: '00000001',
  cnonce: '0a4f113b',
  response: '6629fae49393a05397450978507c4ef1',
  opaque: '5ccc069c403ebaf9f0171e9517f40e41',
};

describe('Digest responses', () => {
  it('accepts the RFC 2617 §3.5 example and nothing altered from it', () => {
    expect(digestMatches(RFC2617, 'Circle Of Life', 'GET')).toBe(true);
    expect(digestMatches({ ...RFC2617, response: RFC2617.response.toUpperCase() }, 'Circle Of Life', 'GET')).toBe(true);
    const altered: [string, DigestAuthorization, string, string][] = [
      ['password', RFC2617, 'circle of life', 'GET'],
      ['method', RFC2617, 'Circle Of Life', 'POST'],
      ['uri', { ...RFC2617, uri: '/dir/index.htm' }, 'Circle Of Life', 'GET'],
      ['nc', { ...RFC2617, nc: '00000002' }, 'Circle Of Life', 'GET'],
      ['cnonce', { ...RFC2617, cnonce: '0a4f113c' }, 'Circle Of Life', 'GET'],
      ['response length', { ...RFC2617, response: RFC2617.response.slice(1) }, 'Circle Of Life', 'GET'],
      ['algorithm', { ...RFC2617, algorithm: 'SHA-256' }, 'Circle Of Life', 'GET'],
    ];
    for (const [what, d, pw, method] of altered) expect(digestMatches(d, pw, method), what).toBe(false);
  });

  it('accepts what our client answers, with qop (ffmpeg) and in the RFC 2069 form without it (GStreamer, live555)', () => {
    const mint = new NonceMint();
    const challenge = parseWwwAuthenticate(formatChallenge(digestChallenge(mint.issue('127.0.0.1'), false)))[0]!;
    expect(challenge).toMatchObject({ scheme: 'Digest', realm: REALM, algorithm: 'MD5', qop: ['auth'] });
    const creds = { username: 'alice', password: 'secret' };
    const withQop = answerChallenge(challenge, creds, 'DESCRIBE', 'rtsp://h/cam') as DigestAuthorization;
    expect(withQop.qop).toBe('auth');
    expect(digestMatches(withQop, 'secret', 'DESCRIBE')).toBe(true);
    const { qop: _q, ...noQop } = challenge;
    const rfc2069 = answerChallenge(noQop, creds, 'DESCRIBE', 'rtsp://h/cam') as DigestAuthorization;
    expect(rfc2069.qop).toBeUndefined();
    expect(digestMatches(rfc2069, 'secret', 'DESCRIBE')).toBe(true);
    expect(digestMatches(rfc2069, 'secreT', 'DESCRIBE')).toBe(false);
  });

  it('writes realm first and nonce second (live555 reads them in that order), stale=TRUE when asked', () => {
    expect(formatChallenge(digestChallenge('abc', false))).toBe('Digest realm="Tidecast", nonce="abc", algorithm=MD5, qop="auth"');
    expect(formatChallenge(digestChallenge('abc', true))).toBe('Digest realm="Tidecast", nonce="abc", stale=TRUE, algorithm=MD5, qop="auth"');
  });

  it('says why an answer cannot be ours before hashing', () => {
    expect(digestShapeProblem({ ...RFC2617, realm: REALM })).toBeUndefined();
    expect(digestShapeProblem(RFC2617)).toMatch(/realm "testrealm@host.com" is not "Tidecast"/);
    expect(digestShapeProblem({ ...RFC2617, realm: REALM, qop: 'auth-int' })).toMatch(/only auth/);
  });
});

describe('nonces on a simulated clock', () => {
  it('are fresh for their lifetime, then stale; never valid from another address or altered', () => {
    let now = 1_700_000_000_000;
    const mint = new NonceMint(undefined, () => now);
    const n = mint.issue('10.0.0.1');
    expect(n).toMatch(/^[0-9a-f]{42}$/);
    expect(mint.check(n, '10.0.0.1')).toBe('fresh');
    now += NONCE_LIFETIME_MS - 1000;
    expect(mint.check(n, '10.0.0.1')).toBe('fresh');
    now += 2000;
    expect(mint.check(n, '10.0.0.1')).toBe('stale');
    now += 3600_000;
    expect(mint.check(n, '10.0.0.1')).toBe('stale');
    expect(mint.check(n, '10.0.0.2')).toBe('invalid');
    const flipped = n.slice(0, -1) + (n.endsWith('0') ? '1' : '0');
    expect(mint.check(flipped, '10.0.0.1')).toBe('invalid');
    // A later time stamp with the old MAC: forged.
    expect(mint.check((parseInt(n.slice(0, 10), 16) + 100).toString(16).padStart(10, '0') + n.slice(10), '10.0.0.1')).toBe('invalid');
    expect(mint.check('dcd98b7102dd2f0e8b11d0f600bfb0c093', '10.0.0.1')).toBe('invalid');
    expect(mint.check('', '10.0.0.1')).toBe('invalid');
  });

  it('from another process (another secret) are not ours', () => {
    const a = new NonceMint();
    const b = new NonceMint();
    expect(b.check(a.issue('::1'), '::1')).toBe('invalid');
  });

  it('a connection remembers the last few nonces it used', () => {
    const m = new NonceMemory();
    for (const n of ['a', 'b', 'c', 'd', 'e']) m.add(n);
    expect(['a', 'b', 'e'].map((n) => m.has(n))).toEqual([false, true, true]);
  });
});
