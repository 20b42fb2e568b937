// The auth settings in the YAML config: the worked example loads; each mistake is named with its key and what to write instead.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, makeConfig, type ConfigInput } from '../server/config.js';
import { effectiveAuthMethods } from '../server/config-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'tidecast-config-auth-'));
const SHA = 'sha256:K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=';

describe('auth config', () => {
  it('loads the example of the README from YAML', () => {
    const f = join(dir, 'auth.yml');
    writeFileSync(
      f,
      [
        'authUsers:',
        '  - user: alice',
        `    pass: "${SHA}"`,
        '    ips: ["127.0.0.1/32", "::1/128"]',
        '    permissions:',
        '      - {action: read, path: "cams/*"}',
        '      - {action: publish, path: "~^live/alice-.*$"}',
        '  - user: any',
        '    permissions: [{action: read, path: "public/*"}]',
        'authMethods: [basic]',
        'authTokenLifetime: 3600',
        '',
      ].join('\n'),
    );
    const c = loadConfig(f);
    expect(c.authUsers).toEqual([
      { user: 'alice', pass: SHA, ips: ['127.0.0.1/32', '::1/128'], permissions: [{ action: 'read', path: 'cams/*' }, { action: 'publish', path: '~^live/alice-.*$' }] },
      { user: 'any', permissions: [{ action: 'read', path: 'public/*' }] },
    ]);
    expect(c.authMethods).toEqual(['basic']);
    expect(c.authTokenLifetime).toBe(3600);
  });

  it('has defaults a newcomer keeps: no users (the built-in anonymous rules), methods chosen by the passwords, 12 h tokens', () => {
    const c = makeConfig();
    expect(c.authUsers).toBeUndefined();
    expect(c.authMethods).toBeUndefined();
    expect(c.authHTTPAddress).toBeUndefined();
    expect(c.authTokenLifetime).toBe(43200);
    expect(effectiveAuthMethods(c)).toEqual(['basic', 'digest']);
  });

  it.each<[string, ConfigInput, RegExp]>([
    ['an unknown action', { authUsers: [{ user: 'any', permissions: [{ action: 'watch' as 'read' }] }] }, /authUsers\[0\]\.permissions\[0\]\.action: must be one of read, publish, playback, api, metrics/],
    ['a bad range', { authUsers: [{ user: 'any', ips: ['10.0.0.1/8'] }] }, /authUsers\[0\]\.ips\[0\]: 10\.0\.0\.1\/8 has bits set after the \/8 prefix/],
    ['a bad regex', { authUsers: [{ user: 'any', permissions: [{ action: 'read', path: '~(' }] }] }, /authUsers\[0\]\.permissions\[0\]\.path: "~\(" is not a regular expression/],
    ['a password for anyone', { authUsers: [{ user: 'any', pass: 'x' }] }, /authUsers\[0\]\.pass: "any" is the anonymous user: it has no password/],
    ['a user without one', { authUsers: [{ user: 'alice' }] }, /authUsers\[0\]\.pass: user alice needs a pass/],
    ['a ":" in a user name', { authUsers: [{ user: 'a:b', pass: 'x' }] }, /authUsers\[0\]\.user: a user name cannot contain ":"/],
    ['a malformed hash', { authUsers: [{ user: 'alice', pass: 'sha256:no!pe' }] }, /authUsers\[0\]\.pass: the sha256 hash must be standard base64/],
    ['a user twice', { authUsers: [{ user: 'alice', pass: 'x' }, { user: 'alice', pass: 'y' }] }, /authUsers\[1\]\.user: user alice is listed twice/],
    ['an unknown key', { authUsers: [{ user: 'any', password: 'x' } as never] }, /authUsers\[0\]: .*password/],
    ['an unknown method', { authMethods: ['ntlm' as 'basic'] }, /authMethods\[0\]: must be one of basic, digest/],
    ['no method', { authMethods: [] }, /authMethods: list at least one method/],
    ['a service URL that is not http', { authHTTPAddress: 'ftp://x/auth' }, /authHTTPAddress: must be an http:\/\/ or https:\/\/ URL/],
    ['users and a service', { authUsers: [], authHTTPAddress: 'http://127.0.0.1:9000/auth' }, /authHTTPAddress: set authUsers or authHTTPAddress, not both/],
    ['digest with a service', { authMethods: ['digest'], authHTTPAddress: 'http://127.0.0.1:9000/auth' }, /authMethods: digest cannot be used with authHTTPAddress/],
    ['digest with hashed passwords', { authMethods: ['basic', 'digest'], authUsers: [{ user: 'alice', pass: SHA }, { user: 'bob', pass: 'plain' }] }, /authMethods: digest cannot check hashed passwords \(users alice\)/],
    ['a token lifetime under a minute', { authTokenLifetime: 5 }, /authTokenLifetime: /],
  ])('refuses %s', (_what, input, message) => {
    expect(() => makeConfig(input)).toThrow(message);
  });
});
