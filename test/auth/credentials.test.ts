// What requests present: Authorization (Basic, Digest, Bearer), ?token= and the login cookie, in a table; unreadable headers become a 400, never a throw (fuzz).
import { describe, expect, it } from 'vitest';
import { cookieValue, fromAuthorization, fromHttp, NONE, TOKEN_COOKIE } from '../../server/auth/credentials.js';
import { mutate, prng } from '../rtsp/fuzz.js';

describe('presented credentials', () => {
  it.each([
    [undefined, NONE],
    ['', NONE],
    ['Basic YWxpY2U6c2VjcmV0', { kind: 'basic', user: 'alice', password: 'secret' }],
    ['Bearer tc1.abc_-', { kind: 'token', token: 'tc1.abc_-', source: 'header' }],
    ['bearer   eyJh.eyJ.sig==', { kind: 'token', token: 'eyJh.eyJ.sig==', source: 'header' }],
    ['Basic YWxpY2U', { kind: 'malformed', status: 400 }],
    ['Negotiate YIIB', { kind: 'malformed', status: 401 }],
    ['Bearer', { kind: 'malformed', status: 401 }],
  ] as const)('%j', (header, want) => {
    expect(fromAuthorization(header, 'DESCRIBE')).toMatchObject(want);
  });

  it('reads Digest with the method the response hashes', () => {
    const p = fromAuthorization('Digest username="alice", realm="Tidecast", nonce="n", uri="rtsp://h/x", response="0123"', 'SETUP');
    expect(p).toMatchObject({ kind: 'digest', method: 'SETUP', auth: { username: 'alice', uri: 'rtsp://h/x' } });
  });

  it('HTTP: the header first, then ?token=, then the login cookie', () => {
    const cookie = `a=1; ${TOKEN_COOKIE}=tc1.fromcookie; b=2`;
    expect(fromHttp({ authorization: 'Bearer tc1.h', cookie }, '/x?token=tc1.q', 'GET')).toMatchObject({ token: 'tc1.h', source: 'header' });
    expect(fromHttp({ cookie }, '/x/index.m3u8?_HLS_msn=3&token=tc1.q', 'GET')).toMatchObject({ token: 'tc1.q', source: 'query' });
    expect(fromHttp({ cookie }, '/x', 'GET')).toMatchObject({ token: 'tc1.fromcookie', source: 'cookie' });
    expect(fromHttp({}, '/x?token=', 'GET')).toBe(NONE);
    expect(cookieValue(`${TOKEN_COOKIE}="quoted"`, TOKEN_COOKIE)).toBe('quoted');
    expect(cookieValue('xtidecast_token=1', TOKEN_COOKIE)).toBeUndefined();
  });

  it('never throws on 20 000 mutated headers', () => {
    const seeds = ['Basic YWxpY2U6c2VjcmV0', 'Bearer tc1.abc', 'Digest username="a", realm="r", nonce="n", uri="/", response="x", qop=auth, nc=00000001, cnonce="c"'];
    const rnd = prng(21);
    const kinds = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const h = mutate(seeds, rnd);
      const p = fromAuthorization(h, 'GET');
      kinds.add(p.kind);
      if (p.kind === 'malformed') expect([400, 401]).toContain(p.status);
    }
    expect([...kinds].sort()).toEqual(['basic', 'digest', 'malformed', 'none', 'token']);
  });
});
