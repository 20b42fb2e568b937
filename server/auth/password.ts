// Stored passwords: a candidate checked against the plain, sha256 or scrypt form in constant time, and new hashes for `tidecast hash-password`.
import { createHash, randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { MAX_SCRYPT_BYTES, parsePasswordSpec, type PasswordSpec } from '../config-auth.js';

/** RFC 7914 §2's parameters for interactive logins: about 16 MB and a few tens of ms per check. */
export const DEFAULT_SCRYPT = { N: 16384, r: 8, p: 1 } as const;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

const sha256 = (text: string | Uint8Array): Buffer => createHash('sha256').update(text).digest();

function scryptAsync(password: string, salt: Uint8Array, bytes: number, o: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Node refuses a derivation over maxmem (32 MB by default); the config bounds 128·N·r by MAX_SCRYPT_BYTES.
    scrypt(password, salt, bytes, { N: o.N, r: o.r, p: o.p, maxmem: MAX_SCRYPT_BYTES + 2 ** 20 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * True when `candidate` is the password. Every comparison is of equal-length digests with
 * timingSafeEqual, so how long it takes does not depend on how much of the password was right.
 */
export async function verifyPassword(spec: PasswordSpec, candidate: string): Promise<boolean> {
  switch (spec.kind) {
    case 'plain':
      // Both sides hashed first: equal lengths whatever the lengths of the passwords.
      return timingSafeEqual(sha256(candidate), sha256(spec.password));
    case 'sha256':
      return timingSafeEqual(sha256(candidate), spec.hash);
    case 'scrypt': {
      const derived = await scryptAsync(candidate, spec.salt, spec.hash.length, spec);
      return timingSafeEqual(derived, spec.hash);
    }
  }
}

/** The stored form of `password`: `scrypt:N:r:p:salt:hash` (salted, slow; the default) or `sha256:hash` (MediaMTX's form). */
export async function hashPassword(password: string, kind: 'scrypt' | 'sha256' = 'scrypt', params: { N: number; r: number; p: number } = DEFAULT_SCRYPT): Promise<string> {
  if (kind === 'sha256') return `sha256:${sha256(password).toString('base64')}`;
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(password, salt, HASH_BYTES, params);
  const text = `scrypt:${params.N}:${params.r}:${params.p}:${salt.toString('base64')}:${hash.toString('base64')}`;
  const check = parsePasswordSpec(text);
  if (typeof check === 'string') throw new Error(check);
  return text;
}

/** How long a check of this form takes, roughly: scrypt by its work, sha256 and plain as one hash. */
function cost(s: PasswordSpec): number {
  return s.kind === 'scrypt' ? s.N * s.r * s.p : s.kind === 'sha256' ? 1 : 0;
}

/**
 * A password no one knows, in the costliest form among `specs`: an unknown user is checked against
 * it, so a wrong user name takes as long as a wrong password (with one format for every user, exactly).
 */
export function dummySpec(specs: readonly PasswordSpec[]): PasswordSpec {
  const costliest = specs.reduce<PasswordSpec | undefined>((a, s) => (a === undefined || cost(s) > cost(a) ? s : a), undefined);
  const secret = randomBytes(32);
  if (costliest?.kind === 'scrypt') {
    return { kind: 'scrypt', N: costliest.N, r: costliest.r, p: costliest.p, salt: randomBytes(costliest.salt.length), hash: randomBytes(costliest.hash.length) };
  }
  if (costliest?.kind === 'sha256') return { kind: 'sha256', hash: sha256(secret) };
  return { kind: 'plain', password: secret.toString('base64') };
}
