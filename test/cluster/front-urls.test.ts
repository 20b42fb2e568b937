// The front's Location: the request's own path and query on the edge's base URL; HTTP media URLs placed by the live path they read.
import { describe, expect, it } from 'vitest';
import { pathAndQuery } from '../../server/rtsp/methods/front.js';
import { mediaPathOf } from '../../server/http/front-routes.js';

describe('front URLs', () => {
  it.each([
    ['rtsp://front:8554/cam', 'cam', '/cam'],
    ['rtsp://front:8554/cams/door?token=abc', 'cams/door', '/cams/door?token=abc'],
    ['rtsp://user:pw@front/cam/', 'cam', '/cam/'],
    ['rtsp://front:8554?x', 'cam', '/?x'],
    ['/cam', 'cam', '/cam'],
    ['rtsp://front:8554', 'cam', '/cam'],
  ])('RTSP %s', (uri, path, want) => {
    expect(pathAndQuery(uri, path)).toBe(want);
  });

  it.each([
    ['/cam/index.m3u8', {}, 'cam'],
    ['/cams/door/stream.mp4', {}, 'cams/door'],
    ['/cam/seg12.mp4', {}, 'cam'],
    ['/sample.mp4', {}, 'sample.mp4'],
    ['/player/', { path: 'cam' }, 'cam'],
    ['/player', { path: ['a', 'b'] }, ''],
    ['/a%20b/index.m3u8', {}, 'a b'],
    ['/%E0%A4%A/index.m3u8', {}, '%E0%A4%A'],
  ])('HTTP %s', (url, query, want) => {
    expect(mediaPathOf(url, query)).toBe(want);
  });
});
