// Property, every typed header: text built from the header's own grammar pieces (and stray characters) parses or throws an RtspError, and what parses round-trips through format.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatAuthorization, parseAuthorization } from '../../../server/rtsp/headers/authorization.js';
import { formatCSeq, parseCSeq } from '../../../server/rtsp/headers/cseq.js';
import { formatPublic, parsePublic } from '../../../server/rtsp/headers/public.js';
import { formatRange, parseRange, type RangeHeader } from '../../../server/rtsp/headers/range.js';
import { formatRtpInfo, parseRtpInfo } from '../../../server/rtsp/headers/rtp-info.js';
import { formatSession, parseSession } from '../../../server/rtsp/headers/session.js';
import { formatTransport, parseTransport, type TransportHeader } from '../../../server/rtsp/headers/transport.js';
import { formatWwwAuthenticate, parseWwwAuthenticate } from '../../../server/rtsp/headers/www-authenticate.js';
import { RtspError } from '../../../server/rtsp/errors.js';
import { parseRtspTarget } from '../../../server/rtsp/url.js';
import { fuzz } from '../../helpers/fuzz.js';
import { headerProblem } from '../fuzz.js';

/** Header text: pieces of its grammar in any order, with separators, digits and stray characters between. */
function grammar(pieces: string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...pieces) },
    { weight: 2, arbitrary: fc.constantFrom(';', ',', '=', '-', ' ', '"', '.', ':', '/', '\t') },
    { weight: 2, arbitrary: fc.nat({ max: 70000 }).map(String) },
    { weight: 1, arbitrary: fc.string({ maxLength: 4 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
  );
  return fc.array(piece, { maxLength: 16 }).map((p) => p.join(''));
}

/** A valid value with up to three edits (insert, delete, replace) at generated places. */
function mutated(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.string({ maxLength: 3 }));
  return fc.tuple(valid, fc.array(edit, { minLength: 1, maxLength: 3 })).map(([text, edits]) => {
    let t = text;
    for (const [at, op, s] of edits) {
      const i = at % (t.length + 1);
      t = op === 'insert' ? t.slice(0, i) + s + t.slice(i) : op === 'delete' ? t.slice(0, i) + t.slice(i + 1 + s.length) : t.slice(0, i) + s + t.slice(i + s.length);
    }
    return t;
  });
}

/** Valid values half the time (each with its own shape), mutated ones and grammar soup the rest. */
function inputs(valid: fc.Arbitrary<string>, pieces: string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 2, arbitrary: valid }, { weight: 1, arbitrary: mutated(valid) }, { weight: 1, arbitrary: grammar(pieces) });
}

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const qtext = fc.stringMatching(/^[ -!#-~]{0,12}$/);
const u16 = fc.integer({ min: 0, max: 65535 });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const npt = fc.oneof(
  fc.nat({ max: 100000 }).map(String),
  fc.tuple(fc.nat({ max: 100000 }), fc.nat({ max: 999 })).map(([s, f]) => `${s}.${f}`),
  fc.tuple(fc.nat({ max: 99 }), fc.nat({ max: 59 }), fc.nat({ max: 59 })).map(([h, m, x]) => `${h}:${String(m).padStart(2, '0')}:${String(x).padStart(2, '0')}`),
);
const pair = fc.tuple(u16, u16).map(([a, b]) => `${a}-${b}`);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

const VALID: Record<string, fc.Arbitrary<string>> = {
  CSeq: u32.map(String),
  Public: fc.array(token, { minLength: 1, maxLength: 6 }).map((m) => m.join(', ')),
  Range: fc.tuple(fc.oneof(npt, fc.constant('now')), fc.option(npt), fc.option(fc.constant(';time=20260101T000000Z'))).map(([a, b, t]) => `npt=${a}-${b ?? ''}${t ?? ''}`),
  'RTP-Info': fc.array(fc.tuple(fc.constantFrom('rtsp://h/a/trackID=0', 'rtsp://h:8554/x.mp4/trackID=1', '"rtsp://h/a,b"'), fc.option(u16), fc.option(u32)), { minLength: 1, maxLength: 3 })
    .map((es) => es.map(([url, seq, ts]) => `url=${url}${seq !== null ? `;seq=${seq}` : ''}${ts !== null ? `;rtptime=${ts}` : ''}`).join(',')),
  Session: fc.tuple(fc.stringMatching(/^[A-Za-z0-9$\-_.+]{1,20}$/), fc.option(fc.nat({ max: 100000 }))).map(([id, t]) => `${id}${t !== null ? `;timeout=${t}` : ''}`),
  Transport: fc.array(
    fc.tuple(
      fc.constantFrom('RTP/AVP', 'RTP/AVP/TCP', 'RTP/AVP/UDP', 'RTP/SAVP'),
      fc.subarray(['unicast', 'client_port=', 'interleaved=', 'server_port=', 'mode=', 'ssrc=', 'ttl=', 'destination=', 'source=', 'port=', 'append', 'layers=']),
      pair,
      fc.constantFrom('PLAY', '"record"', 'receive'),
      u32,
    ).map(([proto, params, p, mode, n]) => [proto, ...params.map((x) => (x.endsWith('=') ? x + (x === 'mode=' ? mode : x === 'ssrc=' ? n.toString(16).toUpperCase() : /destination|source/.test(x) ? '127.0.0.1' : /ttl|layers/.test(x) ? String(n % 256) : p) : x))].join(';')),
    { minLength: 1, maxLength: 3 },
  ).map((specs) => specs.join(',')),
  'WWW-Authenticate': fc.array(
    fc.oneof(
      qtext.map((r) => `Basic realm="${r}"`),
      fc.tuple(qtext, qtext, fc.boolean(), fc.boolean()).map(([r, n, qop, stale]) => `Digest realm="${r}", nonce="${n}"${qop ? ', qop="auth,auth-int"' : ''}${stale ? ', stale=TRUE' : ''}, algorithm=MD5`),
    ),
    { minLength: 1, maxLength: 2 },
  ).map((c) => c.join(', ')),
  Authorization: fc.oneof(
    fc.tuple(fc.stringMatching(/^[^:]{0,8}$/), fc.string({ maxLength: 8 })).map(([u, p]) => `Basic ${b64(`${u}:${p}`)}`),
    fc.tuple(qtext, qtext, qtext, fc.stringMatching(/^[0-9a-f]{32}$/), fc.boolean(), fc.stringMatching(/^[0-9a-f]{8}$/)).map(
      ([u, r, n, resp, qop, nc]) => `Digest username="${u}", realm="${r}", nonce="${n}", uri="rtsp://h/a", response="${resp}"${qop ? `, qop=auth, nc=${nc}, cnonce="${n}"` : ''}`,
    ),
  ),
};

const HEADERS: { name: string; parse: (v: string) => unknown; format: (h: never) => string; pieces: string[]; base: number }[] = [
  { name: 'CSeq', parse: parseCSeq, format: formatCSeq, pieces: ['1', '0', '4294967295', '99999999999', ' ', '+1', '0x10', '1e3'], base: 2000 },
  { name: 'Public', parse: parsePublic, format: formatPublic, pieces: ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', ', ', 'x-Foo', 'GET_PARAMETER', '(', ')'], base: 2000 },
  {
    name: 'Range',
    parse: (v) => canonicalRange(parseRange(v)),
    format: formatRange as (h: never) => string,
    pieces: ['npt=', 'npt', 'now', 'smpte=', 'clock=', '10', '10.5', '1:02:03', '1:02:03.5', '0.000', '-', ';time=', '20260101T000000Z', '99:99:99', '.'],
    base: 3000,
  },
  { name: 'RTP-Info', parse: parseRtpInfo, format: formatRtpInfo, pieces: ['url=', 'rtsp://h/a/trackID=0', 'seq=', 'rtptime=', ';', ',', '65535', '4294967296', 'url="rtsp://h/a,b"', 'trackID=1'], base: 3000 },
  { name: 'Session', parse: parseSession, format: formatSession, pieces: ['4f2a9c0d', 'abc$-_.+', ';timeout=', 'timeout', '60', '-1', ';x=y', ' '], base: 2000 },
  {
    name: 'Transport',
    parse: parseTransport,
    format: ((h: TransportHeader[]) => h.map(formatTransport).join(',')) as (h: never) => string,
    pieces: ['RTP/AVP', 'RTP/AVP/TCP', 'RTP/AVP/UDP', 'RTP/SAVP', 'unicast', 'multicast', 'client_port=', 'server_port=', 'interleaved=', 'port=', 'ttl=', 'ssrc=', 'mode=', '"PLAY"', 'record', 'destination=', 'source=', 'append', 'layers=', '8000-8001', '0-1', '127.0.0.1', 'DEADBEEF', ';', ','],
    base: 5000,
  },
  {
    name: 'WWW-Authenticate',
    parse: parseWwwAuthenticate,
    format: formatWwwAuthenticate as (h: never) => string,
    pieces: ['Digest', 'Basic', 'Negotiate', 'realm=', '"Tidecast"', 'nonce=', '"abc"', 'qop=', '"auth,auth-int"', 'stale=', 'TRUE', 'algorithm=', 'MD5', 'opaque=', 'charset=', '"UTF-8"', 'userhash=', 'YII=', ', ', '\\"'],
    base: 4000,
  },
  {
    name: 'Authorization',
    parse: parseAuthorization,
    format: formatAuthorization as (h: never) => string,
    pieces: ['Basic', 'Digest', 'YWxpY2U6c2VjcmV0', 'Og==', 'username=', '"alice"', 'realm=', 'nonce=', 'uri=', '"rtsp://h/a"', 'response=', '"6629fae49393a05397450978507c4ef1"', 'qop=', 'auth', 'nc=', '00000001', 'cnonce=', 'opaque=', ', ', '=='],
    base: 4000,
  },
];

function isValid(parse: (v: string) => unknown, text: string): boolean {
  try {
    parse(text);
    return true;
  } catch {
    return false;
  }
}

/** parseRange keeps what was written; the round trip compares the values formatRange writes (3 decimals). */
function canonicalRange(r: RangeHeader): RangeHeader {
  return parseRange(formatRange(r));
}

describe('typed headers: grammar fuzz', () => {
  for (const h of HEADERS) {
    it(`${h.name}: parses or throws RtspError, and round-trips`, () => {
      let parsed = 0;
      fuzz(`header ${h.name}`, 1000 + h.name.length, h.base, fc.property(inputs(VALID[h.name]!, h.pieces), (text) => {
        const problem = headerProblem(h.parse, h.format as (x: unknown) => string, text);
        expect(problem).toBeUndefined();
        if (isValid(h.parse, text)) parsed++;
      }));
      // The grammar reaches the parser's accepting paths, not only its refusals.
      console.log(`${h.name}: ${parsed} of the inputs parsed`);
      expect(parsed).toBeGreaterThan(h.base / 10);
    });
  }
});

describe('request URIs: parseRtspTarget', () => {
  it('gives a path without "." or ".." segments or NUL, or throws an RtspError', () => {
    const segment = fc.oneof(fc.constantFrom('sample.mp4', '..', '.', '%2e%2e', '%2E.', 'trackID=1', 'stream=0', '%', '%zz', '%00', 'a%2Fb', 'cams', 'é', '?q=1', '#f', ''), fc.string({ maxLength: 6 }));
    const uri = fc.tuple(fc.constantFrom('rtsp://h:554', 'RTSPS://[::1]', 'rtsp://', '/', '', '*', 'http://h'), fc.array(segment, { maxLength: 6 })).map(([head, segs]) => head + (segs.length ? '/' : '') + segs.join('/'));
    fuzz('request URI', 77, 4000, fc.property(uri, (u) => {
      let t;
      try {
        t = parseRtspTarget(u);
      } catch (e) {
        expect(e).toBeInstanceOf(RtspError);
        return;
      }
      for (const s of t.path.split('/')) expect(['.', '..']).not.toContain(s);
      expect(t.path).not.toContain('\0');
      expect(t.path.startsWith('/') || t.path.endsWith('/')).toBe(false);
    }));
  });
});
