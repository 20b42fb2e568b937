// RTSP request/response types, their serialization, and `$`-interleaved frame encoding (RFC 2326 §10.12).

import { RtspError } from './errors.js';
import { RtspHeaders } from './headers-map.js';

export interface RtspRequest {
  method: string;
  uri: string;
  /** "RTSP/1.0"; "HTTP/1.x" only for the GET/POST of an RTSP-over-HTTP tunnel. */
  version: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

export interface RtspResponse {
  version: string;
  status: number;
  reason: string;
  headers: RtspHeaders;
  body: Uint8Array;
}

/** Largest payload a `$` frame can carry: its length field is 16 bits (RFC 2326 §10.12). */
export const MAX_INTERLEAVED_PAYLOAD = 0xffff;
/** '$' + channel + 16-bit length. */
export const INTERLEAVED_HEADER_SIZE = 4;

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

export function serializeRequest(req: RtspRequest): Uint8Array {
  checkLine('method', req.method);
  checkLine('URI', req.uri);
  checkLine('version', req.version);
  return serialize(`${req.method} ${req.uri} ${req.version}\r\n`, req.headers, req.body ?? EMPTY);
}

export function serializeResponse(res: RtspResponse): Uint8Array {
  if (!Number.isInteger(res.status) || res.status < 100 || res.status > 999) {
    throw new RtspError(500, `cannot serialize a response with status ${res.status}: it must be a three-digit code`);
  }
  checkLine('version', res.version);
  checkLine('reason', res.reason);
  return serialize(`${res.version} ${res.status} ${res.reason}\r\n`, res.headers, res.body ?? EMPTY);
}

function serialize(startLine: string, headers: RtspHeaders, body: Uint8Array): Uint8Array {
  let head = startLine;
  for (const [name, value] of headers) {
    // Content-Length is derived from the body below so it can never disagree with it (RFC 2326 §12.14).
    if (name.toLowerCase() === 'content-length') continue;
    checkLine('header name', name);
    checkLine(`${name} header`, value);
    head += `${name}: ${value}\r\n`;
  }
  // RFC 2326 §12.14: a message with a body must carry Content-Length; an empty body needs none.
  if (body.length > 0) head += `Content-Length: ${body.length}\r\n`;
  head += '\r\n';
  const headBytes = encoder.encode(head);
  if (body.length === 0) return headBytes;
  const out = new Uint8Array(headBytes.length + body.length);
  out.set(headBytes, 0);
  out.set(body, headBytes.length);
  return out;
}

/** A CR or LF inside a field would let a value (e.g. an echoed header) inject lines into the message. */
function checkLine(what: string, text: string): void {
  if (/[\r\n]/.test(text)) {
    throw new RtspError(500, `cannot serialize the ${what} ${JSON.stringify(text)}: it contains a line break`);
  }
}

/** A complete `$` frame: '$', channel, 16-bit big-endian length, payload (RFC 2326 §10.12). */
export function encodeInterleaved(channel: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(INTERLEAVED_HEADER_SIZE + payload.length);
  writeInterleavedHeader(out, 0, channel, payload.length);
  out.set(payload, INTERLEAVED_HEADER_SIZE);
  return out;
}

/**
 * Writes the 4-byte `$` frame header at `offset` so a sender can place the payload right after it
 * in a buffer it already owns (no copy of the RTP packet). Returns the offset just past the header.
 */
export function writeInterleavedHeader(target: Uint8Array, offset: number, channel: number, length: number): number {
  if (!Number.isInteger(channel) || channel < 0 || channel > 255) {
    throw new RangeError(`interleaved channel must be 0-255, got ${channel}`);
  }
  if (!Number.isInteger(length) || length < 0 || length > MAX_INTERLEAVED_PAYLOAD) {
    throw new RangeError(`interleaved payload must be 0-${MAX_INTERLEAVED_PAYLOAD} bytes, got ${length}`);
  }
  if (offset < 0 || offset + INTERLEAVED_HEADER_SIZE > target.length) {
    throw new RangeError(`no room for a 4-byte interleaved header at offset ${offset} of ${target.length}`);
  }
  target[offset] = 0x24; // '$'
  target[offset + 1] = channel;
  target[offset + 2] = length >>> 8;
  target[offset + 3] = length & 0xff;
  return offset + INTERLEAVED_HEADER_SIZE;
}
