// `tidecast hash-password` as a user runs it: a password piped in or given becomes a scrypt or sha256 form that the config accepts and that checks.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyPassword } from '../server/auth/password.js';
import { makeConfig } from '../server/config.js';
import { parsePasswordSpec, type PasswordSpec } from '../server/config-auth.js';

const parsePasswordSpecOrThrow = (text: string): PasswordSpec => {
  const s = parsePasswordSpec(text);
  if (typeof s === 'string') throw new Error(s);
  return s;
};

const ROOT = resolve(import.meta.dirname, '..');
const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, input: input ?? '', encoding: 'utf8', timeout: 60_000 });

describe('tidecast hash-password', () => {
  it('reads the password from stdin and prints a scrypt form the config takes', async () => {
    const r = cli(['hash-password'], 'correct horse\n');
    expect(r.status, r.stderr).toBe(0);
    const stored = r.stdout.trim();
    expect(stored).toMatch(/^scrypt:16384:8:1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(makeConfig({ authUsers: [{ user: 'alice', pass: stored }] }).authUsers![0]!.pass).toBe(stored);
    expect(await verifyPassword(parsePasswordSpecOrThrow(stored), 'correct horse')).toBe(true);
    expect(await verifyPassword(parsePasswordSpecOrThrow(stored), 'correct horse\n')).toBe(false);
  });

  it('--sha256 with the password as an argument', () => {
    const r = cli(['hash-password', '--sha256', 'hunter2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`sha256:${createHash('sha256').update('hunter2').digest('base64')}\n`);
  });

  it('refuses an empty password and is listed in --help', () => {
    const empty = cli(['hash-password'], '\n');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/an empty password cannot be used/);
    expect(cli(['--help']).stdout).toMatch(/hash-password \[options\] \[password\]/);
  });
});
