// Several subtitles renditions of one file: an EXT-X-MEDIA each (unique NAMEs, the first DEFAULT), their playlist and segment names.
import { describe, expect, it } from 'vitest';
import { multivariantPlaylist } from '../../server/http/hls/renditions.js';
import { formatSubtitlePlaylist, parseSubsSegmentId, subsIndex, subsSegmentId, subsUri } from '../../server/http/hls/subtitle-playlist.js';
import type { Track } from '../../server/media/track.js';

const video: Track = { id: 0, kind: 'video', codec: 'H264', clockRate: 90000, payloadType: 96, width: 320, height: 180, h264: { sps: [new Uint8Array([0x67, 0x64, 0x00, 0x0d])], pps: [new Uint8Array([0x68])] } };

describe('subtitles renditions', () => {
  it('lists every entry in order, NAME unique, the first DEFAULT, each with its own playlist', () => {
    const text = multivariantPlaylist({
      video,
      alternatives: [],
      bandwidth: 1000,
      query: '?token=t',
      subtitles: [{ name: 'English SDH', language: 'eng' }, { name: 'French', language: 'fre' }, { name: 'French', language: 'fr-CA' }, { name: 'Subtitles' }],
      variantUri: 'media.m3u8',
    });
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-MEDIA'))).toEqual([
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English SDH",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs.m3u8?token=t"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="French",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,URI="subs-1.m3u8?token=t"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="French (3)",LANGUAGE="fr-CA",DEFAULT=NO,AUTOSELECT=YES,URI="subs-2.m3u8?token=t"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Subtitles",DEFAULT=NO,AUTOSELECT=YES,URI="subs-3.m3u8?token=t"',
    ]);
    expect(text).toMatch(/#EXT-X-STREAM-INF:[^\n]*SUBTITLES="subs"\nmedia\.m3u8\?token=t\n/);
    expect(multivariantPlaylist({ video, alternatives: [], bandwidth: 1, query: '', subtitles: [] })).not.toContain('SUBTITLES');
  });

  it('names playlists and segments per rendition, and reads the names back', () => {
    expect([0, 1, 12].map(subsUri)).toEqual(['subs.m3u8', 'subs-1.m3u8', 'subs-12.m3u8']);
    expect(['subs.m3u8', 'subs-1.m3u8', 'subs-31.m3u8', 'subs-32.m3u8', 'subs-0.m3u8', 'subs-01.m3u8', 'media.m3u8'].map(subsIndex)).toEqual([0, 1, 31, undefined, undefined, undefined, undefined]);
    expect(parseSubsSegmentId(subsSegmentId('7fa8', 0))).toEqual({ id: '7fa8', index: 0 });
    expect(parseSubsSegmentId(subsSegmentId('7fa8', 2))).toEqual({ id: '7fa8', index: 2 });
    const p = formatSubtitlePlaylist({ id: subsSegmentId('7fa8', 2), spans: [{ msn: 0, start: 0, duration: 2 }], vod: true, query: '' });
    expect(p).toContain('\nsubs-7fa8s2-0.vtt\n');
  });
});
