// Login tokens: the credentials sealed with AES-256-GCM under a key that lives only in this process, with an expiry.
//
// A token stands for the user name and password it was issued for, so a request that carries one is
// checked exactly as Basic with those credentials would be (the user's ips and permissions as they
// are now, or the external service's answer). Nobody without the key can read or forge one; a
// restart makes every token invalid (the pages then ask for a login again).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const PREFIX = 'tc1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Longer than any token we issue: a bigger one is refused before any decoding. */
const MAX_TOKEN_CHARS = 2048;

export interface Sealed {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

export type Opened = { ok: true; user: string; password: string } | { ok: false; why: 'expired' | 'invalid' };

export class TokenSealer {
  constructor(
    /** For tokens sealed from now on (a reload may change it). */
    public lifetimeMs: number,
    private readonly key: Uint8Array = randomBytes(32),
    private readonly now: () => number = Date.now,
  ) {}

  seal(user: string, password: string): Sealed {
    const expiresAt = this.now() + this.lifetimeMs;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify({ u: user, p: password, e: expiresAt }), 'utf8'), cipher.final()]);
    return { token: PREFIX + Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url'), expiresAt };
  }

  /** Looks like one of ours (so a foreign token can go to the external service instead). */
  static isOurs(token: string): boolean {
    return token.startsWith(PREFIX);
  }

  open(token: string): Opened {
    if (!TokenSealer.isOurs(token) || token.length > MAX_TOKEN_CHARS || !/^[A-Za-z0-9_-]+$/.test(token.slice(PREFIX.length))) return { ok: false, why: 'invalid' };
    const raw = Buffer.from(token.slice(PREFIX.length), 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return { ok: false, why: 'invalid' };
    let text: string;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, IV_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return { ok: false, why: 'invalid' };
    }
    const v = JSON.parse(text) as { u: string; p: string; e: number };
    if (v.e <= this.now()) return { ok: false, why: 'expired' };
    return { ok: true, user: v.u, password: v.p };
  }
}
