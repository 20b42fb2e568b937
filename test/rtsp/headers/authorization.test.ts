// Authorization header: parse/format table, invalid inputs, fuzz, and the digest against the RFC examples and node:crypto.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerChallenge,
  base64Decode,
  base64Encode,
  digestResponse,
  formatAuthorization,
  parseAuthorization,
  pickChallenge,
  type AuthorizationHeader,
} from '../../../server/rtsp/headers/authorization.js';
import { parseWwwAuthenticate } from '../../../server/rtsp/headers/www-authenticate.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: AuthorizationHeader; canonical?: string }[] = [
  // RFC 7617 §2 example
  { input: 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==', value: { scheme: 'Basic', username: 'Aladdin', password: 'open sesame' } },
  { input: 'basic dXNlcjo=', value: { scheme: 'Basic', username: 'user', password: '' }, canonical: 'Basic dXNlcjo=' },
  // Passwords may contain ':'; UTF-8 (RFC 7617 §2.1).
  { input: 'Basic YTpiOmM=', value: { scheme: 'Basic', username: 'a', password: 'b:c' } },
  { input: 'Basic w6l0w6k6cMOkc3M=', value: { scheme: 'Basic', username: 'été', password: 'päss' } },
  // RFC 2617 §3.5 example
  {
    input: 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    value: {
      scheme: 'Digest', username: 'Mufasa', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', uri: '/dir/index.html',
      qop: 'auth', nc: '00000001', cnonce: '0a4f113b', response: '6629fae49393a05397450978507c4ef1', opaque: '5ccc069c403ebaf9f0171e9517f40e41',
    },
    canonical: 'Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b"',
  },
  // ffmpeg (no qop), with an RTSP URL as uri
  {
    input: 'Digest username="admin", realm="IPCAM", nonce="abc", uri="rtsp://10.0.0.5:554/live/ch0", response="0123456789abcdef0123456789abcdef", algorithm=MD5',
    value: { scheme: 'Digest', username: 'admin', realm: 'IPCAM', nonce: 'abc', uri: 'rtsp://10.0.0.5:554/live/ch0', response: '0123456789abcdef0123456789abcdef', algorithm: 'MD5' },
  },
  // Unknown parameters are dropped; quoted qop/nc accepted.
  {
    input: 'digest Username=u, realm=r, nonce=n, uri="*", response=x, qop="auth", nc="0000000a", cnonce=c, x=y',
    value: { scheme: 'Digest', username: 'u', realm: 'r', nonce: 'n', uri: '*', response: 'x', qop: 'auth', nc: '0000000a', cnonce: 'c' },
    canonical: 'Digest username="u", realm="r", nonce="n", uri="*", response="x", qop=auth, nc=0000000a, cnonce="c"',
  },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'no authentication scheme given' },
  { input: 'Basic', status: 400, reason: 'Basic needs base64' },
  { input: 'Basic !!!', status: 400, reason: 'expected name=value parameters' },
  { input: 'Basic dXNlcg==', status: 400, reason: 'no ":" between user and password' },
  { input: 'Basic dXNlcg=', status: 400, reason: 'not base64' },
  { input: 'Basic /w==', status: 400, reason: 'not base64 of UTF-8 text' },
  { input: 'Basic a, Basic b', status: 400, reason: 'expected one set of credentials, got 2' },
  { input: 'Bearer abc', status: 401, reason: 'the "Bearer" scheme is not supported' },
  { input: 'Digest realm="r", nonce="n", uri="/", response="x"', status: 400, reason: 'without username' },
  { input: 'Digest username="u", realm="r", nonce="n", uri="/"', status: 400, reason: 'without response' },
  { input: 'Digest username="u", realm="r", nonce="n", uri="/", response="x", qop=auth, cnonce="c"', status: 400, reason: 'without nc' },
  { input: 'Digest username="u", realm="r", nonce="n", uri="/", response="x", qop=auth, nc=1, cnonce="c"', status: 400, reason: 'nc must be 8 hexadecimal digits' },
  { input: 'Digest username="u", realm="r", nonce="n", uri="/", response="x", nc=00000001', status: 400, reason: 'only valid with qop' },
  { input: 'Digest abc==', status: 400, reason: 'Digest takes name=value parameters' },
];

describe('Authorization', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseAuthorization(input)).toEqual(value);
    expect(formatAuthorization(value)).toBe(canonical ?? input);
    expect(parseAuthorization(formatAuthorization(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseAuthorization(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^Authorization: /);
    expect(err.reason).toContain(reason);
  });

  it('refuses to format a Basic user name containing ":"', () => {
    expect(catchRtspError(() => formatAuthorization({ scheme: 'Basic', username: 'a:b', password: 'c' })).reason).toContain('must not contain ":"');
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseAuthorization, formatAuthorization, cases.map((c) => c.input), 5)).toEqual([]);
  });
});

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('digest', () => {
  it('matches the RFC 2617 §3.5 example', () => {
    expect(digestResponse({
      username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b',
    })).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('matches the RFC 7616 §3.9.1 MD5 example', () => {
    expect(digestResponse({
      username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', algorithm: 'MD5',
    })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('computes the RFC 2069 form (no qop) and MD5-sess like node:crypto', () => {
    const ha1 = md5('u:r:p');
    const ha2 = md5('DESCRIBE:rtsp://h/x');
    expect(digestResponse({ username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'DESCRIBE', uri: 'rtsp://h/x' })).toBe(md5(`${ha1}:n:${ha2}`));
    const sess = md5(`${ha1}:n:cn`);
    expect(digestResponse({ username: 'u', password: 'p', realm: 'r', nonce: 'n', method: 'DESCRIBE', uri: 'rtsp://h/x', algorithm: 'MD5-sess', qop: 'auth', nc: '00000002', cnonce: 'cn' }))
      .toBe(md5(`${sess}:n:00000002:cn:auth:${ha2}`));
  });

  it('answers a challenge: Digest preferred over Basic, opaque and algorithm echoed, nc counted', () => {
    const challenges = parseWwwAuthenticate('Basic realm="cam", Digest realm="cam", nonce="N1", qop="auth,auth-int", opaque="OP", algorithm=MD5');
    const chosen = pickChallenge(challenges)!;
    expect(chosen.scheme).toBe('Digest');
    const h = answerChallenge(chosen, { username: 'admin', password: 'secret' }, 'SETUP', 'rtsp://cam/live/trackID=0', { nc: 3, cnonce: 'abcd' });
    expect(h).toEqual({
      scheme: 'Digest', username: 'admin', realm: 'cam', nonce: 'N1', uri: 'rtsp://cam/live/trackID=0', algorithm: 'MD5', opaque: 'OP',
      qop: 'auth', nc: '00000003', cnonce: 'abcd',
      response: md5(`${md5('admin:cam:secret')}:N1:00000003:abcd:auth:${md5('SETUP:rtsp://cam/live/trackID=0')}`),
    });
  });

  it('falls back to Basic when the Digest offered cannot be answered, and refuses what it cannot answer', () => {
    const sha = parseWwwAuthenticate('Digest realm="r", nonce="n", algorithm=SHA-256, Basic realm="r"');
    expect(pickChallenge(sha)?.scheme).toBe('Basic');
    expect(pickChallenge(parseWwwAuthenticate('Digest realm="r", nonce="n", qop="auth-int"'))).toBeUndefined();
    expect(() => answerChallenge(sha[0]!, { username: 'u', password: 'p' }, 'DESCRIBE', '/')).toThrow(/only Basic and MD5 Digest/);
  });

  it('base64 round-trips every length and matches Buffer', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + n) & 0xff);
      const text = base64Encode(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64'));
      expect(base64Decode(text)).toEqual(bytes);
    }
  });
});
