// A playlist asked for with ?token= names its init, parts, preload hint and segments with the token; without one, or with an unusable one, it is unchanged.
import { describe, expect, it } from 'vitest';
import { formatPlaylist, type MediaPlaylist } from '../../server/http/hls/playlist.js';
import { queryToken, withToken } from '../../server/http/hls/token-uris.js';

const LIVE: MediaPlaylist = {
  version: 9,
  targetDuration: 2,
  mediaSequence: 4,
  map: 'init-ab.mp4',
  endList: false,
  lowLatency: { partTarget: 0.2, partHoldBack: 0.6, holdBack: 6 },
  segments: [{ msn: 4, duration: 2, uri: 'seg-ab-4.mp4', parts: [{ duration: 0.2, uri: 'part-ab-4-0.mp4', independent: true }] }],
  open: { parts: [{ duration: 0.2, uri: 'part-ab-5-0.mp4', independent: true }] },
  preloadHint: 'part-ab-5-1.mp4',
};

describe('HLS token URIs', () => {
  it('adds ?token= to every URI of the playlist', () => {
    const text = formatPlaylist(withToken(LIVE, 'tc1.a-b_c'));
    const uris = [...text.matchAll(/URI="([^"]+)"|^(seg-[^\n]+)$/gm)].map((m) => m[1] ?? m[2]);
    expect(uris).toEqual(['init-ab.mp4?token=tc1.a-b_c', 'part-ab-4-0.mp4?token=tc1.a-b_c', 'seg-ab-4.mp4?token=tc1.a-b_c', 'part-ab-5-0.mp4?token=tc1.a-b_c', 'part-ab-5-1.mp4?token=tc1.a-b_c']);
  });

  it('leaves the playlist as it is without a usable token', () => {
    expect(withToken(LIVE, undefined)).toBe(LIVE);
    expect(queryToken({})).toBeUndefined();
    expect(queryToken({ token: 'a"b' })).toBeUndefined();
    expect(queryToken({ token: ['tc1.x', 'tc1.y'] })).toBe('tc1.x');
    expect(queryToken({ token: 'x'.repeat(3000) })).toBeUndefined();
  });
});
