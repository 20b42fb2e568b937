// Naming the tracks a browser cannot decode (hls and mp4 modes): codec words, per-track MSE types, the playlist's init segment and CODECS.
import { describe, expect, it } from 'vitest';
import { checkCodecs, codecWords, initSegmentUrl, mseType, undecodableError, variantCodecs } from '../../player/src/codec-support.js';

describe('codec support', () => {
  it.each([
    ['hvc1.1.6.L93.B0', 'H.265 video'],
    ['hev1.1.6.L93.B0', 'H.265 video'],
    ['avc1.64001e', 'H.264 video'],
    ['av01.0.04M.08', 'AV1 video'],
    ['vp09.00.10.08', 'VP9 video'],
    ['mp4a.40.2', 'AAC audio'],
    ['opus', 'Opus audio'],
    ['ac-3', 'AC-3 audio'],
    ['xyz1', 'xyz1 track'],
  ])('%s is %s', (c, words) => expect(codecWords(c)).toBe(words));

  it('asks MSE about each track on its own, audio as audio/mp4', () => {
    expect(mseType('mp4a.40.2')).toBe('audio/mp4; codecs="mp4a.40.2"');
    expect(mseType('hvc1.1.6.L93.B0')).toBe('video/mp4; codecs="hvc1.1.6.L93.B0"');
    const check = checkCodecs(['hvc1.1.6.L93.B0', 'mp4a.40.2'], (t) => !t.includes('hvc1'));
    expect(check).toEqual({ supported: ['mp4a.40.2'], unsupported: ['hvc1.1.6.L93.B0'] });
    const e = undecodableError('hls', check);
    expect(e.kind).toBe('unsupported');
    expect(e.message).toMatch(/cannot decode the H\.265 video \(hvc1\.1\.6\.L93\.B0\).*AAC audio cannot be played alone in hls mode/);
  });

  it('finds the init segment and a variant CODECS in playlists', () => {
    const media = '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-MAP:URI="init-3.mp4?token=abc"\n#EXTINF:2.0,\nseg-1.m4s\n';
    expect(initSegmentUrl(media, 'http://h:8888/cam/index.m3u8?token=abc')).toBe('http://h:8888/cam/init-3.mp4?token=abc');
    expect(initSegmentUrl('#EXTM3U\n', 'http://h/x.m3u8')).toBeUndefined();
    expect(variantCodecs('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="hvc1.1.6.L93.B0, mp4a.40.2"\nv.m3u8\n')).toEqual(['hvc1.1.6.L93.B0', 'mp4a.40.2']);
    expect(variantCodecs(media)).toBeUndefined();
  });
});
