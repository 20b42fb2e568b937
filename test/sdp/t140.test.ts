// T.140 text media in SDP (RFC 4103 §6): DESCRIBE writes m=text with t140/1000 and a=lang; a publisher's m=text is read back.
import { describe, expect, it } from 'vitest';
import { buildSdp } from '../../server/sdp/describe.js';
import { parseSdpTracks } from '../../server/sdp/parse.js';
import type { Track } from '../../server/media/track.js';

const text = (id: number, extra: Partial<Track> = {}): Track => ({ id, kind: 'text', codec: 'T140', clockRate: 1000, payloadType: 96 + id, ...extra });

describe('T.140 in SDP', () => {
  it('describes a text track as m=text ... t140/1000 with its language, and reads it back', () => {
    const sdp = buildSdp({ tracks: [text(0, { language: 'eng', name: 'English' }), text(1)], sessionName: 'x', serverAddress: '127.0.0.1' });
    expect(sdp).toContain('m=text 0 RTP/AVP 96\r\n');
    expect(sdp).toContain('a=rtpmap:96 t140/1000\r\n');
    expect(sdp).toContain('a=lang:eng\r\n');
    expect(sdp).toContain('a=rtpmap:97 t140/1000\r\n');
    expect(sdp).not.toMatch(/a=fmtp:9[67]/);
    const back = parseSdpTracks(sdp).tracks;
    expect(back.map((t) => [t.kind, t.codec, t.clockRate, t.payloadType, t.language])).toEqual([
      ['text', 'T140', 1000, 96, 'eng'],
      ['text', 'T140', 1000, 97, undefined],
    ]);
  });

  it.each<[string, string[]]>([
    ['lower case (ours, ffmpeg)', ['m=text 0 RTP/AVP 98', 'a=rtpmap:98 t140/1000']],
    ['upper case (RFC 4103 §10 example)', ['m=text 0 RTP/AVP 98', 'a=rtpmap:98 T140/1000', 'a=fmtp:98 cps=30']],
  ])('reads a publisher text medium: %s', (_, lines) => {
    const sdp = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 't=0 0', ...lines, 'a=control:trackID=0', ''].join('\r\n');
    expect(parseSdpTracks(sdp).tracks[0]).toMatchObject({ kind: 'text', codec: 'T140', clockRate: 1000, payloadType: 98 });
  });
});
