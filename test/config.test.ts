// Config: defaults, YAML file, flags over file, and readable errors.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, makeConfig } from '../server/config.js';

const dir = mkdtempSync(join(tmpdir(), 'tidecast-config-'));

describe('config', () => {
  it('has the documented defaults', () => {
    const c = makeConfig();
    expect(c.rtspPort).toBeUndefined();
    expect([c.httpPort, c.rtpPort, c.mediaDir, c.mtu, c.sessionTimeout]).toEqual([8888, 8000, './media', 1400, 60]);
  });

  it('reads YAML and lets flags win', () => {
    const f = join(dir, 'a.yml');
    writeFileSync(f, 'rtspPort: 9554\nrtpPort: 9000\nmediaDir: /srv/media\n');
    const c = loadConfig(f, { rtpPort: 9100, rtspPort: undefined });
    expect([c.rtspPort, c.rtpPort, c.mediaDir]).toEqual([9554, 9100, '/srv/media']);
  });

  it('explains each problem on its own line', () => {
    const f = join(dir, 'b.yml');
    writeFileSync(f, 'rtpPort: 8001\nmtu: 10\nbogus: 1\n');
    expect(() => loadConfig(f)).toThrow(/b\.yml: invalid configuration:\n {2}rtpPort: rtpPort must be even.*\n {2}mtu: .*\n {2}\(top level\): .*bogus/s);
  });

  it('reports unreadable and non-YAML files', () => {
    expect(() => loadConfig(join(dir, 'missing.yml'))).toThrow(/cannot read config file/);
    const f = join(dir, 'c.yml');
    writeFileSync(f, 'a: [1, 2\n');
    expect(() => loadConfig(f)).toThrow(/not valid YAML/);
  });
});
