// The URLs renditions add are reads of the main path (not of a path named after the file): a viewer of cams/door may use them.
import { describe, expect, it } from 'vitest';
import { ruleFor } from '../../server/http/auth/rules.js';

describe('auth rules for rendition URLs', () => {
  it.each([
    ['/cams/door/media.m3u8', 'cams/door', 'hls'],
    ['/cams/door/index.m3u8', 'cams/door', 'hls'],
    ['/cams/door~480p/index.m3u8', 'cams/door~480p', 'hls'],
    ['/cams/door/renditions.json', 'cams/door', 'http'],
    ['/cams/door~480p/stream.mp4', 'cams/door~480p', 'http'],
  ])('%s reads %s over %s', (url, path, protocol) => {
    expect(ruleFor(url)).toEqual({ kind: 'check', action: 'read', path, protocol });
  });
});
