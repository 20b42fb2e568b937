// Request/response serialization and `$` frame encoding, checked byte for byte and through the parser.

import { describe, expect, it } from 'vitest';
import { RtspError } from '../../server/rtsp/errors.js';
import { RtspHeaders } from '../../server/rtsp/headers-map.js';
import {
  encodeInterleaved,
  serializeRequest,
  serializeResponse,
  writeInterleavedHeader,
  type RtspRequest,
  type RtspResponse,
} from '../../server/rtsp/message.js';
import { RtspParser } from '../../server/rtsp/parser.js';

const text = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe('serializeRequest', () => {
  it('writes the request line, headers in order and a blank line, with CRLF', () => {
    const req: RtspRequest = {
      method: 'OPTIONS',
      uri: 'rtsp://host/live',
      version: 'RTSP/1.0',
      headers: new RtspHeaders([['CSeq', '1'], ['User-Agent', 'test'], ['Transport', 'a'], ['transport', 'b']]),
      body: new Uint8Array(0),
    };
    expect(text(serializeRequest(req))).toBe(
      'OPTIONS rtsp://host/live RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: test\r\nTransport: a\r\nTransport: b\r\n\r\n',
    );
  });

  it('sets Content-Length from the body, replacing a wrong one, and omits it for an empty body', () => {
    const sdp = bytes('v=0\r\n');
    const req: RtspRequest = {
      method: 'ANNOUNCE',
      uri: 'rtsp://host/pub',
      version: 'RTSP/1.0',
      headers: new RtspHeaders({ CSeq: '2', 'Content-Length': '999', 'Content-Type': 'application/sdp' }),
      body: sdp,
    };
    expect(text(serializeRequest(req))).toBe(
      'ANNOUNCE rtsp://host/pub RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n',
    );
    expect(text(serializeRequest({ ...req, body: new Uint8Array(0) }))).not.toContain('Content-Length');
  });

  it('refuses line breaks that would inject headers', () => {
    const req: RtspRequest = {
      method: 'OPTIONS',
      uri: '*',
      version: 'RTSP/1.0',
      headers: new RtspHeaders({ CSeq: '1\r\nSession: stolen' }),
      body: new Uint8Array(0),
    };
    expect(() => serializeRequest(req)).toThrow(RtspError);
    expect(() => serializeRequest({ ...req, headers: new RtspHeaders(), uri: 'a\nb' })).toThrow(/line break/);
  });
});

describe('serializeResponse', () => {
  it('writes the status line and body', () => {
    const res: RtspResponse = {
      version: 'RTSP/1.0',
      status: 404,
      reason: 'Not Found',
      headers: new RtspHeaders({ CSeq: '3', 'Content-Type': 'text/plain' }),
      body: bytes('no such path\n'),
    };
    expect(text(serializeResponse(res))).toBe(
      'RTSP/1.0 404 Not Found\r\nCSeq: 3\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nno such path\n',
    );
  });

  it('rejects a status that is not three digits', () => {
    const res: RtspResponse = { version: 'RTSP/1.0', status: 20, reason: 'x', headers: new RtspHeaders(), body: new Uint8Array(0) };
    expect(() => serializeResponse(res)).toThrow(RtspError);
  });

  it('round-trips through the parser', () => {
    const res: RtspResponse = {
      version: 'RTSP/1.0',
      status: 200,
      reason: 'OK',
      headers: new RtspHeaders({ CSeq: '4', Session: 'abc;timeout=55', 'Content-Type': 'application/sdp' }),
      body: bytes('v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n'),
    };
    const items = new RtspParser().push(serializeResponse(res));
    expect(items).toHaveLength(1);
    const item = items[0];
    if (item.type !== 'response') throw new Error(`expected a response, got ${item.type}`);
    expect(item.message.status).toBe(200);
    expect(item.message.reason).toBe('OK');
    expect([...item.message.headers]).toEqual([...res.headers, ['Content-Length', String(res.body.length)]]);
    expect(text(item.message.body)).toBe(text(res.body));
  });
});

describe('interleaved frames', () => {
  it('encodes $, channel, 16-bit big-endian length, payload', () => {
    const payload = new Uint8Array(0x1234).fill(7);
    const frame = encodeInterleaved(3, payload);
    expect([...frame.subarray(0, 4)]).toEqual([0x24, 3, 0x12, 0x34]);
    expect(frame.length).toBe(4 + 0x1234);
    expect(frame[4]).toBe(7);
    expect([...encodeInterleaved(0, new Uint8Array(0))]).toEqual([0x24, 0, 0, 0]);
  });

  it('writes a header in place for zero-copy senders and returns the payload offset', () => {
    const buf = new Uint8Array(10);
    expect(writeInterleavedHeader(buf, 2, 1, 4)).toBe(6);
    expect([...buf]).toEqual([0, 0, 0x24, 1, 0, 4, 0, 0, 0, 0]);
  });

  it('rejects channels, lengths and offsets out of range', () => {
    const buf = new Uint8Array(8);
    expect(() => writeInterleavedHeader(buf, 0, 256, 1)).toThrow(RangeError);
    expect(() => writeInterleavedHeader(buf, 0, -1, 1)).toThrow(RangeError);
    expect(() => writeInterleavedHeader(buf, 0, 0, 65536)).toThrow(RangeError);
    expect(() => writeInterleavedHeader(buf, 5, 0, 1)).toThrow(RangeError);
    expect(() => encodeInterleaved(0, new Uint8Array(65536))).toThrow(RangeError);
  });
});
