// `tidecast serve --print-config`: the effective config (defaults, file, flags) as YAML with secrets masked, exit 0.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'tidecast-print-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

describe('tidecast serve --print-config', () => {
  it('prints defaults, file and flags merged, with passwords masked, and exits 0 without serving', () => {
    const file = join(dir, 'tidecast.yml');
    writeFileSync(
      file,
      [
        'rtspPort: 9554',
        'httpPort: 9888',
        'authUsers:',
        '  - user: alice',
        '    pass: wonderland',
        '    permissions: [{action: read}]',
        'paths:',
        '  cam: {source: "rtsp://admin:hunter2@cam.local/live"}',
        '  "~^edge/(.+)$": {source: "rtsp://relay:topsecret@origin/$G1"}',
        '',
      ].join('\n'),
    );
    const r = cli(['serve', '--config', file, '--http-port', '7777', '--print-config']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/wonderland|hunter2|topsecret/);
    const printed = parse(r.stdout) as Record<string, unknown> & { paths: Record<string, { source: string }> };
    expect(printed.rtspPort).toBe(9554);
    expect(printed.httpPort).toBe(7777);
    expect(printed.sessionTimeout).toBe(60);
    expect(printed.authUsers).toEqual([{ user: 'alice', pass: '***', permissions: [{ action: 'read' }] }]);
    expect(printed.paths.cam!.source).toBe('rtsp://admin:***@cam.local/live');
    expect(printed.paths['~^edge/(.+)$']!.source).toBe('rtsp://relay:***@origin/$G1');
  });

  it('refuses an invalid file the same way serving does (exit 2, the reason)', () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'paths:\n  "~^(.+$": {source: "rtsp://o/$G1"}\n');
    const r = cli(['serve', '--config', file, '--print-config']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad path name: .* is not a regular expression/);
  });
});
