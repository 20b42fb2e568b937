// The cluster config keys: roles, an edge's origin, URLs checked; an edge gets the implicit `~^(.+)$` pattern pulling from its origin.
import { describe, expect, it } from 'vitest';
import { ConfigError, makeConfig } from '../server/config.js';
import { EDGE_PATTERN, withBuiltInPaths } from '../server/configure-paths.js';

describe('cluster config', () => {
  it('defaults and an edge', () => {
    expect(makeConfig({}).cluster).toBeUndefined();
    const c = makeConfig({ cluster: { role: 'edge', origin: 'rtsp://origin:8554/' } }).cluster!;
    expect(c).toMatchObject({ role: 'edge', redis: 'redis://127.0.0.1:6379', capacity: 500, advertise: {} });
  });

  it.each([
    [{ role: 'edge' }, /an edge needs cluster.origin/],
    [{ role: 'king' }, /role/],
    [{ redis: 'http://x' }, /Redis URL/],
    [{ role: 'edge', origin: 'http://origin' }, /RTSP URL/],
    [{ advertise: { rtsp: 'rtsp://e:8554', ftp: 'x' } }, /ftp/],
    [{ capacity: 0 }, /capacity/],
  ])('refuses %j', (cluster, msg) => {
    expect(() => makeConfig({ cluster } as never)).toThrow(ConfigError);
    expect(() => makeConfig({ cluster } as never)).toThrow(msg);
  });

  it('an edge pulls every unconfigured path from its origin, after the configured patterns', () => {
    const cfg = makeConfig({ cluster: { role: 'edge', origin: 'rtsp://origin:8554/' }, paths: { '~^cams/(.+)$': { source: 'rtsp://cams/$G1' } } });
    const paths = withBuiltInPaths(cfg.paths, cfg.cluster);
    // No testsrc of its own: the origin's comes through the pattern.
    expect(Object.keys(paths)).toEqual(['~^cams/(.+)$', EDGE_PATTERN]);
    expect(paths[EDGE_PATTERN]!.source).toBe('rtsp://origin:8554/$G1');
    // A front or an origin gets no such pattern.
    expect(Object.keys(withBuiltInPaths({}, makeConfig({ cluster: { role: 'front' } }).cluster))).toEqual(['testsrc']);
  });
});
