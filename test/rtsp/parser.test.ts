// RtspParser: split invariance, line-ending leniency, limits, error recovery and a random-bytes fuzz.

import { concatBytes } from '../../server/media/bytes.js';
import { describe, expect, it } from 'vitest';
import { RtspError } from '../../server/rtsp/errors.js';
import { encodeInterleaved } from '../../server/rtsp/message.js';
import { DEFAULT_PARSER_LIMITS, RtspParser, type ParsedItem, type RtspParserLimits } from '../../server/rtsp/parser.js';
import { plain, prng } from './fuzz.js';

const enc = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => concatBytes(parts);

function parseChunks(chunks: Uint8Array[], limits?: Partial<RtspParserLimits>): ParsedItem[] {
  const p = new RtspParser(limits);
  return chunks.flatMap((c) => p.push(c));
}

const parseAll = (data: Uint8Array | string, limits?: Partial<RtspParserLimits>) =>
  parseChunks([typeof data === 'string' ? enc(data) : data], limits);

const rtp = new Uint8Array(300).map((_, i) => (i * 7 + 0x24) & 0xff); // contains '$', CR and LF bytes
const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nm=video 0 RTP/AVP 96\r\n';

const mixed = concat(
  enc('OPTIONS rtsp://host/live RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: t\r\n\r\n'),
  encodeInterleaved(0, rtp),
  enc('RTSP/1.0 200 OK\r\nCSeq: 7\r\nSession: abc\r\n\r\n'),
  enc(`ANNOUNCE rtsp://host/pub RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`),
  encodeInterleaved(1, new Uint8Array(0)),
  enc('\r\n\r\n'), // keepalives
  enc('hello\r\n'), // garbage line
  enc('GET_PARAMETER rtsp://host/live RTSP/1.0\r\nCSeq: 3\r\nbroken line\r\nContent-Length: 4\r\n\r\n$$$$'), // bad header: body skipped
  enc('TEARDOWN rtsp://host/live RTSP/1.0\nCSeq: 4\n\n'),
  enc('OPTIONS rtsp://host/cr RTSP/1.0\rCSeq: 5\r\r'), // bare CR line ends (RFC 2326 §4)
  enc('SET_PARAMETER rtsp://host/cr RTSP/1.0\rCSeq: 6\rContent-Length: 2\r\rok'),
);

describe('RtspParser: chunking', () => {
  const expected = plain(parseAll(mixed));

  it('parses the sample stream in one push', () => {
    expect(expected.map((i) => (i as { type: string }).type)).toEqual([
      'request',
      'interleaved',
      'response',
      'request',
      'interleaved',
      'error',
      'error',
      'request',
      'request',
      'request',
    ]);
    expect(expected[1]).toEqual({ type: 'interleaved', channel: 0, data: [...rtp] });
    expect(expected[3]).toMatchObject({ method: 'ANNOUNCE', body: [...enc(sdp)] });
    expect(expected[6]).toMatchObject({ status: 400, fatal: false, cseq: '3' });
    expect(expected[7]).toMatchObject({ method: 'TEARDOWN', headers: [['CSeq', '4']] });
    expect(expected[8]).toMatchObject({ method: 'OPTIONS', uri: 'rtsp://host/cr', headers: [['CSeq', '5']] });
    expect(expected[9]).toMatchObject({ method: 'SET_PARAMETER', headers: [['CSeq', '6'], ['Content-Length', '2']], body: [...enc('ok')] });
  });

  it('gives the same items for every split point', () => {
    for (let at = 0; at <= mixed.length; at++) {
      const got = plain(parseChunks([mixed.subarray(0, at), mixed.subarray(at)]));
      if (JSON.stringify(got) !== JSON.stringify(expected)) expect({ at, got }).toEqual({ at, got: expected });
    }
  });

  it('gives the same items byte by byte and for random chunkings', () => {
    const bytes = Array.from(mixed, (_, i) => mixed.subarray(i, i + 1));
    expect(plain(parseChunks(bytes))).toEqual(expected);
    const rnd = prng(7);
    for (let run = 0; run < 300; run++) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < mixed.length; ) {
        const n = Math.floor(rnd() * 40);
        chunks.push(mixed.subarray(i, i + n));
        i += n;
      }
      expect(plain(parseChunks(chunks))).toEqual(expected);
    }
  });

  it('returns frames of exactly their length, whole-chunk frames as views', () => {
    const frame = encodeInterleaved(5, rtp);
    const [item] = parseAll(frame);
    expect(item).toMatchObject({ type: 'interleaved', channel: 5 });
    if (item.type !== 'interleaved') throw new Error('not a frame');
    expect(item.data.length).toBe(rtp.length);
    expect(item.data.buffer).toBe(frame.buffer);
  });
});

describe('RtspParser: syntax leniency', () => {
  it('accepts bare LF line endings (telnet)', () => {
    const [item] = plain(parseAll('DESCRIBE rtsp://h/x RTSP/1.0\nCSeq: 5\nAccept: application/sdp\n\n'));
    expect(item).toMatchObject({ type: 'request', method: 'DESCRIBE', headers: [['CSeq', '5'], ['Accept', 'application/sdp']] });
  });

  it('accepts bare CR line endings, and a CRLF split after its CR', () => {
    const [item] = plain(parseAll('DESCRIBE rtsp://h/x RTSP/1.0\rCSeq: 5\rAccept: application/sdp\r\r'));
    expect(item).toMatchObject({ type: 'request', method: 'DESCRIBE', headers: [['CSeq', '5'], ['Accept', 'application/sdp']] });
    const split = plain(parseChunks([enc('ANNOUNCE rtsp://h/x RTSP/1.0\r\nContent-Length: 3\r\n\r'), enc('\nabc')]));
    expect(split).toEqual([expect.objectContaining({ type: 'request', method: 'ANNOUNCE', body: [...enc('abc')] })]);
  });

  it('folds continuation lines into the previous header', () => {
    const [item] = plain(parseAll('SETUP rtsp://h/x RTSP/1.0\r\nCSeq: 6\r\nTransport: RTP/AVP;unicast;\r\n  client_port=5000-5001\r\n\tX: y\r\n\r\n'));
    expect(item).toMatchObject({ headers: [['CSeq', '6'], ['Transport', 'RTP/AVP;unicast; client_port=5000-5001 X: y']] });
  });

  it('keeps method case, accepts HTTP/1.x request lines and responses without a reason', () => {
    const items = plain(parseAll('options * RTSP/1.0\r\n\r\nGET /live HTTP/1.0\r\nx-sessioncookie: abc\r\n\r\nRTSP/1.0 200\r\n\r\n'));
    expect(items[0]).toMatchObject({ method: 'options', uri: '*', version: 'RTSP/1.0' });
    expect(items[1]).toMatchObject({ method: 'GET', uri: '/live', version: 'HTTP/1.0' });
    expect(items[2]).toMatchObject({ type: 'response', status: 200, reason: '' });
  });

  it('ignores empty and blank lines between messages', () => {
    const items = plain(parseAll('\r\n\n  \r\nOPTIONS * RTSP/1.0\r\n\r\n\r\n'));
    expect(items).toHaveLength(1);
  });

  it('does not treat $ inside a body as a frame', () => {
    const [item] = plain(parseAll('SET_PARAMETER * RTSP/1.0\r\nContent-Length: 6\r\n\r\n$\x00\x00\x01ab'));
    expect(item).toMatchObject({ type: 'request', body: [...enc('$\x00\x00\x01ab')] });
  });
});

describe('RtspParser: errors', () => {
  it('answers a garbage line at once, in words, and recovers', () => {
    const p = new RtspParser();
    const first = p.push(enc('hello\n'));
    expect(plain(first)).toEqual([
      {
        type: 'error',
        status: 400,
        fatal: false,
        cseq: undefined,
        reason: 'Could not parse the request line "hello": expected METHOD URI RTSP/1.0, e.g. OPTIONS rtsp://host/ RTSP/1.0',
      },
    ]);
    expect(plain(p.push(enc('OPTIONS rtsp://h/ RTSP/1.0\nCSeq: 1\n\n')))).toMatchObject([{ type: 'request', method: 'OPTIONS' }]);
  });

  it('explains a bad version or method', () => {
    expect(plain(parseAll('PLAY rtsp://h/ RTSP1.0\r\n'))[0]).toMatchObject({ reason: expect.stringContaining('"RTSP1.0" is not an RTSP version') });
    expect(plain(parseAll('PL(AY rtsp://h/ RTSP/1.0\r\n'))[0]).toMatchObject({ reason: expect.stringContaining('"PL(AY" is not a method name') });
    expect(plain(parseAll('RTSP/1.0 OK\r\n'))[0]).toMatchObject({ status: 400, reason: expect.stringContaining('status line') });
  });

  it('names a header line without a colon, echoes CSeq, skips that message only', () => {
    const items = plain(parseAll('PLAY rtsp://h/ RTSP/1.0\r\nnonsense\r\nCSeq: 9\r\n\r\nOPTIONS * RTSP/1.0\r\nCSeq: 10\r\n\r\n'));
    expect(items).toEqual([
      { type: 'error', status: 400, fatal: false, cseq: '9', reason: 'Could not parse the header line "nonsense": expected Name: value, e.g. CSeq: 1' },
      expect.objectContaining({ type: 'request', method: 'OPTIONS' }),
    ]);
  });

  it('rejects a continuation line with no header above it', () => {
    const items = plain(parseAll('PLAY rtsp://h/ RTSP/1.0\r\n CSeq: 1\r\n\r\n'));
    expect(items[0]).toMatchObject({ status: 400, fatal: false, reason: expect.stringContaining('no header above it') });
  });

  it.each(['-1', 'abc', '1.5', '0x10', ''])('treats Content-Length %j as fatal 400', (value) => {
    const p = new RtspParser();
    const items = plain(p.push(enc(`ANNOUNCE rtsp://h/ RTSP/1.0\r\nCSeq: 3\r\nContent-Length: ${value}\r\n\r\nOPTIONS * RTSP/1.0\r\n\r\n`)));
    expect(items).toEqual([{ type: 'error', status: 400, fatal: true, cseq: '3', reason: expect.stringContaining('Content-Length') }]);
    expect(p.closed).toBe(true);
    expect(p.push(enc('OPTIONS * RTSP/1.0\r\n\r\n'))).toEqual([]);
  });

  it('turns an internal bug into a fatal 500 item instead of an exception', () => {
    const p = new RtspParser();
    (p as unknown as { onLine: () => void }).onLine = () => {
      throw new Error('boom');
    };
    const items = p.push(enc('OPTIONS * RTSP/1.0\r\n\r\n'));
    expect(plain(items)).toEqual([{ type: 'error', status: 500, fatal: true, cseq: undefined, reason: expect.stringContaining('boom') }]);
    expect(items[0].type === 'error' && items[0].error).toBeInstanceOf(RtspError);
  });
});

describe('RtspParser: limits', () => {
  it('431 (fatal) when start line + headers exceed maxHeaderBytes', () => {
    const items = plain(parseAll(`OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX: ${'a'.repeat(200)}\r\n\r\n`, { maxHeaderBytes: 128 }));
    expect(items).toEqual([{ type: 'error', status: 431, fatal: true, cseq: '1', reason: expect.stringContaining('128 bytes') }]);
    // exactly at the limit is fine
    const msg = 'OPTIONS * RTSP/1.0\r\n\r\n';
    expect(plain(parseAll(msg, { maxHeaderBytes: msg.length }))).toMatchObject([{ type: 'request' }]);
    expect(plain(parseAll(msg, { maxHeaderBytes: msg.length - 1 }))).toMatchObject([{ type: 'error', status: 431 }]);
  });

  it('431 after maxHeaderBytes of garbage without a newline, holding no more than that', () => {
    const p = new RtspParser({ maxHeaderBytes: 1000 });
    const items: ParsedItem[] = [];
    for (let i = 0; i < 50 && items.length === 0; i++) {
      items.push(...p.push(enc('x'.repeat(97))));
      expect(p.bufferedBytes).toBeLessThanOrEqual(1000);
    }
    expect(plain(items)).toMatchObject([{ type: 'error', status: 431, fatal: true }]);
    expect(p.bufferedBytes).toBe(0);
  });

  it('431 (fatal) when there are more than maxHeaderCount headers', () => {
    const headers = Array.from({ length: 5 }, (_, i) => `X-${i}: ${i}\r\n`).join('');
    expect(plain(parseAll(`OPTIONS * RTSP/1.0\r\nCSeq: 8\r\n${headers}\r\n`, { maxHeaderCount: 5 }))).toEqual([
      { type: 'error', status: 431, fatal: true, cseq: '8', reason: 'the message has more than 5 headers' },
    ]);
    expect(plain(parseAll(`OPTIONS * RTSP/1.0\r\n${headers}\r\n`, { maxHeaderCount: 5 }))).toMatchObject([{ type: 'request' }]);
    expect(DEFAULT_PARSER_LIMITS.maxHeaderCount).toBe(64);
  });

  it('413 (fatal) when Content-Length exceeds maxBodyBytes', () => {
    const items = plain(parseAll('ANNOUNCE rtsp://h/ RTSP/1.0\r\nCSeq: 2\r\nContent-Length: 65537\r\n\r\n'));
    expect(items).toEqual([{ type: 'error', status: 413, fatal: true, cseq: '2', reason: 'the body is 65537 bytes; the limit is 65536' }]);
    expect(plain(parseAll('ANNOUNCE rtsp://h/ RTSP/1.0\r\nContent-Length: 4\r\n\r\nabcd', { maxBodyBytes: 4 }))).toMatchObject([{ type: 'request' }]);
  });

  it('414 (not fatal) for a URI over maxUriLength, then carries on', () => {
    const uri = `rtsp://h/${'a'.repeat(100)}`;
    const items = plain(parseAll(`DESCRIBE ${uri} RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 2\r\n\r\nxxOPTIONS * RTSP/1.0\r\n\r\n`, { maxUriLength: 64 }));
    expect(items).toEqual([
      { type: 'error', status: 414, fatal: false, cseq: '4', reason: 'the request URI is 109 characters long; the limit is 64' },
      expect.objectContaining({ type: 'request', method: 'OPTIONS' }),
    ]);
  });
});

describe('RtspParser: fuzz', () => {
  it('never throws and stays within its limits on 20 000 random chunks', () => {
    const rnd = prng(2024);
    const limits = { maxHeaderBytes: 512, maxHeaderCount: 8, maxBodyBytes: 2048, maxUriLength: 64 };
    const bound = Math.max(limits.maxHeaderBytes, limits.maxBodyBytes, 0xffff);
    const pieces = [mixed, enc('\r\n'), enc('\n'), enc(' '), enc(':'), enc('$'), enc('RTSP/1.0 '), enc('Content-Length: 10\r\n')];
    let parser = new RtspParser(limits);
    let seen = 0;
    for (let i = 0; i < 20_000; i++) {
      let chunk: Uint8Array;
      if (rnd() < 0.5) {
        chunk = new Uint8Array(Math.floor(rnd() * 64)).map(() => Math.floor(rnd() * 256));
      } else {
        const piece = pieces[Math.floor(rnd() * pieces.length)];
        const from = Math.floor(rnd() * piece.length);
        chunk = piece.subarray(from, from + 1 + Math.floor(rnd() * 80));
      }
      const items = parser.push(chunk); // must not throw
      seen += items.length;
      for (const item of items) {
        if (item.type === 'error') expect(item.error).toBeInstanceOf(RtspError);
      }
      expect(parser.bufferedBytes).toBeLessThanOrEqual(bound);
      if (parser.closed) parser = new RtspParser(limits);
    }
    expect(seen).toBeGreaterThan(100);
  });

  it('with default limits, never holds more than the largest limit', () => {
    const rnd = prng(99);
    const bound = Math.max(DEFAULT_PARSER_LIMITS.maxHeaderBytes, DEFAULT_PARSER_LIMITS.maxBodyBytes, 0xffff);
    let parser = new RtspParser();
    for (let i = 0; i < 20_000; i++) {
      const chunk = new Uint8Array(1 + Math.floor(rnd() * 512)).map(() => (rnd() < 0.05 ? 0x0a : Math.floor(rnd() * 256)));
      parser.push(chunk);
      expect(parser.bufferedBytes).toBeLessThanOrEqual(bound);
      if (parser.closed) parser = new RtspParser();
    }
  });
});
