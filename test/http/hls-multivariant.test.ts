// The multivariant playlist of a path with renditions: one EXT-X-STREAM-INF per variant, codec strings from the tracks.
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import { formatMultivariant, variantsOf } from '../../server/http/hls/multivariant.js';

// A 640x360 High profile (0x64) level 3.0 SPS, as x264 writes it for the bundled sample.
const SPS = Buffer.from('6764001eacd940a02ff9610000030001000003003c8f162d96', 'hex');
const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, h264: { sps: [SPS], pps: [] } };
const audio: Track = { id: 1, kind: 'audio', codec: 'AAC', clockRate: 48000, payloadType: 97, aac: { asc: Uint8Array.of(0x11, 0x90) } };

describe('multivariant playlist', () => {
  it('lists the main stream first, then each rendition beside it, with BANDWIDTH, RESOLUTION and CODECS', () => {
    const v = variantsOf('cams/door', [video, audio], 500_000, [{ name: '240p', height: 240, videoBitrate: 300_000 }]);
    expect(formatMultivariant(v, 'a.b')).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:9',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-STREAM-INF:BANDWIDTH=550000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2"',
        'media.m3u8?token=a.b',
        '#EXT-X-STREAM-INF:BANDWIDTH=458000,RESOLUTION=426x240,CODECS="avc1.64001f,mp4a.40.2"',
        '../door~240p/index.m3u8?token=a.b',
        '',
      ].join('\n'),
    );
  });

  it('a main stream of unknown size or without audio still gives a usable playlist', () => {
    const v = variantsOf('door', [{ ...video, h264: { sps: [], pps: [] } }], 0, [{ name: 'low', height: 240, videoBitrate: 300_000 }]);
    const text = formatMultivariant(v);
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=1\nmedia.m3u8');
    expect(text).toContain('#EXT-X-STREAM-INF:BANDWIDTH=330000,CODECS="avc1.64001f"\n../door~low/index.m3u8');
  });
});
