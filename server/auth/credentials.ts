// What a request presents to prove who sent it: nothing, Basic, Digest, or a bearer token (header, ?token= or cookie), read from its headers.
import { RtspError } from '../rtsp/errors.js';
import { parseAuthorization, type DigestAuthorization } from '../rtsp/headers/authorization.js';

export type Presented =
  | { kind: 'none' }
  | { kind: 'basic'; user: string; password: string }
  /** `method` is the request's, which the response hashes (RFC 7616 §3.4.1). */
  | { kind: 'digest'; auth: DigestAuthorization; method: string }
  /**
   * A token from POST /api/v1/login (or, with authHTTPAddress, whatever the service understands).
   * From a cookie it is only a hint: when it is no good the request is anonymous, so a stale
   * cookie never locks a browser out of what anyone may see.
   */
  | { kind: 'token'; token: string; source: 'header' | 'query' | 'cookie' }
  /** An Authorization header that cannot be read: the status and reason to answer with. */
  | { kind: 'malformed'; status: number; reason: string };

export const NONE: Presented = { kind: 'none' };

/** The cookie POST /api/v1/login sets: same-origin requests (WebSocket, hls.js, <video>) carry it by themselves. */
export const TOKEN_COOKIE = 'tidecast_token';

const BEARER = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i;

/** Reads an Authorization header (RFC 7235 §4.2) of an RTSP or HTTP request. */
export function fromAuthorization(value: string | undefined, method: string): Presented {
  if (value === undefined || value.trim() === '') return NONE;
  const bearer = BEARER.exec(value.trim());
  if (bearer) return { kind: 'token', token: bearer[1]!, source: 'header' };
  try {
    const a = parseAuthorization(value);
    if (a.scheme === 'Basic') return { kind: 'basic', user: a.username, password: a.password };
    return { kind: 'digest', auth: a, method };
  } catch (e) {
    if (e instanceof RtspError) return { kind: 'malformed', status: e.status === 401 ? 401 : 400, reason: e.reason };
    throw e;
  }
}

/** The value of one cookie in a Cookie header (RFC 6265 §5.4), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

/**
 * What an HTTP request (or WebSocket / tunnel upgrade) presents: the Authorization header first, then
 * `?token=` (hls.js, <video> and WebSocket cannot add headers), then the login cookie.
 */
export function fromHttp(headers: { authorization?: string | undefined; cookie?: string | undefined }, url: string, method: string): Presented {
  const header = fromAuthorization(headers.authorization, method);
  if (header.kind !== 'none') return header;
  const q = url.indexOf('?');
  if (q >= 0) {
    const token = new URLSearchParams(url.slice(q + 1)).get('token');
    if (token) return { kind: 'token', token, source: 'query' };
  }
  const cookie = cookieValue(headers.cookie, TOKEN_COOKIE);
  if (cookie) return { kind: 'token', token: cookie, source: 'cookie' };
  return NONE;
}
