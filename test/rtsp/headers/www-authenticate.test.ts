// WWW-Authenticate header: one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatWwwAuthenticate, parseWwwAuthenticate, type AuthChallenge } from '../../../server/rtsp/headers/www-authenticate.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const c = (h: Partial<AuthChallenge> & { scheme: string }): AuthChallenge => ({ params: [], ...h });

const cases: { input: string; value: AuthChallenge[]; canonical?: string }[] = [
  // MediaMTX / gortsplib
  { input: 'Basic realm="IPCAM"', value: [c({ scheme: 'Basic', realm: 'IPCAM' })] },
  // Hikvision-style: Digest and Basic as one value; the scheme case is normalized.
  {
    input: 'Digest realm="IP Camera(23683)", nonce="3d1f5a7c2b1e4f9a", stale="FALSE", Basic realm="IP Camera(23683)"',
    value: [c({ scheme: 'Digest', realm: 'IP Camera(23683)', nonce: '3d1f5a7c2b1e4f9a', stale: false }), c({ scheme: 'Basic', realm: 'IP Camera(23683)' })],
    canonical: 'Digest realm="IP Camera(23683)", nonce="3d1f5a7c2b1e4f9a", stale=FALSE, Basic realm="IP Camera(23683)"',
  },
  // RFC 7616 §3.9.1 example (SHA-256 and MD5 challenges)
  {
    input: 'Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"',
    value: [c({
      scheme: 'Digest', realm: 'http-auth@example.org', qop: ['auth', 'auth-int'], algorithm: 'MD5',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', opaque: 'FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS',
    })],
    canonical: 'Digest realm="http-auth@example.org", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", algorithm=MD5, qop="auth,auth-int"',
  },
  // live555 (no qop: RFC 2069 form)
  { input: 'Digest realm="LIVE555 Streaming Media", nonce="a2b1c3d4e5f6"', value: [c({ scheme: 'Digest', realm: 'LIVE555 Streaming Media', nonce: 'a2b1c3d4e5f6' })] },
  { input: 'digest REALM=r,NONCE=n ,  Stale=true', value: [c({ scheme: 'Digest', realm: 'r', nonce: 'n', stale: true })], canonical: 'Digest realm="r", nonce="n", stale=TRUE' },
  { input: 'Digest realm="a \\"quoted\\" \\\\ realm", nonce="x"', value: [c({ scheme: 'Digest', realm: 'a "quoted" \\ realm', nonce: 'x' })] },
  { input: 'Digest realm="r", nonce="n", algorithm=MD5-sess, userhash=true, charset=UTF-8, domain="/a /b"', value: [c({ scheme: 'Digest', realm: 'r', nonce: 'n', algorithm: 'MD5-sess', userhash: true, charset: 'UTF-8', domain: '/a /b' })], canonical: 'Digest realm="r", domain="/a /b", nonce="n", algorithm=MD5-sess, charset=UTF-8, userhash=true' },
  // Unknown parameters and schemes are kept.
  { input: 'Basic realm="r", x-extra="1"', value: [c({ scheme: 'Basic', realm: 'r', params: [['x-extra', '1']] })] },
  { input: 'Negotiate', value: [c({ scheme: 'Negotiate' })] },
  { input: 'Negotiate YIIabc+/==, Basic realm="r"', value: [c({ scheme: 'Negotiate', token68: 'YIIabc+/==' }), c({ scheme: 'Basic', realm: 'r' })] },
  { input: 'Basic', value: [c({ scheme: 'Basic' })] },
  { input: ' , Basic realm="a" ,, Basic realm="b" , ', value: [c({ scheme: 'Basic', realm: 'a' }), c({ scheme: 'Basic', realm: 'b' })], canonical: 'Basic realm="a", Basic realm="b"' },
];

const invalid: { input: string; reason: string }[] = [
  { input: '', reason: 'no authentication scheme given' },
  { input: ' , ', reason: 'no authentication scheme given' },
  { input: '"Basic"', reason: 'expected an authentication scheme' },
  { input: 'Digest nonce="n"', reason: 'Digest challenge has no realm' },
  { input: 'Digest realm="r"', reason: 'Digest challenge has no nonce' },
  { input: 'Digest realm="r, nonce="n"', reason: 'expected a comma after the value of realm' },
  { input: 'Digest realm="r', reason: 'the quoted value of realm is not closed' },
  { input: 'Basic realm="r" nonce="x"', reason: 'expected a comma' },
  { input: 'Basic dXNlcg==', reason: 'Basic takes name=value parameters' },
  { input: 'Digest realm="r", nonce="n", qop="auth;x"', reason: 'is not a token' },
  { input: 'Basic realm="a\u0001b"', reason: 'control character' },
];

describe('WWW-Authenticate', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseWwwAuthenticate(input)).toEqual(value);
    expect(formatWwwAuthenticate(value)).toBe(canonical ?? input);
    expect(parseWwwAuthenticate(formatWwwAuthenticate(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, reason }) => {
    const err = catchRtspError(() => parseWwwAuthenticate(input));
    expect(err.status).toBe(400);
    expect(err.reason).toMatch(/^WWW-Authenticate: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseWwwAuthenticate, formatWwwAuthenticate, cases.map((k) => k.input), 21)).toEqual([]);
  });
});
