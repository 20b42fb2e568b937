// Property, RtspParser: generated streams of requests, responses and `$` frames parse to exactly what was sent whatever the chunking; mixed with hostile pieces they never throw, never hit an internal error, and stay within the limits.
import { concatBytes } from '../../server/media/bytes.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RtspHeaders } from '../../server/rtsp/headers-map.js';
import { encodeInterleaved, serializeRequest, serializeResponse, type RtspRequest, type RtspResponse } from '../../server/rtsp/message.js';
import { RtspParser, type ParsedItem } from '../../server/rtsp/parser.js';
import { fuzz } from '../helpers/fuzz.js';
import { plain } from './fuzz.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const LIMITS = { maxHeaderBytes: 1024, maxHeaderCount: 12, maxBodyBytes: 2048, maxUriLength: 200 };

const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,10}$/);
const headerName = token.filter((n) => n.toLowerCase() !== 'content-length');
/** Values as the parser returns them: no line breaks, no space at either end (it trims). */
const headerValue = fc.stringMatching(/^[!-~é]([ -~é]{0,30}[!-~é])?$/).map((v) => v);
const headers = fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 });
const body = fc.uint8Array({ maxLength: 300 });
const uri = fc.constantFrom('rtsp://h/a', 'rtsp://h:554/cams/door/trackID=1', '*', '/sample.mp4', 'rtsp://[::1]/x?y=1');

type Item = { kind: 'request'; m: RtspRequest } | { kind: 'response'; m: RtspResponse } | { kind: 'frame'; channel: number; data: Uint8Array };

const request: fc.Arbitrary<Item> = fc.tuple(fc.constantFrom('OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'ANNOUNCE', 'x-Custom'), uri, headers, body)
  .map(([method, u, h, b]) => ({ kind: 'request', m: { method, uri: u, version: 'RTSP/1.0', headers: new RtspHeaders(h), body: b } }));
const response: fc.Arbitrary<Item> = fc.tuple(fc.integer({ min: 100, max: 999 }), fc.constantFrom('OK', 'Not Found', '', 'Session Not Found'), headers, body)
  .map(([status, reason, h, b]) => ({ kind: 'response', m: { version: 'RTSP/1.0', status, reason, headers: new RtspHeaders(h), body: b } }));
const frame: fc.Arbitrary<Item> = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 400 })).map(([channel, data]) => ({ kind: 'frame', channel, data }));

function bytesOf(i: Item): Uint8Array {
  if (i.kind === 'frame') return encodeInterleaved(i.channel, i.data);
  return i.kind === 'request' ? serializeRequest(i.m) : serializeResponse(i.m);
}

/** What the parser must return for an item: its fields, plus the Content-Length the serializer adds for a body. */
function expected(i: Item): ParsedItem {
  if (i.kind === 'frame') return { type: 'interleaved', channel: i.channel, data: i.data };
  const headers = new RtspHeaders(i.m.headers);
  if (i.m.body.length > 0) headers.append('Content-Length', String(i.m.body.length));
  return i.kind === 'request' ? { type: 'request', message: { ...i.m, headers } } : { type: 'response', message: { ...i.m, headers } };
}

const concat = concatBytes;

/** Cuts `b` at the generated offsets (any chunking must give the same items). */
function chunked(b: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of at) {
    out.push(b.subarray(from, c));
    from = c;
  }
  out.push(b.subarray(from));
  return out;
}

function parse(chunks: Uint8Array[]): { items: ParsedItem[]; maxBuffered: number; parser: RtspParser } {
  const parser = new RtspParser(LIMITS);
  let maxBuffered = 0;
  const items: ParsedItem[] = [];
  for (const c of chunks) {
    items.push(...parser.push(c)); // never throws: a bug inside would be a 500 item
    maxBuffered = Math.max(maxBuffered, parser.bufferedBytes);
  }
  return { items, maxBuffered, parser };
}

/** Hostile pieces: garbage lines, lying or huge Content-Length, bare CR, folded lines, NULs, a `$` mid-line, random bytes. */
const hostile = fc.oneof(
  fc.constantFrom(
    'garbage\r\n',
    'OPTIONS\r\n',
    'GET / HTTP/1.1\r\nHost: x\r\n\r\n',
    'PLAY rtsp://h/a RTSP/1.0\r\nContent-Length: 99999999\r\n\r\n',
    'PLAY rtsp://h/a RTSP/1.0\r\nContent-Length: -1\r\n\r\n',
    'PLAY rtsp://h/a RTSP/1.0\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nxxxxx',
    'SETUP rtsp://h/a RTSP/1.0\r\n continued\r\n\r\n',
    'DESCRIBE rtsp://h/a RTSP/1.0\rCSeq: 1\r\r',
    'RTSP/1.0 2000 OK\r\n\r\n',
    'RTSP/1.0\r\n\r\n',
    'A B C D\r\n\r\n',
    '\0\0\0\r\n',
    'OPTIONS * RTSP/1.0\r\nBad Header\r\n\r\n',
    'OPTIONS * RTSP/1.0\r\n: novalue\r\n\r\n',
    `OPTIONS ${'x'.repeat(300)} RTSP/1.0\r\n\r\n`,
    `OPTIONS * RTSP/1.0\r\n${'A: b\r\n'.repeat(20)}\r\n`,
    `OPTIONS * RTSP/1.0\r\nX: ${'y'.repeat(2000)}\r\n\r\n`,
    '$',
    '$\0\xff\xff',
  ).map(enc),
  fc.uint8Array({ maxLength: 200 }),
);

describe('RtspParser under fast-check', () => {
  it('returns exactly the requests, responses and frames sent, whatever the chunking', () => {
    const stream = fc.tuple(fc.array(fc.oneof(request, response, frame), { minLength: 1, maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean());
    fuzz('RTSP parser: well-formed streams, any chunking', 21, 4000, fc.property(stream, ([items, cuts, keepalives]) => {
      const parts = items.flatMap((i) => (keepalives ? [enc('\r\n'), bytesOf(i)] : [bytesOf(i)]));
      const got = parse(chunked(concat(parts), cuts));
      expect(plain(got.items)).toEqual(plain(items.map(expected)));
      expect(got.parser.bufferedBytes).toBe(0);
      // What was parsed serializes back to the same bytes a second parser reads the same way.
      for (const it of got.items) {
        if (it.type !== 'request') continue;
        expect(plain(parse([serializeRequest(it.message)]).items)).toEqual(plain([it]));
      }
    }));
  });

  it('with hostile pieces mixed in: never throws or fails inside, stays within its limits, and any chunking gives the same items', () => {
    const stream = fc.tuple(fc.array(fc.oneof(request.map(bytesOf), frame.map(bytesOf), hostile), { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 16 }));
    const bound = Math.max(LIMITS.maxHeaderBytes, LIMITS.maxBodyBytes, 0xffff);
    fuzz('RTSP parser: hostile streams', 22, 6000, fc.property(stream, ([parts, cuts]) => {
      const bytes = concat(parts);
      const whole = parse([bytes]);
      const split = parse(chunked(bytes, cuts));
      for (const r of [whole, split]) {
        for (const it of r.items) if (it.type === 'error') expect(it.error.status, it.error.reason).not.toBe(500);
        expect(r.maxBuffered).toBeLessThanOrEqual(bound);
      }
      expect(plain(split.items)).toEqual(plain(whole.items));
    }));
  });
});
