// Requests an upstream server sends its client (RFC 2326 §10.3 ANNOUNCE, §10.10 REDIRECT), read into what the relay acts on.
import type { RtspHeaders } from '../../rtsp/headers-map.js';
import type { RtspRequest } from '../../rtsp/message.js';

export type ServerRequest =
  /** The stream was replaced: its new SDP (the old session ended upstream). */
  | { kind: 'announce'; sdp: string; headers: RtspHeaders }
  /** Go on at `location`; `range` says from when (`clock=...-`), raw. */
  | { kind: 'redirect'; location: string; range?: string };

const decoder = new TextDecoder();

/** The request read, or the status refusing it: 400 when it lacks what it needs, 501 for a method we do not take. */
export function readServerRequest(req: RtspRequest): ServerRequest | { refuse: number } {
  if (req.method === 'ANNOUNCE') {
    const type = req.headers.get('Content-Type') ?? '';
    const sdp = decoder.decode(req.body);
    if (!/^application\/sdp\b/i.test(type.trim()) || !/^m=/m.test(sdp)) return { refuse: 400 };
    return { kind: 'announce', sdp, headers: req.headers };
  }
  if (req.method === 'REDIRECT') {
    const location = req.headers.get('Location')?.trim();
    if (!location) return { refuse: 400 };
    const range = req.headers.get('Range');
    return { kind: 'redirect', location, ...(range !== undefined ? { range } : {}) };
  }
  return { refuse: 501 };
}
