// a=lang (RFC 4566 §6) and media titles (i=): written per medium by DESCRIBE, read back from a publisher's SDP, session-level as the default.
import { describe, expect, it } from 'vitest';
import { buildSdp } from '../../server/sdp/describe.js';
import { parseSdpTracks } from '../../server/sdp/parse.js';
import type { Track } from '../../server/media/track.js';

const aac = (id: number, extra: Partial<Track>): Track => ({
  id, kind: 'audio', codec: 'AAC', clockRate: 48000, channels: 2, sampleRate: 48000, payloadType: 96 + id, aac: { asc: new Uint8Array([0x11, 0x90]) }, ...extra,
});

describe('a=lang', () => {
  it('round-trips each medium language and title', () => {
    const text = buildSdp({
      tracks: [aac(0, { language: 'eng', name: 'English' }), aac(1, { language: 'fre', name: 'Fran\r\nçais' }), aac(2, {})],
      sessionName: 'x',
      serverAddress: '127.0.0.1',
    });
    expect(text).toMatch(/m=audio 0 RTP\/AVP 96\r\ni=English\r\n/);
    expect(text).toContain('a=lang:fre\r\n');
    expect(text).toContain('i=Fran  çais\r\n');
    const back = parseSdpTracks(text).tracks;
    expect(back.map((t) => [t.language, t.name])).toEqual([
      ['eng', 'English'],
      ['fre', 'Fran  çais'],
      [undefined, undefined],
    ]);
  });

  it('takes a session-level a=lang as the default and ignores und and malformed tags', () => {
    const media = (lang: string, n: number): string[] => [
      `m=audio 0 RTP/AVP ${96 + n}`,
      `a=rtpmap:${96 + n} L16/8000/1`,
      ...(lang ? [`a=lang:${lang}`] : []),
      `a=control:trackID=${n}`,
    ];
    const sdp = ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 't=0 0', 'a=lang:de', ...media('', 0), ...media('fr', 1), ...media('und', 2), ...media('f r', 3), ''].join('\r\n');
    expect(parseSdpTracks(sdp).tracks.map((t) => t.language)).toEqual(['de', 'fr', 'de', 'de']);
  });
});
