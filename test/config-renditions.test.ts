// Renditions in the config: bitrates, names, heights, clashes; the paths they add for a reload to diff.
import { describe, expect, it } from 'vitest';
import { makeConfig } from '../server/config.js';
import { parseBitrate, renditionArgs } from '../server/config-renditions.js';
import { withBuiltInPaths } from '../server/configure-paths.js';

describe('parseBitrate', () => {
  it.each([
    ['1M', 1_000_000],
    ['300k', 300_000],
    ['2.5M', 2_500_000],
    ['1500000', 1_500_000],
    [' 64K ', 64_000],
    [800_000, 800_000],
  ] as const)('%s -> %d', (text, bps) => expect(parseBitrate(text)).toBe(bps));

  it.each(['', 'fast', '1G', '-1M', '1 M b'])('refuses %j with a hint', (text) => expect(parseBitrate(text)).toMatch(/is not a bitrate/));
});

describe('renditions config', () => {
  const door = (renditions: unknown[]) => ({ paths: { 'cams/door': { renditions } } }) as Parameters<typeof makeConfig>[0];

  it('takes the issue example and adds one path per rendition', () => {
    const c = makeConfig(door([{ name: '480p', height: 480, videoBitrate: '1M' }, { name: '240p', height: 240, videoBitrate: '300k' }]));
    expect(c.paths['cams/door']!.renditions).toEqual([{ name: '480p', height: 480, videoBitrate: 1_000_000 }, { name: '240p', height: 240, videoBitrate: 300_000 }]);
    const all = withBuiltInPaths(c.paths);
    expect(Object.keys(all)).toEqual(expect.arrayContaining(['cams/door', 'cams/door~480p', 'cams/door~240p']));
    expect(all['cams/door~480p']).toMatchObject({ sourceOnDemand: true, renditionOf: { path: 'cams/door', rendition: { height: 480 } } });
  });

  it.each([
    [[{ name: '480p', height: 481, videoBitrate: '1M' }], /must be even/],
    [[{ name: 'a b', height: 480, videoBitrate: '1M' }], /letters, digits/],
    [[{ name: '480p', height: 480, videoBitrate: 'lots' }], /not a bitrate/],
    [[{ name: '480p', height: 480, videoBitrate: '1k' }], /between 16k and 100M/],
    [[{ name: 'x', height: 480, videoBitrate: '1M' }, { name: 'x', height: 240, videoBitrate: '300k' }], /named twice/],
    [[{ name: 'x', height: 480 }], /videoBitrate/],
  ])('refuses %j', (renditions, why) => expect(() => makeConfig(door(renditions))).toThrow(why));

  it('refuses renditions on a ~regex path and a rendition that clashes with a configured path', () => {
    expect(() => makeConfig({ paths: { '~^cams/(.+)$': { renditions: [{ name: 'l', height: 240, videoBitrate: '300k' }] } } } as Parameters<typeof makeConfig>[0])).toThrow(/~regex path cannot have renditions/);
    expect(() => makeConfig({ paths: { a: { renditions: [{ name: 'l', height: 240, videoBitrate: '300k' }] }, 'a~l': {} } } as Parameters<typeof makeConfig>[0])).toThrow(/configured as a path of its own/);
  });

  it('ffmpeg scales, keeps the main key frames and copies the audio', () => {
    const a = renditionArgs('rtsp://127.0.0.1:8554/cams/door', { name: '480p', height: 480, videoBitrate: 1_000_000 });
    expect(a.join(' ')).toContain('-i rtsp://127.0.0.1:8554/cams/door');
    expect(a.join(' ')).toContain('-vf scale=-2:480');
    expect(a.join(' ')).toContain('-force_key_frames source');
    expect(a.join(' ')).toContain('-b:v 1000k');
    expect(a.join(' ')).toContain('-c:a copy');
  });
});
