// Authorization header (RFC 7235 §4.2) for Basic (RFC 7617) and MD5 Digest (RFC 7616, RFC 2617), and the digest itself.

import { RtspError } from '../errors.js';
import { md5Hex } from './md5.js';
import { parseAuthItems, quoted, tokenOrQuoted, type AuthChallenge } from './www-authenticate.js';

export interface BasicAuthorization {
  scheme: 'Basic';
  username: string;
  password: string;
}

export interface DigestAuthorization {
  scheme: 'Digest';
  username: string;
  realm: string;
  nonce: string;
  /** The request URI exactly as on the request line; the hash covers it (RFC 7616 §3.4). */
  uri: string;
  /** Hex digest, see digestResponse(). */
  response: string;
  algorithm?: string;
  opaque?: string;
  /** "auth" when the challenge offered qop; then nc and cnonce are required too. */
  qop?: string;
  /** Nonce count: 8 hex digits, as written. */
  nc?: string;
  cnonce?: string;
}

export type AuthorizationHeader = BasicAuthorization | DigestAuthorization;

export interface Credentials {
  username: string;
  password: string;
}

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });
const HEX8 = /^[0-9A-Fa-f]{8}$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function parseAuthorization(value: string): AuthorizationHeader {
  const items = parseAuthItems(value, 'Authorization');
  if (items.length !== 1) throw new RtspError(400, `Authorization: expected one set of credentials, got ${items.length}`);
  const item = items[0]!;
  const scheme = item.scheme.toLowerCase();
  if (scheme === 'basic') return parseBasic(item.token68);
  if (scheme === 'digest') {
    if (item.token68 !== undefined) throw new RtspError(400, 'Authorization: Digest takes name=value parameters, e.g. Digest username="u", ...');
    return parseDigest(item.params);
  }
  // 401 rather than 400: the request is readable, it just does not authenticate in a way we accept.
  throw new RtspError(401, `Authorization: the ${quote(item.scheme)} scheme is not supported; use Basic or Digest`);
}

function parseBasic(token68: string | undefined): BasicAuthorization {
  if (token68 === undefined) throw new RtspError(400, 'Authorization: Basic needs base64("user:password"), e.g. Basic dXNlcjpwYXNz');
  let text: string;
  try {
    text = strictDecoder.decode(base64Decode(token68));
  } catch {
    throw new RtspError(400, `Authorization: the Basic credentials ${quote(token68)} are not base64 of UTF-8 text`);
  }
  const colon = text.indexOf(':');
  if (colon === -1) throw new RtspError(400, 'Authorization: the Basic credentials have no ":" between user and password');
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  // RFC 7617 §2: user-id and password exclude control characters.
  if (/[\u0000-\u001f\u007f]/.test(text)) throw new RtspError(400, 'Authorization: the Basic credentials contain control characters');
  return { scheme: 'Basic', username, password };
}

function parseDigest(params: [string, string][]): DigestAuthorization {
  const map = new Map<string, string>();
  for (const [name, v] of params) {
    const key = name.toLowerCase();
    if (!map.has(key)) map.set(key, v); // a repeated parameter is ambiguous: the first wins
  }
  const need = (name: string): string => {
    const v = map.get(name);
    if (v === undefined) throw new RtspError(400, `Authorization: Digest credentials without ${name}`);
    return v;
  };
  const out: DigestAuthorization = {
    scheme: 'Digest',
    username: need('username'),
    realm: need('realm'),
    nonce: need('nonce'),
    uri: need('uri'),
    response: need('response'),
  };
  const algorithm = map.get('algorithm');
  if (algorithm !== undefined) out.algorithm = algorithm;
  const opaque = map.get('opaque');
  if (opaque !== undefined) out.opaque = opaque;
  const qop = map.get('qop');
  if (qop !== undefined) {
    if (!TOKEN.test(qop)) throw new RtspError(400, `Authorization: qop must be one token such as auth, got ${quote(qop)}`);
    out.qop = qop;
    // RFC 7616 §3.4: with qop, the nonce count and client nonce are part of the hash.
    const nc = need('nc');
    if (!HEX8.test(nc)) throw new RtspError(400, `Authorization: nc must be 8 hexadecimal digits, got ${quote(nc)}`);
    out.nc = nc;
    out.cnonce = need('cnonce');
  } else {
    const nc = map.get('nc');
    const cnonce = map.get('cnonce');
    if (nc !== undefined || cnonce !== undefined) throw new RtspError(400, 'Authorization: nc and cnonce are only valid with qop');
  }
  return out;
}

export function formatAuthorization(h: AuthorizationHeader): string {
  if (h.scheme === 'Basic') {
    if (h.username.includes(':')) {
      throw new RtspError(500, `cannot send Basic credentials for ${quote(h.username)}: a user name must not contain ":" (RFC 7617 §2)`);
    }
    return `Basic ${base64Encode(encoder.encode(`${h.username}:${h.password}`))}`;
  }
  const parts = [
    `username=${quoted(h.username)}`,
    `realm=${quoted(h.realm)}`,
    `nonce=${quoted(h.nonce)}`,
    `uri=${quoted(h.uri)}`,
    `response=${quoted(h.response)}`,
  ];
  // RFC 7616 §3.4: algorithm, qop and nc are unquoted tokens; some servers compare them literally.
  if (h.algorithm !== undefined) parts.push(`algorithm=${tokenOrQuoted(h.algorithm)}`);
  if (h.opaque !== undefined) parts.push(`opaque=${quoted(h.opaque)}`);
  if (h.qop !== undefined) parts.push(`qop=${h.qop}`);
  if (h.nc !== undefined) parts.push(`nc=${h.nc}`);
  if (h.cnonce !== undefined) parts.push(`cnonce=${quoted(h.cnonce)}`);
  return `Digest ${parts.join(', ')}`;
}

export interface DigestInput extends Credentials {
  realm: string;
  nonce: string;
  method: string;
  uri: string;
  /** "MD5" (default) or "MD5-sess". */
  algorithm?: string;
  qop?: 'auth';
  nc?: string;
  cnonce?: string;
}

/**
 * The `response` value (RFC 7616 §3.4.1; RFC 2617 §3.2.2.1 without qop). A server checks a client by
 * computing this with the stored password and comparing.
 */
export function digestResponse(d: DigestInput): string {
  const algorithm = (d.algorithm ?? 'MD5').toUpperCase();
  let ha1 = md5Hex(`${d.username}:${d.realm}:${d.password}`);
  if (algorithm === 'MD5-SESS') {
    if (d.cnonce === undefined) throw new Error('Digest MD5-sess needs a cnonce');
    ha1 = md5Hex(`${ha1}:${d.nonce}:${d.cnonce}`);
  } else if (algorithm !== 'MD5') {
    throw new Error(`Digest algorithm ${d.algorithm} is not supported (only MD5 and MD5-sess)`);
  }
  const ha2 = md5Hex(`${d.method}:${d.uri}`);
  if (d.qop === undefined) return md5Hex(`${ha1}:${d.nonce}:${ha2}`);
  if (d.nc === undefined || d.cnonce === undefined) throw new Error('Digest qop=auth needs nc and cnonce');
  return md5Hex(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
}

/** True when this client can answer the challenge: Basic, or Digest with MD5/MD5-sess and qop absent or offering auth. */
export function canAnswer(c: AuthChallenge): boolean {
  if (c.scheme === 'Basic') return true;
  if (c.scheme !== 'Digest') return false;
  const algorithm = (c.algorithm ?? 'MD5').toUpperCase();
  if (algorithm !== 'MD5' && algorithm !== 'MD5-SESS') return false;
  return c.qop === undefined || c.qop.some((q) => q.toLowerCase() === 'auth');
}

/** The strongest challenge we can answer: MD5 Digest before Basic, so the password never crosses in the clear when avoidable. */
export function pickChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'Digest' && canAnswer(c)) ?? challenges.find((c) => c.scheme === 'Basic');
}

export interface AnswerOptions {
  /** Nonce count for qop=auth (1 for the first request with a nonce). */
  nc?: number;
  /** Client nonce; random when not given. */
  cnonce?: string;
}

/** Credentials for one request (method + request URI) in answer to a challenge. */
export function answerChallenge(
  c: AuthChallenge,
  creds: Credentials,
  method: string,
  uri: string,
  opts: AnswerOptions = {},
): AuthorizationHeader {
  if (c.scheme === 'Basic') return { scheme: 'Basic', username: creds.username, password: creds.password };
  if (!canAnswer(c)) {
    const what = c.scheme === 'Digest' ? `Digest with algorithm ${c.algorithm ?? 'MD5'} and qop ${c.qop?.join(',') ?? '(none)'}` : c.scheme;
    throw new Error(`cannot answer the ${what} challenge: only Basic and MD5 Digest (qop=auth or none) are supported`);
  }
  const realm = c.realm!;
  const nonce = c.nonce!;
  const useQop = c.qop !== undefined;
  const algorithm = c.algorithm;
  const needsCnonce = useQop || (algorithm ?? '').toUpperCase() === 'MD5-SESS';
  const cnonce = needsCnonce ? (opts.cnonce ?? randomHex(8)) : undefined;
  const nc = useQop ? (opts.nc ?? 1).toString(16).padStart(8, '0') : undefined;
  const response = digestResponse({
    ...creds,
    realm,
    nonce,
    method,
    uri,
    ...(algorithm !== undefined ? { algorithm } : {}),
    ...(useQop ? { qop: 'auth' as const, nc, cnonce } : { cnonce }),
  });
  const out: DigestAuthorization = { scheme: 'Digest', username: creds.username, realm, nonce, uri, response };
  if (algorithm !== undefined) out.algorithm = algorithm;
  if (c.opaque !== undefined) out.opaque = c.opaque;
  if (useQop) {
    out.qop = 'auth';
    out.nc = nc!;
    out.cnonce = cnonce!;
  } else if (cnonce !== undefined) {
    // MD5-sess without qop (RFC 2617 allows it) still sends the cnonce the hash used.
    out.cnonce = cnonce;
  }
  return out;
}

function randomHex(bytes: number): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (RFC 4648 §4); btoa only takes Latin-1, so bytes are encoded by hand. */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    out += B64[a >> 2];
    out += B64[((a & 3) << 4) | ((b ?? 0) >> 4)];
    out += b === undefined ? '=' : B64[((b & 15) << 2) | ((c ?? 0) >> 6)];
    out += c === undefined ? '=' : B64[c & 63];
  }
  return out;
}

/** Strict decode: alphabet, length and padding checked; missing padding tolerated (some clients drop it). */
export function base64Decode(text: string): Uint8Array {
  const body = text.replace(/=+$/, '');
  if (text.length - body.length > 2 || /[^A-Za-z0-9+/]/.test(body) || body.length % 4 === 1) {
    throw new Error(`not base64: ${text}`);
  }
  if (text.length !== body.length && text.length % 4 !== 0) throw new Error(`bad base64 padding: ${text}`);
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of body) {
    acc = ((acc << 6) | B64.indexOf(ch)) & 0x3fff; // at most 13 pending bits matter
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
