// Digest (RFC 7616, RFC 2617 MD5): stateless nonces that expire (an HMAC of the time and the client's address), the challenge, and the check.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { digestResponse, type DigestAuthorization } from '../rtsp/headers/authorization.js';
import type { AuthChallenge } from '../rtsp/headers/www-authenticate.js';

export const REALM = 'Tidecast';
/**
 * How long a nonce is good for. A client answers a 401 within a second; an RTSP connection keeps the
 * nonces it has used (NonceMemory), so a long session's keepalives are not refused when it expires.
 */
export const NONCE_LIFETIME_MS = 60_000;
/** Clocks may step back a little (NTP): a nonce from up to this far in the future is still ours. */
const FUTURE_SLACK_MS = 5_000;
const MAC_BYTES = 16;

export type NonceState = 'fresh' | 'stale' | 'invalid';

/** Issues and checks nonces without keeping any: `<seconds, hex><HMAC-SHA256(secret, seconds:ip), 16 bytes hex>`. */
export class NonceMint {
  constructor(
    private readonly secret: Uint8Array = randomBytes(32),
    private readonly now: () => number = Date.now,
    readonly lifetimeMs = NONCE_LIFETIME_MS,
  ) {}

  issue(ip: string): string {
    const seconds = Math.floor(this.now() / 1000).toString(16);
    return `${seconds.padStart(10, '0')}${this.mac(seconds.padStart(10, '0'), ip).toString('hex')}`;
  }

  /** fresh: ours and young; stale: ours but expired (the client retries with a new one, RFC 7616 §3.3); invalid: not ours, or another address's. */
  check(nonce: string, ip: string): NonceState {
    if (!/^[0-9a-f]{10}[0-9a-f]{32}$/.test(nonce)) return 'invalid';
    const stamp = nonce.slice(0, 10);
    const given = Buffer.from(nonce.slice(10), 'hex');
    if (!timingSafeEqual(given, this.mac(stamp, ip))) return 'invalid';
    const age = this.now() - parseInt(stamp, 16) * 1000;
    if (age < -FUTURE_SLACK_MS) return 'invalid';
    return age > this.lifetimeMs ? 'stale' : 'fresh';
  }

  private mac(stamp: string, ip: string): Buffer {
    return createHmac('sha256', this.secret).update(`${stamp}:${ip}`).digest().subarray(0, MAC_BYTES);
  }
}

/** Nonces a connection has had accepted: still good on it after they expire (RTSP clients keep one for the whole session). */
export class NonceMemory {
  private readonly nonces: string[] = [];
  has(nonce: string): boolean {
    return this.nonces.includes(nonce);
  }
  add(nonce: string): void {
    if (this.has(nonce)) return;
    this.nonces.push(nonce);
    if (this.nonces.length > 4) this.nonces.shift();
  }
}

/**
 * The Digest challenge: realm first and nonce second (live555's client reads them with a fixed
 * pattern), MD5 (ffmpeg cannot do SHA-256, INTEROP.md), qop="auth" (clients that ignore qop, as
 * GStreamer and live555 do, are accepted in the RFC 2069 form).
 */
export function digestChallenge(nonce: string, stale: boolean): AuthChallenge {
  return { scheme: 'Digest', realm: REALM, nonce, algorithm: 'MD5', qop: ['auth'], ...(stale ? { stale: true } : {}), params: [] };
}

export function basicChallenge(): AuthChallenge {
  return { scheme: 'Basic', realm: REALM, params: [] };
}

/** True when the response is the one the password gives for this method and uri (constant-time compare). */
export function digestMatches(d: DigestAuthorization, password: string, method: string): boolean {
  let expected: string;
  try {
    expected = digestResponse({
      username: d.username,
      password,
      realm: d.realm,
      nonce: d.nonce,
      method,
      uri: d.uri,
      ...(d.algorithm !== undefined ? { algorithm: d.algorithm } : {}),
      ...(d.qop !== undefined ? { qop: 'auth' as const, nc: d.nc, cnonce: d.cnonce } : d.cnonce !== undefined ? { cnonce: d.cnonce } : {}),
    });
  } catch {
    return false; // an algorithm other than MD5 / MD5-sess
  }
  // The length is no secret (32 hex digits for MD5); the digits are compared in constant time.
  const a = Buffer.from(expected, 'latin1');
  const b = Buffer.from(d.response.toLowerCase(), 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a Digest answer cannot be ours before any hashing (wrong realm, qop other than auth), or undefined. */
export function digestShapeProblem(d: DigestAuthorization): string | undefined {
  if (d.realm !== REALM) return `Digest realm ${JSON.stringify(d.realm)} is not ${JSON.stringify(REALM)}`;
  if (d.qop !== undefined && d.qop.toLowerCase() !== 'auth') return `Digest qop=${d.qop}: only auth is offered`;
  return undefined;
}
