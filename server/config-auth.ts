// The authentication part of the config schema: authUsers (passwords, ips, permissions), authMethods, authHTTPAddress, token lifetime.
import { z } from 'zod';
import { cidrProblem } from './util/cidr.js';

export const AUTH_ACTIONS = ['read', 'publish', 'playback', 'api', 'metrics'] as const;
export type AuthAction = (typeof AUTH_ACTIONS)[number];
export const AUTH_METHODS = ['basic', 'digest'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];
/** The user name that stands for anyone, with or without credentials (as in MediaMTX). */
export const ANONYMOUS_USER = 'any';

/** A stored password: as written (plain text), or hashed (sha256, scrypt). */
export type PasswordSpec =
  | { kind: 'plain'; password: string }
  | { kind: 'sha256'; hash: Uint8Array }
  | { kind: 'scrypt'; N: number; r: number; p: number; salt: Uint8Array; hash: Uint8Array };

const B64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Memory one scrypt check may take. */
export const MAX_SCRYPT_BYTES = 256 * 2 ** 20;

function b64(text: string, what: string, minBytes: number, maxBytes: number): Uint8Array | string {
  if (!B64.test(text) || text.length % 4 !== 0) return `the ${what} must be standard base64 (A-Z a-z 0-9 + /, "=" padding), got ${JSON.stringify(text)}`;
  const bytes = new Uint8Array(Buffer.from(text, 'base64'));
  if (bytes.length < minBytes || bytes.length > maxBytes) {
    return minBytes === maxBytes ? `the ${what} must be ${minBytes} bytes, got ${bytes.length}` : `the ${what} must be ${minBytes}-${maxBytes} bytes, got ${bytes.length}`;
  }
  return bytes;
}

/**
 * Reads `pass`: `sha256:<base64 of SHA-256(password)>`, `scrypt:<N>:<r>:<p>:<salt base64>:<hash base64>`
 * (RFC 7914 parameters; `tidecast hash-password` writes both), anything else is the password itself.
 * Returns the reason in words when a hashed form is malformed.
 */
export function parsePasswordSpec(text: string): PasswordSpec | string {
  if (text.startsWith('sha256:')) {
    const hash = b64(text.slice(7), 'sha256 hash', 32, 32);
    return typeof hash === 'string' ? `${hash} (sha256:<base64 of the 32-byte SHA-256 of the password>; tidecast hash-password --sha256 writes it)` : { kind: 'sha256', hash };
  }
  if (text.startsWith('scrypt:')) {
    const parts = text.slice(7).split(':');
    const form = 'scrypt:<N>:<r>:<p>:<salt base64>:<hash base64>, e.g. as tidecast hash-password writes it';
    if (parts.length !== 5) return `a scrypt password is ${form}`;
    const [N, r, p] = parts.slice(0, 3).map((x) => (/^\d{1,7}$/.test(x!) ? Number(x) : NaN)) as [number, number, number];
    if (!(N >= 2 && N <= 1 << 20 && (N & (N - 1)) === 0)) return `scrypt N must be a power of two from 2 to 1048576, got ${parts[0]}`;
    if (!(r >= 1 && r <= 32)) return `scrypt r must be 1-32, got ${parts[1]}`;
    if (!(p >= 1 && p <= 16)) return `scrypt p must be 1-16, got ${parts[2]}`;
    // Each check takes about 128·N·r bytes (RFC 7914 §6): a typo must not make every login take gigabytes.
    if (128 * N * r > MAX_SCRYPT_BYTES) return `scrypt N=${N} with r=${r} needs ${Math.round((128 * N * r) / 2 ** 20)} MB per login; at most ${MAX_SCRYPT_BYTES / 2 ** 20} MB (N·r ≤ ${MAX_SCRYPT_BYTES / 128})`;
    const salt = b64(parts[3]!, 'scrypt salt', 8, 64);
    if (typeof salt === 'string') return salt;
    const hash = b64(parts[4]!, 'scrypt hash', 16, 64);
    if (typeof hash === 'string') return hash;
    return { kind: 'scrypt', N, r, p, salt, hash };
  }
  return { kind: 'plain', password: text };
}

/** Why `path` cannot be a permission's path pattern, or undefined. */
export function pathPatternProblem(path: string): string | undefined {
  if (path.startsWith('~')) {
    try {
      new RegExp(path.slice(1));
    } catch (e) {
      return `${JSON.stringify(path)} is not a regular expression: ${(e as Error).message}`;
    }
    return undefined;
  }
  if (path.startsWith('/')) return `write the path without a leading "/", e.g. "cams/*", got ${JSON.stringify(path)}`;
  if (/\*{3,}/.test(path)) return `${JSON.stringify(path)}: "*" matches within one path segment and "**" across segments; "***" means neither`;
  return undefined;
}

const PermissionSchema = z
  .object({
    /** What the permission allows: read (watch), publish, playback (download files), api, metrics. */
    action: z.enum(AUTH_ACTIONS, { message: `must be one of ${AUTH_ACTIONS.join(', ')}` }),
    /** A glob (`*` within a segment, `**` across segments) or `~` and a regular expression; absent: every path. */
    path: z
      .string()
      .superRefine((p, ctx) => {
        const problem = pathPatternProblem(p);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
  })
  .strict();

const UserSchema = z
  .object({
    /** The user name clients log in with; `any` is anyone, logged in or not. */
    user: z
      .string()
      .min(1, 'a user name cannot be empty')
      // RFC 7617 §2: the user-id of Basic credentials cannot contain ":".
      .refine((u) => !u.includes(':') && !/[\u0000-\u001f\u007f]/.test(u), 'a user name cannot contain ":" or control characters'),
    /** The password as written, `sha256:<base64>` or `scrypt:N:r:p:<salt>:<hash>` (tidecast hash-password); none for `any`. */
    pass: z
      .string()
      .min(1, 'a password cannot be empty')
      .superRefine((p, ctx) => {
        const spec = parsePasswordSpec(p);
        if (typeof spec === 'string') ctx.addIssue({ code: 'custom', message: spec });
      })
      .optional(),
    /** Where this user may connect from: CIDR ranges (IPv4 or IPv6); absent: anywhere. */
    ips: z
      .array(
        z.string().superRefine((r, ctx) => {
          const problem = cidrProblem(r);
          if (problem) ctx.addIssue({ code: 'custom', message: problem });
        }),
      )
      .optional(),
    /** What this user may do, and on which paths. */
    permissions: z.array(PermissionSchema).default([]),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (u.user === ANONYMOUS_USER && u.pass !== undefined) ctx.addIssue({ code: 'custom', path: ['pass'], message: `"${ANONYMOUS_USER}" is the anonymous user: it has no password` });
    if (u.user !== ANONYMOUS_USER && u.pass === undefined) ctx.addIssue({ code: 'custom', path: ['pass'], message: `user ${u.user} needs a pass (plain text, or a hash from tidecast hash-password); "${ANONYMOUS_USER}" is the user without one` });
  });

export type AuthUserConfig = z.infer<typeof UserSchema>;

/**
 * Without authUsers: anyone may read, publish and download files from anywhere, and only this
 * machine may use the API and metrics (`npm start` works, nothing administrative is open to the network).
 */
export const DEFAULT_AUTH_USERS: AuthUserConfig[] = [
  { user: ANONYMOUS_USER, permissions: [{ action: 'read' }, { action: 'publish' }, { action: 'playback' }] },
  { user: ANONYMOUS_USER, ips: ['127.0.0.0/8', '::1/128'], permissions: [{ action: 'api' }, { action: 'metrics' }] },
];

/** The auth settings, spread into the top-level config schema. */
export const AUTH_CONFIG_FIELDS = {
  /** Users, where they may connect from and what they may do; `any` is anyone. Absent: anyone may read, publish and download files, and only this machine may use the API and metrics. */
  authUsers: z
    .array(UserSchema)
    .superRefine((users, ctx) => {
      const seen = new Set<string>();
      users.forEach((u, i) => {
        if (u.user === ANONYMOUS_USER) return;
        if (seen.has(u.user)) ctx.addIssue({ code: 'custom', path: [i, 'user'], message: `user ${u.user} is listed twice: give one entry all of its permissions (only "${ANONYMOUS_USER}" may repeat)` });
        seen.add(u.user);
      });
    })
    .optional(),
  /** RTSP and HTTP password schemes offered in a 401. Absent: basic and digest, or only basic when Digest could not check (hashed passwords, authHTTPAddress). */
  authMethods: z.array(z.enum(AUTH_METHODS, { message: `must be one of ${AUTH_METHODS.join(', ')}` })).min(1, 'list at least one method: basic, digest').optional(),
  /** An HTTP service asked instead of authUsers: POST JSON {user, password, token, ip, action, path, protocol}; 2xx allows. */
  authHTTPAddress: z
    .string()
    .refine((u) => /^https?:\/\/[^/\s]+/i.test(u) && URL.canParse(u), 'must be an http:// or https:// URL, e.g. http://127.0.0.1:9000/auth')
    .optional(),
  /** Seconds a token from POST /api/v1/login stays valid. */
  authTokenLifetime: z.number().int().min(60).max(30 * 86400).default(12 * 3600),
};

interface AuthSettings {
  authUsers?: AuthUserConfig[] | undefined;
  authMethods?: AuthMethod[] | undefined;
  authHTTPAddress?: string | undefined;
}

/** Users with a hashed password: Digest needs the password itself (RFC 7616 §3.4.2), so cannot check them. */
function hashedUsers(users: readonly AuthUserConfig[]): string[] {
  return users.filter((u) => u.pass !== undefined && (u.pass.startsWith('sha256:') || u.pass.startsWith('scrypt:'))).map((u) => u.user);
}

/** The methods a 401 offers: as configured, or digest too when every password can be checked by it. */
export function effectiveAuthMethods(c: AuthSettings): AuthMethod[] {
  if (c.authMethods) return [...new Set(c.authMethods)];
  if (c.authHTTPAddress !== undefined || hashedUsers(c.authUsers ?? []).length > 0) return ['basic'];
  return ['basic', 'digest'];
}

/** Checks that span several auth keys (a superRefine of the whole config). */
export function checkAuthConfig(c: AuthSettings, ctx: z.RefinementCtx): void {
  if (c.authHTTPAddress !== undefined && c.authUsers !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['authHTTPAddress'], message: 'set authUsers or authHTTPAddress, not both: with authHTTPAddress every request is asked of that service' });
  }
  if (!c.authMethods?.includes('digest')) return;
  if (c.authHTTPAddress !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['authMethods'], message: 'digest cannot be used with authHTTPAddress: Digest never sends the password, so there is nothing to pass on; use [basic]' });
  }
  const hashed = hashedUsers(c.authUsers ?? []);
  if (hashed.length > 0) {
    ctx.addIssue({
      code: 'custom',
      path: ['authMethods'],
      message: `digest cannot check hashed passwords (users ${hashed.join(', ')}): clients such as ffmpeg and GStreamer always pick Digest when offered, so they could not log in; use [basic], or plain-text passwords for those users`,
    });
  }
}
