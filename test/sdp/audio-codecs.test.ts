// SDP in for LATM (RFC 6416 §7.3), MPEG audio (RFC 3551 static PT 14, RFC 2250) and AC-3 (RFC 4184).
import { describe, expect, it } from 'vitest';
import { parseSdpTracks } from '../../server/sdp/parse.js';
import { createDepacketizer } from '../../server/rtp/packetizer.js';
import { LatmDepacketizer } from '../../server/rtp/codecs/latm.js';

const sdp = (...media: string[]): string => ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 't=0 0', ...media, ''].join('\r\n');

describe('audio codecs in a publisher SDP', () => {
  it.each([
    ['ffmpeg -rtpflags latm', ['m=audio 0 RTP/AVP 97', 'a=rtpmap:97 MP4A-LATM/44100/1', 'a=fmtp:97 profile-level-id=41;cpresent=0;config=400024103fc0'], { codec: 'AAC', sampleRate: 44100, channels: 1, clockRate: 44100 }],
    ['LATM in band (cpresent=1, no config)', ['m=audio 0 RTP/AVP 96', 'a=rtpmap:96 MP4A-LATM/48000/2', 'a=fmtp:96 cpresent=1'], { codec: 'AAC', sampleRate: 48000, channels: 2 }],
    ['MPA without rtpmap (ffmpeg)', ['m=audio 0 RTP/AVP 14'], { codec: 'MPA', clockRate: 90000, payloadType: 14 }],
    ['MPA with rtpmap', ['m=audio 0 RTP/AVP 14', 'a=rtpmap:14 MPA/90000/2'], { codec: 'MPA', clockRate: 90000, channels: 2 }],
    ['AC3 (GStreamer rtpac3pay)', ['m=audio 0 RTP/AVP 96', 'a=rtpmap:96 AC3/48000'], { codec: 'AC3', clockRate: 48000, sampleRate: 48000 }],
  ])('%s', (_name, media, want) => {
    const t = parseSdpTracks(sdp(...media)).tracks[0]!;
    expect(t).toMatchObject(want);
    const d = createDepacketizer(t);
    expect(d.push({ payload: Uint8Array.of(1, 2, 3), marker: true, timestamp: 0, sequenceNumber: 0 }).every((f) => f.damaged || f.data.length === 1)).toBe(true);
    if (t.aac) expect(d).toBeInstanceOf(LatmDepacketizer);
  });

  it.each([
    ['LATM cpresent=0 without config', ['m=audio 0 RTP/AVP 96', 'a=rtpmap:96 MP4A-LATM/44100', 'a=fmtp:96 cpresent=0'], /cpresent=0 needs config=/],
    ['LATM config not hex', ['m=audio 0 RTP/AVP 96', 'a=rtpmap:96 MP4A-LATM/44100', 'a=fmtp:96 cpresent=0;config=xyz'], /not hex/],
    ['LATM two programs', ['m=audio 0 RTP/AVP 96', 'a=rtpmap:96 MP4A-LATM/44100', 'a=fmtp:96 cpresent=0;config=4010241000'], /one program/],
  ])('refuses %s in words', (_name, media, message) => {
    expect(() => parseSdpTracks(sdp(...media))).toThrow(message);
  });
});
