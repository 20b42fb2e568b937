// Builds responses: the standard reason phrase, and for errors a text/plain body in words.
import { RtspError, STATUS_REASONS } from './errors.js';
import { RtspHeaders } from './headers-map.js';
import type { RtspResponse } from './message.js';

const enc = new TextEncoder();

export function response(status: number, headers: Record<string, string | readonly string[]> = {}, body?: string | Uint8Array): RtspResponse {
  const h = new RtspHeaders(headers);
  const bytes = body === undefined ? new Uint8Array(0) : typeof body === 'string' ? enc.encode(body) : body;
  return { version: 'RTSP/1.0', status, reason: STATUS_REASONS[status] ?? 'Error', headers: h, body: bytes };
}

/** An error answer a person at a telnet prompt can read: the reason in the body, one line. */
export function errorResponse(err: RtspError, extra: Record<string, string> = {}): RtspResponse {
  return response(err.status, { ...extra, ...err.headers, 'Content-Type': 'text/plain; charset=utf-8' }, `${err.reason}\r\n`);
}
