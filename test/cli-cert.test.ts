// `tidecast cert` as an operator runs it: the pair written (key mode 600), what it prints, existing files kept without --force.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const cert = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'cert', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('tidecast cert', () => {
  it('writes a pair for the names given, says how to use it, and refuses to overwrite without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidecast-cli-cert-'));
    dirs.push(dir);
    const c = join(dir, 'a.crt');
    const k = join(dir, 'a.key');
    const r = cert(['--cert', c, '--key', k, '--host', 'cam.example,192.0.2.7', '--days', '10']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/--server-cert .*a\.crt --server-key .*a\.key/);
    const x = new X509Certificate(readFileSync(c));
    expect(x.checkHost('cam.example')).toBe('cam.example');
    expect(x.checkIP('192.0.2.7')).toBe('192.0.2.7');
    expect(x.checkPrivateKey(createPrivateKey(readFileSync(k)))).toBe(true);
    expect(statSync(k).mode & 0o777).toBe(0o600);
    const again = cert(['--cert', c, '--key', k]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/a\.crt exists; pass --force/);
    expect(cert(['--cert', c, '--key', k, '--force']).status).toBe(0);
    expect(new X509Certificate(readFileSync(c)).fingerprint256).not.toBe(x.fingerprint256);
  }, 120_000);
});
