// WWW-Authenticate header (RFC 7235 §4.1, RFC 7617 Basic, RFC 7616/2617 Digest): the challenges a 401 carries.

import { RtspError } from '../errors.js';

/** One challenge. Known parameters get fields; the rest are kept in `params` so nothing is lost. */
export interface AuthChallenge {
  /** 'Basic' and 'Digest' spelt so whatever the case on the wire (schemes are case-insensitive, RFC 7235 §2.1); others as written. */
  scheme: string;
  realm?: string;
  /** Digest only, required there. */
  nonce?: string;
  opaque?: string;
  domain?: string;
  /** Digest hash algorithm as written ("MD5", "MD5-sess", "SHA-256"); absent means MD5 (RFC 7616 §3.3). */
  algorithm?: string;
  /** Quality-of-protection options offered, e.g. ["auth", "auth-int"]; absent means the RFC 2069 form. */
  qop?: string[];
  /** The previous nonce expired but the credentials were right: retry with the new nonce (RFC 7616 §3.3). */
  stale?: boolean;
  charset?: string;
  userhash?: boolean;
  /** The token68 form (`Negotiate YII...`), used by schemes other than Basic and Digest. */
  token68?: string;
  /** Parameters not listed above, name as written, value unquoted, in order. */
  params: [string, string][];
}

export type WwwAuthenticateHeader = AuthChallenge[];

/** A scheme and its raw parameters, as the RFC 7235 grammar gives them; shared with Authorization. */
export interface RawAuthItem {
  scheme: string;
  token68?: string;
  params: [string, string][];
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const TOKEN_AT = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y;
const TOKEN68_AT = /[A-Za-z0-9\-._~+/]+=*/y;
const WS_AT = /[ \t]*/y;

/**
 * Parses the RFC 7235 §4.1 list: `scheme [token68 | #auth-param]`, challenges and their parameters
 * both separated by commas. A name followed by `=` continues the current challenge; anything else
 * after a comma starts a new one (`Digest realm="a", nonce="b", Basic realm="a"`).
 */
export function parseAuthItems(value: string, header: string): RawAuthItem[] {
  const items: RawAuthItem[] = [];
  let i = 0;
  const n = value.length;
  const fail = (what: string): never => {
    throw new RtspError(400, `${header}: ${what} in ${quote(value.trim())}`);
  };
  const skipWs = () => {
    WS_AT.lastIndex = i;
    WS_AT.exec(value);
    i = WS_AT.lastIndex;
  };
  /** Skips whitespace and commas; true when at least one comma was among them. */
  const separators = (): boolean => {
    let comma = false;
    for (;;) {
      skipWs();
      if (value[i] !== ',') return comma;
      i++;
      comma = true;
    }
  };
  const token = (): string | undefined => {
    TOKEN_AT.lastIndex = i;
    const m = TOKEN_AT.exec(value);
    if (m === null) return undefined;
    i = TOKEN_AT.lastIndex;
    return m[0];
  };
  /** name BWS "=" BWS (token / quoted-string) at i, or undefined (i unchanged) when i is not at a parameter. */
  const param = (): [string, string] | undefined => {
    const start = i;
    const name = token();
    if (name === undefined) return undefined;
    skipWs();
    if (value[i] !== '=') {
      i = start;
      return undefined;
    }
    i++;
    skipWs();
    if (value[i] === '"') {
      i++;
      let text = '';
      for (;;) {
        if (i >= n) fail(`the quoted value of ${name} is not closed`);
        const c = value[i]!;
        if (c === '"') break;
        if (c === '\\') {
          i++;
          if (i >= n) fail(`the quoted value of ${name} ends in a backslash`);
        }
        const d = value[i]!;
        // RFC 7230 §3.2.6: qdtext and quoted-pair exclude control characters other than HTAB.
        if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(d)) fail(`the value of ${name} contains a control character`);
        text += d;
        i++;
      }
      i++;
      return [name, text];
    }
    const v = token();
    if (v === undefined) {
      // `name=` followed by nothing usable: maybe a token68 ending in '=' instead; let the caller decide.
      i = start;
      return undefined;
    }
    return [name, v];
  };

  separators();
  while (i < n) {
    const scheme = token();
    if (scheme === undefined) fail(`expected an authentication scheme such as Digest or Basic at ${quote(value.slice(i, i + 20))}`);
    const item: RawAuthItem = { scheme: scheme!, params: [] };
    items.push(item);
    const afterScheme = i;
    skipWs();
    if (i === afterScheme || i >= n || value[i] === ',') {
      // A bare scheme: the next thing, if any, is after a comma.
    } else {
      const p = param();
      if (p !== undefined) {
        item.params.push(p);
        // More parameters of this challenge follow after commas, until something that is not a parameter.
        for (;;) {
          const save = i;
          const comma = separators();
          if (i >= n) break;
          if (!comma) fail(`expected a comma after the value of ${item.params[item.params.length - 1]![0]}`);
          const next = param();
          if (next === undefined) {
            i = save;
            break;
          }
          item.params.push(next);
        }
      } else {
        TOKEN68_AT.lastIndex = i;
        const m = TOKEN68_AT.exec(value);
        if (m === null) fail(`expected name=value parameters after ${scheme}`);
        item.token68 = m![0];
        i = TOKEN68_AT.lastIndex;
      }
    }
    if (!separators() && i < n) fail(`expected a comma before ${quote(value.slice(i, i + 20))}`);
  }
  if (items.length === 0) fail('no authentication scheme given, e.g. Digest realm="tidecast", nonce="abc"');
  return items;
}

const KNOWN = new Set(['realm', 'nonce', 'opaque', 'domain', 'algorithm', 'qop', 'stale', 'charset', 'userhash']);

export function parseWwwAuthenticate(value: string): WwwAuthenticateHeader {
  return parseAuthItems(value, 'WWW-Authenticate').map(toChallenge);
}

function toChallenge(item: RawAuthItem): AuthChallenge {
  const scheme = canonicalScheme(item.scheme);
  const out: AuthChallenge = { scheme, params: [] };
  if (item.token68 !== undefined) {
    if (scheme === 'Basic' || scheme === 'Digest') {
      throw new RtspError(400, `WWW-Authenticate: ${scheme} takes name=value parameters, got ${quote(item.token68)}`);
    }
    out.token68 = item.token68;
  }
  for (const [rawName, v] of item.params) {
    const name = rawName.toLowerCase();
    if (!KNOWN.has(name)) {
      out.params.push([rawName, v]);
      continue;
    }
    // A repeated parameter is ambiguous; the first one wins.
    if (name === 'qop') {
      if (out.qop !== undefined) continue;
      const list = v.split(',').map((q) => q.trim()).filter((q) => q !== '');
      for (const q of list) {
        if (!TOKEN.test(q)) throw new RtspError(400, `WWW-Authenticate: qop ${quote(q)} is not a token such as auth`);
      }
      if (list.length > 0) out.qop = list;
    } else if (name === 'stale' || name === 'userhash') {
      if (out[name] === undefined) out[name] = v.toLowerCase() === 'true';
    } else {
      const key = name as 'realm' | 'nonce' | 'opaque' | 'domain' | 'algorithm' | 'charset';
      if (out[key] === undefined) out[key] = v;
    }
  }
  if (scheme === 'Digest') {
    if (out.realm === undefined) throw new RtspError(400, 'WWW-Authenticate: the Digest challenge has no realm');
    if (out.nonce === undefined) throw new RtspError(400, 'WWW-Authenticate: the Digest challenge has no nonce');
  }
  return out;
}

/** Formats the challenges as one header value; servers may equally send one header line per challenge. */
export function formatWwwAuthenticate(h: WwwAuthenticateHeader): string {
  return h.map(formatChallenge).join(', ');
}

export function formatChallenge(c: AuthChallenge): string {
  if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`;
  const parts: string[] = [];
  if (c.realm !== undefined) parts.push(`realm=${quoted(c.realm)}`);
  if (c.domain !== undefined) parts.push(`domain=${quoted(c.domain)}`);
  if (c.nonce !== undefined) parts.push(`nonce=${quoted(c.nonce)}`);
  if (c.opaque !== undefined) parts.push(`opaque=${quoted(c.opaque)}`);
  // RFC 7616 §3.3: stale and algorithm are tokens, written unquoted (some clients compare them literally).
  if (c.stale !== undefined) parts.push(`stale=${c.stale ? 'TRUE' : 'FALSE'}`);
  if (c.algorithm !== undefined) parts.push(`algorithm=${tokenOrQuoted(c.algorithm)}`);
  if (c.qop !== undefined) parts.push(`qop=${quoted(c.qop.join(','))}`);
  if (c.charset !== undefined) parts.push(`charset=${tokenOrQuoted(c.charset)}`);
  if (c.userhash !== undefined) parts.push(`userhash=${c.userhash ? 'true' : 'false'}`);
  for (const [name, v] of c.params) parts.push(`${name}=${quoted(v)}`);
  return parts.length === 0 ? c.scheme : `${c.scheme} ${parts.join(', ')}`;
}

export function canonicalScheme(scheme: string): string {
  const lower = scheme.toLowerCase();
  if (lower === 'basic') return 'Basic';
  if (lower === 'digest') return 'Digest';
  return scheme;
}

/** RFC 7230 §3.2.6 quoted-string: only `"` and `\` need escaping. */
export function quoted(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

export function tokenOrQuoted(text: string): string {
  return TOKEN.test(text) ? text : quoted(text);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
