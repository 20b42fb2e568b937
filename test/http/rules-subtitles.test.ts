// The URLs subtitles add: the subtitle playlist and its WebVTT segments are HLS reads of the path, a caption is a publish on it.
import { describe, expect, it } from 'vitest';
import { ruleFor } from '../../server/http/auth/rules.js';

describe('auth rules for subtitle and caption URLs', () => {
  it.each([
    ['/movies/talk.mp4/subs.m3u8', 'movies/talk.mp4'],
    ['/movies/talk.mp4/subs-7fa81b7166-3.vtt', 'movies/talk.mp4'],
    ['/movies/talk.mkv/subs-2.m3u8', 'movies/talk.mkv'],
    ['/movies/talk.mkv/subs-7fa81b7166s2-3.vtt', 'movies/talk.mkv'],
    ['/cams/door/subs-0a1b2c3d4e-120.vtt', 'cams/door'],
  ])('%s reads %s over HLS', (url, path) => {
    expect(ruleFor(url)).toEqual({ kind: 'check', action: 'read', path, protocol: 'hls' });
  });

  it.each([
    ['/movies/talk.mp4/subtitles.vtt', 'movies/talk.mp4'],
    ['/a%20b.mkv/subtitles.vtt', 'a b.mkv'],
  ])('%s (a file\'s whole subtitles) reads %s over HTTP', (url, path) => {
    expect(ruleFor(url)).toEqual({ kind: 'check', action: 'read', path, protocol: 'http' });
  });

  it.each([
    ['/api/v1/paths/cams/door/captions', 'cams/door'],
    ['/api/v1/paths/a%20b/captions', 'a b'],
  ])('%s publishes on %s', (url, path) => {
    expect(ruleFor(url)).toEqual({ kind: 'check', action: 'publish', path, protocol: 'api' });
  });

  it('other API paths stay api', () => {
    expect(ruleFor('/api/v1/paths/cams/door')).toEqual({ kind: 'check', action: 'api', path: '', protocol: 'api' });
  });
});
