// VP8, VP9 and AV1 in SDP: ANNOUNCE parses them (RFC 7741 §6, RFC 9628 §6, AV1 RTP §7), DESCRIBE gives the publisher's rtpmap and fmtp back, files get theirs.
import { describe, expect, it } from 'vitest';
import { buildSdp } from '../../server/sdp/describe.js';
import { fmtpFor, rtpMapFor } from '../../server/sdp/fmtp.js';
import { parseSdpTracks, SdpError } from '../../server/sdp/parse.js';
import type { Track } from '../../server/media/track.js';
import { createDepacketizer } from '../../server/rtp/packetizer.js';
import { isKeyFrameAccessUnit, keyFrameHint } from '../../server/rtp/keyframe.js';

const announce = (lines: string[]): string =>
  ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=x', 't=0 0', ...lines, ''].join('\r\n');

describe('ANNOUNCE with VP8, VP9, AV1', () => {
  const cases: [string, string[], Partial<Track>][] = [
    ['VP8 as ffmpeg sends it', ['m=video 0 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'a=control:streamid=0'], { codec: 'VP8', kind: 'video', clockRate: 90000 }],
    ['VP9 with profile-id', ['m=video 0 RTP/AVP 98', 'a=rtpmap:98 VP9/90000', 'a=fmtp:98 profile-id=0', 'a=control:streamid=0'], { codec: 'VP9', clockRate: 90000, payloadType: 98 }],
    ['AV1 with profile, level-idx, tier', ['m=video 0 RTP/AVP 100', 'a=rtpmap:100 AV1/90000', 'a=fmtp:100 profile=0;level-idx=5;tier=0', 'a=control:trackID=0'], { codec: 'AV1', payloadType: 100 }],
    ['names are case-insensitive', ['m=video 0 RTP/AVP 96', 'a=rtpmap:96 vp9/90000', 'a=control:trackID=0'], { codec: 'VP9' }],
  ];
  for (const [name, lines, want] of cases) {
    it(name, () => {
      const t = parseSdpTracks(announce(lines)).tracks[0]!;
      expect(t).toMatchObject(want);
      // Described back with the publisher's own rtpmap and fmtp.
      const fmtp = lines.find((l) => l.startsWith('a=fmtp'))?.replace(/^a=fmtp:\d+ /, '');
      expect(fmtpFor(t)).toBe(fmtp);
      expect(rtpMapFor(t).rate).toBe(90000);
    });
  }

  it('VP8 in an audio m= line is refused', () => {
    expect(() => parseSdpTracks(announce(['m=audio 0 RTP/AVP 96', 'a=rtpmap:96 VP8/90000', 'a=control:trackID=0']))).toThrow(SdpError);
  });

  it('the refusal of another codec lists VP8, VP9 and AV1 among the supported', () => {
    expect(() => parseSdpTracks(announce(['m=video 0 RTP/AVP 96', 'a=rtpmap:96 MP4V-ES/90000', 'a=control:trackID=0']))).toThrow(/VP8, VP9, AV1/);
  });
});

describe('DESCRIBE of VP8, VP9, AV1 tracks without a publisher SDP (files)', () => {
  const av1 = { seqHeader: new Uint8Array([0x0a, 0x01, 0x00]), profile: 0, level: 8, tier: 1, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1, chromaSamplePosition: 0 };
  const vpx = { profile: 2, bitDepth: 10, chromaSubsampling: 0, fullRange: false, colorSpace: 2 };
  const tracks: Track[] = [
    { id: 0, kind: 'video', codec: 'VP8', clockRate: 90000, payloadType: 96, width: 320, height: 180 },
    { id: 1, kind: 'video', codec: 'VP9', clockRate: 90000, payloadType: 97, vpx },
    { id: 2, kind: 'video', codec: 'AV1', clockRate: 90000, payloadType: 98, av1 },
  ];
  const text = buildSdp({ tracks, sessionName: 'x', serverAddress: '127.0.0.1' });
  it('rtpmaps at 90 kHz, VP9 profile-id when not 0, AV1 profile/level-idx/tier', () => {
    expect(text).toContain('a=rtpmap:96 VP8/90000\r\n');
    expect(text).toContain('a=rtpmap:97 VP9/90000\r\na=fmtp:97 profile-id=2\r\n');
    expect(text).toContain('a=rtpmap:98 AV1/90000\r\na=fmtp:98 profile=0;level-idx=8;tier=1\r\n');
    expect(text).toContain('a=x-dimensions:320,180');
  });
  it('parses back into the same codecs', () => {
    expect(parseSdpTracks(text).tracks.map((t) => t.codec)).toEqual(['VP8', 'VP9', 'AV1']);
  });
});

describe('codec dispatch', () => {
  it('createDepacketizer never throws: every codec has one', () => {
    for (const codec of ['VP8', 'VP9', 'AV1'] as const) {
      const d = createDepacketizer({ id: 0, kind: 'video', codec, clockRate: 90000, payloadType: 96 });
      expect(d.push({ payload: new Uint8Array([0xff, 0xff, 0xff]), marker: true, timestamp: 0, sequenceNumber: 0 })).toHaveLength(1);
    }
  });
  it('key frames: VP8 P bit, VP9 descriptor P/B and header, AV1 N bit; whole units by their headers', () => {
    expect(keyFrameHint('VP8', new Uint8Array([0x10, 0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a]))).toBe('key');
    expect(keyFrameHint('VP8', new Uint8Array([0x10, 0x51, 0x01, 0x00]))).toBe('delta');
    expect(keyFrameHint('VP8', new Uint8Array([0x00, 0x50]))).toBe('unknown');
    expect(keyFrameHint('VP9', new Uint8Array([0x48, 0x86]))).toBe('delta');
    expect(keyFrameHint('VP9', new Uint8Array([0x04, 0x00]))).toBe('unknown');
    expect(keyFrameHint('AV1', new Uint8Array([0x08, 0x01, 0x30]))).toBe('key');
    expect(isKeyFrameAccessUnit('VP8', [new Uint8Array([0x50, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4, 0x00])])).toBe(true);
    expect(isKeyFrameAccessUnit('VP8', [new Uint8Array([0x51, 0x01, 0x00])])).toBe(false);
    expect(isKeyFrameAccessUnit('VP9', [new Uint8Array([0x86, 0x00])])).toBe(false);
    expect(isKeyFrameAccessUnit('AV1', [new Uint8Array([0x32, 0x01, 0x10])])).toBe(false);
  });
});
