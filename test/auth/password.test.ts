// Stored passwords: a table of plain, sha256 and scrypt forms checked against right and wrong candidates, malformed forms with their reasons, hashes written by hash-password.
import { createHash, scryptSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePasswordSpec, type PasswordSpec } from '../../server/config-auth.js';
import { dummySpec, hashPassword, verifyPassword } from '../../server/auth/password.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('base64');
const salt = Buffer.from('0123456789abcdef');
const scryptOf = (pw: string, N: number, r: number, p: number): string =>
  `scrypt:${N}:${r}:${p}:${salt.toString('base64')}:${scryptSync(pw, salt, 32, { N, r, p }).toString('base64')}`;

const spec = (text: string): PasswordSpec => {
  const s = parsePasswordSpec(text);
  if (typeof s === 'string') throw new Error(s);
  return s;
};

const table: [stored: string, candidate: string, ok: boolean][] = [
  ['secret', 'secret', true],
  ['secret', 'Secret', false],
  ['secret', 'secret ', false],
  ['secret', '', false],
  ['päss wörd:with:colons', 'päss wörd:with:colons', true],
  // MediaMTX's form: base64 of the unsalted SHA-256.
  [`sha256:${sha('secret')}`, 'secret', true],
  [`sha256:${sha('secret')}`, 'secret2', false],
  [`sha256:${sha('')}`, '', true],
  [scryptOf('secret', 1024, 8, 1), 'secret', true],
  [scryptOf('secret', 1024, 8, 1), 'secreT', false],
  [scryptOf('çà', 16, 1, 2), 'çà', true],
  // A plain password that only looks like a prefix stays plain.
  ['sha256', 'sha256', true],
  ['scrypt-ish', 'scrypt-ish', true],
];

const malformed: [text: string, reason: RegExp][] = [
  ['sha256:', /sha256 hash must be standard base64/],
  ['sha256:abc', /must be standard base64/],
  ['sha256:' + Buffer.alloc(31).toString('base64'), /must be 32 bytes, got 31/],
  ['sha256:' + sha('x').replace(/=$/, ''), /must be standard base64/],
  ['scrypt:16384:8:1:abc', /scrypt password is scrypt:<N>:<r>:<p>:<salt base64>:<hash base64>/],
  ['scrypt:1000:8:1:AAAAAAAAAAA=:' + Buffer.alloc(32).toString('base64'), /N must be a power of two/],
  ['scrypt:16384:0:1:AAAAAAAAAAA=:' + Buffer.alloc(32).toString('base64'), /r must be 1-32/],
  ['scrypt:16384:8:17:AAAAAAAAAAA=:' + Buffer.alloc(32).toString('base64'), /p must be 1-16/],
  ['scrypt:1048576:32:1:AAAAAAAAAAA=:' + Buffer.alloc(32).toString('base64'), /needs 4096 MB per login; at most 256 MB/],
  ['scrypt:16384:8:1:AAAA:' + Buffer.alloc(32).toString('base64'), /salt must be 8-64 bytes, got 3/],
  ['scrypt:16384:8:1:AAAAAAAAAAA=:AAAA', /hash must be 16-64 bytes, got 3/],
];

describe('stored passwords', () => {
  it.each(table)('%s against %j: %s', async (stored, candidate, ok) => {
    expect(await verifyPassword(spec(stored), candidate)).toBe(ok);
  });

  it.each(malformed)('refuses %s: %s', (text, reason) => {
    expect(parsePasswordSpec(text)).toMatch(reason);
  });

  it('hash-password writes scrypt (salted: two hashes differ) and sha256 forms that verify', async () => {
    const a = await hashPassword('hunter2', 'scrypt', { N: 1024, r: 8, p: 1 });
    const b = await hashPassword('hunter2', 'scrypt', { N: 1024, r: 8, p: 1 });
    expect(a).toMatch(/^scrypt:1024:8:1:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(spec(a), 'hunter2')).toBe(true);
    expect(await verifyPassword(spec(b), 'hunter3')).toBe(false);
    expect(await hashPassword('hunter2', 'sha256')).toBe(`sha256:${sha('hunter2')}`);
    // The default is RFC 7914's interactive-login cost.
    expect(await hashPassword('x')).toMatch(/^scrypt:16384:8:1:/);
  });

  it('checks an unknown user against a dummy of the costliest configured form', async () => {
    const forms = [spec('plain'), spec(`sha256:${sha('a')}`), spec(scryptOf('a', 1024, 8, 1)), spec(scryptOf('a', 16, 1, 1))];
    const d = dummySpec(forms);
    expect(d).toMatchObject({ kind: 'scrypt', N: 1024, r: 8, p: 1 });
    // Nothing anyone could type matches it.
    expect(await verifyPassword(d, 'a')).toBe(false);
    expect(dummySpec([spec('plain'), spec(`sha256:${sha('a')}`)]).kind).toBe('sha256');
    expect(dummySpec([]).kind).toBe('plain');
  });
});
