// Refusals are counted for /metrics (auth_failures by protocol and reason); a 401 challenge to a request without credentials is not.
import { describe, expect, it } from 'vitest';
import { Auth } from '../../server/auth/auth.js';
import { NONE, type Presented } from '../../server/auth/credentials.js';
import { makeConfig } from '../../server/config.js';
import type { AuthProtocol } from '../../server/auth/auth.js';
import type { AuthAction } from '../../server/config-auth.js';
import { Counters } from '../../server/core/counters.js';
import { silentLogger } from '../../server/log.js';

const CONFIG = makeConfig({
  authUsers: [
    { user: 'alice', pass: 'secret', permissions: [{ action: 'read', path: 'cams/*' }] },
    { user: 'any', permissions: [{ action: 'read', path: 'public/*' }] },
  ],
  authMethods: ['basic'],
});

const basic = (user: string, password: string): Presented => ({ kind: 'basic', user, password });

type Row = [what: string, presented: Presented, action: AuthAction, path: string, protocol: AuthProtocol, counted: Record<string, number>];

const table: Row[] = [
  ['allowed: nothing', basic('alice', 'secret'), 'read', 'cams/door', 'rtsp', {}],
  ['anonymous allowed: nothing', NONE, 'read', 'public/x', 'hls', {}],
  ['anonymous challenged: nothing', NONE, 'read', 'cams/door', 'rtsp', {}],
  ['a wrong password', basic('alice', 'nope'), 'read', 'cams/door', 'rtsp', { 'rtsp/wrong_credentials': 1 }],
  ['an unknown user over HLS', basic('mallory', 'x'), 'read', 'cams/door', 'hls', { 'hls/wrong_credentials': 1 }],
  ['a right password, no permission', basic('alice', 'secret'), 'read', 'other/x', 'http', { 'http/forbidden': 1 }],
  ['a malformed header', { kind: 'malformed', status: 400, reason: 'bad' }, 'read', 'cams/door', 'api', { 'api/malformed': 1 }],
  ['a token that is not ours', { kind: 'token', token: 'x.y', source: 'header' }, 'read', 'cams/door', 'api', { 'api/bad_token': 1 }],
];

function counted(c: Counters): Record<string, number> {
  return Object.fromEntries(c.samples('auth_failures').map((s) => [`${s.labels.protocol}/${s.labels.reason}`, s.value]));
}

describe('auth failures counted', () => {
  it.each(table)('%s', async (_what, presented, action, path, protocol, want) => {
    const counters = new Counters();
    const auth = new Auth(CONFIG, silentLogger, { counters });
    await auth.check({ ip: '192.0.2.1', action, path, protocol, presented });
    expect(counted(counters)).toEqual(want);
  });

  it('a blocked address counts as throttled', async () => {
    const counters = new Counters();
    const auth = new Auth(CONFIG, silentLogger, { counters, throttle: { maxFailures: 1 } });
    for (let i = 0; i < 3; i++) await auth.check({ ip: '192.0.2.9', action: 'read', path: 'cams/door', protocol: 'rtsp', presented: basic('alice', 'nope') });
    expect(counted(counters)['rtsp/throttled']).toBeGreaterThan(0);
    expect(counted(counters)['rtsp/wrong_credentials']).toBeGreaterThan(0);
  });
});
