// The multivariant playlist of audio alternatives: one EXT-X-MEDIA per audio track, unique names, the first DEFAULT, the token on every URI.
import { describe, expect, it } from 'vitest';
import { audioAlternatives, multivariantPlaylist } from '../../server/http/hls/renditions.js';
import type { Track } from '../../server/media/track.js';

const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, width: 320, height: 180, h264: { sps: [new Uint8Array([0x67, 0x64, 0x00, 0x0d])], pps: [new Uint8Array([0x68])] } };
const aac = (id: number, extra: Partial<Track>): Track => ({ id, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, payloadType: 96 + id, aac: { asc: new Uint8Array([0x11, 0x90]) }, ...extra });

describe('audio renditions', () => {
  it('offers alternatives only for two or more audio tracks beside a video', () => {
    expect(audioAlternatives([video, aac(1, {})])).toEqual([]);
    expect(audioAlternatives([aac(0, {}), aac(1, {})])).toEqual([]);
    expect(audioAlternatives([video, aac(1, {}), aac(2, {})]).map((t) => t.id)).toEqual([1, 2]);
  });

  it('writes LANGUAGE as an RFC 5646 tag, unique NAMEs and the variant AUDIO group', () => {
    const text = multivariantPlaylist({
      video,
      alternatives: [aac(1, { language: 'eng' }), aac(2, { language: 'fre', name: 'Fr"ançais', channels: 1 }), aac(3, { language: 'eng' }), aac(4, {})],
      bandwidth: 300_000.4,
      query: '?token=a%2Fb',
    });
    expect(text.split('\n')).toEqual([
      '#EXTM3U',
      '#EXT-X-VERSION:6',
      '#EXT-X-INDEPENDENT-SEGMENTS',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio-1.m3u8?token=a%2Fb"',
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="fr",NAME="Fr'ançais",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="1",URI="audio-2.m3u8?token=a%2Fb"`,
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="en",NAME="English (3)",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="audio-3.m3u8?token=a%2Fb"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio 4",DEFAULT=NO,AUTOSELECT=YES,CHANNELS="2",URI="audio-4.m3u8?token=a%2Fb"',
      '#EXT-X-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.64000d,mp4a.40.2",RESOLUTION=320x180,AUDIO="audio"',
      'video.m3u8?token=a%2Fb',
      '',
    ]);
  });
});
