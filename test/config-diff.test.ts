// What a reload changes: paths added, removed and changed, auth keys, live keys, keys that need a restart; and the log line's words.
import { describe, expect, it } from 'vitest';
import { makeConfig, type ConfigInput } from '../server/config.js';
import { describeDiff, diffConfig, isEmptyDiff, LIVE_KEYS, type ConfigDiff } from '../server/config-diff.js';

const NONE: ConfigDiff = { added: [], removed: [], changed: [], auth: [], live: [], restart: [] };
const BASE: ConfigInput = { paths: { a: {}, b: { source: 'rtsp://cam/b' }, '~^x/(.+)$': { source: 'rtsp://o/$G1' } } };

const cases: [string, ConfigInput, Partial<ConfigDiff>, string][] = [
  ['the same config', BASE, {}, 'nothing changed'],
  ['a path added', { paths: { ...BASE.paths, 'cams/x': {} } }, { added: ['cams/x'] }, '+1 path (cams/x)'],
  ['a path removed', { paths: { a: {}, '~^x/(.+)$': { source: 'rtsp://o/$G1' } } }, { removed: ['b'] }, '-1 path (b)'],
  ['a path changed', { paths: { ...BASE.paths, b: { source: 'rtsp://cam/b', sourceProtocol: 'udp' } } }, { changed: ['b'] }, '~1 path (b)'],
  ['captions turned on: the path restarts with a caption track', { paths: { ...BASE.paths, a: { captions: true } } }, { changed: ['a'] }, '~1 path (a)'],
  ['a default written out is no change', { paths: { ...BASE.paths, a: { sourceOnDemand: true } } }, {}, 'nothing changed'],
  ['a pattern changed', { paths: { ...BASE.paths, '~^x/(.+)$': { source: 'rtsp://p/$G1' } } }, { changed: ['~^x/(.+)$'] }, '~1 path (~^x/(.+)$)'],
  ['users', { ...BASE, authUsers: [{ user: 'alice', pass: 'x', permissions: [] }] }, { auth: ['authUsers'] }, 'users changed'],
  ['auth methods', { ...BASE, authMethods: ['basic'] }, { auth: ['authMethods'] }, 'authMethods changed'],
  ['live limits', { ...BASE, sessionTimeout: 30, maxSessions: 5 }, { live: ['maxSessions', 'sessionTimeout'] }, 'maxSessions changed, sessionTimeout changed'],
  ['a port', { ...BASE, rtspPort: 9554 }, { restart: ['rtspPort'] }, 'nothing changed; rtspPort needs a restart (the running value stays)'],
  ['two restart keys and a path', { paths: { a: {}, '~^x/(.+)$': { source: 'rtsp://o/$G1' } }, mediaDir: '/srv', limits: { maxHeaderBytes: 4096 } }, { removed: ['b'], restart: ['limits', 'mediaDir'] }, '-1 path (b); limits, mediaDir need a restart (the running value stays)'],
];

describe('diffConfig', () => {
  it.each(cases)('%s', (_name, next, diff, words) => {
    const d = diffConfig(makeConfig(BASE), makeConfig(next));
    expect(d).toEqual({ ...NONE, ...diff });
    expect(describeDiff(d)).toBe(words);
    expect(isEmptyDiff(d)).toBe(Object.keys(diff).length === 0);
  });

  it('sorts paths and shortens long lists', () => {
    const names = ['f', 'e', 'd', 'c', 'b', 'a', 'g'];
    const d = diffConfig(makeConfig(), makeConfig({ paths: Object.fromEntries(names.map((n) => [n, {}])) }));
    expect(d.added).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(describeDiff(d)).toBe('+7 paths (a, b, c, d, e, ...)');
  });

  it('lists as live only keys the schema has', () => {
    const keys = Object.keys(makeConfig());
    for (const k of LIVE_KEYS) expect(keys).toContain(k);
  });
});
