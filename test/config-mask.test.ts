// Secrets masked before a config is shown: authUsers passwords, userinfo passwords in URLs, token/secret fields.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../server/config.js';
import { formatConfigYaml, isSecretKey, maskSecrets, maskUrls } from '../server/config-mask.js';

describe('maskUrls', () => {
  it.each([
    ['rtsp://admin:hunter2@cam.local:554/x', 'rtsp://admin:***@cam.local:554/x'],
    ['rtsps://u:p%40ss@cam/x', 'rtsps://u:***@cam/x'],
    ['rtsp://admin@cam.local/x', 'rtsp://admin@cam.local/x'],
    ['rtsp://cam.local:554/x', 'rtsp://cam.local:554/x'],
    ['rtsp://:onlypass@cam/x', 'rtsp://:***@cam/x'],
    ['-re -i rtsp://a:b@one/x -i http://c:d@two/y -c copy', '-re -i rtsp://a:***@one/x -i http://c:***@two/y -c copy'],
    ['publisher', 'publisher'],
    ['', ''],
    ['user:pass@host without a scheme', 'user:pass@host without a scheme'],
  ])('%s', (input, masked) => {
    expect(maskUrls(input)).toBe(masked);
  });
});

describe('isSecretKey', () => {
  it.each([
    ['pass', true],
    ['password', true],
    ['token', true],
    ['secret', true],
    ['apiToken', true],
    ['clientSecret', true],
    ['adminPassword', true],
    ['authTokenLifetime', false],
    ['user', false],
    ['source', false],
    ['serverKey', false],
    ['passthrough', false],
    ['tokens', false],
  ])('%s -> %s', (key, secret) => {
    expect(isSecretKey(key)).toBe(secret);
  });
});

describe('maskSecrets', () => {
  const config = makeConfig({
    authUsers: [
      { user: 'alice', pass: 'wonderland', permissions: [{ action: 'read' }] },
      { user: 'any', permissions: [{ action: 'read' }] },
    ],
    paths: { cam: { source: 'rtsp://bob:hunter2@cam.local/x' }, gen: { ffmpeg: '-i rtsp://c:d@e/f -c copy' } },
  });

  it('masks passwords and keeps everything else, numbers included', () => {
    const m = maskSecrets(config);
    expect(m.authUsers).toEqual([
      { user: 'alice', pass: '***', permissions: [{ action: 'read' }] },
      { user: 'any', permissions: [{ action: 'read' }] },
    ]);
    expect(m.paths.cam!.source).toBe('rtsp://bob:***@cam.local/x');
    expect(m.paths.gen!.ffmpeg).toBe('-i rtsp://c:***@e/f -c copy');
    expect(m.authTokenLifetime).toBe(config.authTokenLifetime);
    expect({ ...m, authUsers: config.authUsers, paths: config.paths }).toEqual(config);
  });

  it('leaves the original alone', () => {
    maskSecrets(config);
    expect(config.authUsers![0]!.pass).toBe('wonderland');
  });

  it('any token or secret field, at any depth', () => {
    expect(maskSecrets({ a: { token: 'abc', apiSecret: 'def', list: [{ password: 'x' }], n: 5 } })).toEqual({ a: { token: '***', apiSecret: '***', list: [{ password: '***' }], n: 5 } });
  });

  it('prints YAML without a password in it', () => {
    const text = formatConfigYaml(config, 'tidecast.yml');
    expect(text).toMatch(/^# Effective Tidecast config: the defaults, tidecast\.yml and the flags; secrets masked/);
    expect(text).not.toMatch(/wonderland|hunter2/);
    expect(text).toContain('source: rtsp://bob:***@cam.local/x');
  });
});
