// The player's VP8/VP9/AV1 WebCodecs configuration (codec strings from key frames and SDP) and the mp4 mode's codec strings read back from our own vpcC/av1C init segments.
import { describe, expect, it } from 'vitest';
import type { Track } from '../../server/media/track.js';
import { writeInitSegment } from '../../server/mux/fmp4/index.js';
import { learnVideoConfig } from '../../server/rtp/codecs/video-config.js';
import { codecsOfMoov, topLevelBoxes } from '../../player/src/fmp4-codecs.js';
import { av01CodecString, frameChunkData, frameDecoderConfig, probeCodecString, vp09CodecString } from '../../player/src/vpx-av1-config.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g)!.map((x) => parseInt(x, 16)));
// Key frames of media/sample-*.{webm,mp4} (320x180): VP8 frame header, VP9 uncompressed header, AV1 sequence header + frame OBU start.
const VP8_KEY = hex('f00e009d012a4001b4000047088585888584880202000616');
const VP9_KEY = hex('824983420013f00b360038241c184200005061f630000067');
const VP9_INTER = hex('86004092f0512500023c7fd1ec7f3b8bff3fddd7e4eddf9f');
const AV1_SEQ = hex('0a0b000000043cfeccdaf90040');
const AV1_FRAME = hex('320410008040');

const track = (codec: Track['codec'], fmtp?: string): Track => ({
  id: 0,
  kind: 'video',
  codec,
  clockRate: 90000,
  payloadType: 96,
  ...(fmtp ? { sdp: { rtpmap: { codec, rate: 90000 }, fmtp } } : {}),
});

describe('codec strings', () => {
  const cases: [string, string, string][] = [
    ['vp09 profile 0, 8-bit, 320x180 (level 1.1)', vp09CodecString({ profile: 0, bitDepth: 8 }, 320, 180), 'vp09.00.11.08'],
    ['vp09 profile 2, 10-bit, 1920x1080 (level 4)', vp09CodecString({ profile: 2, bitDepth: 10 }, 1920, 1080), 'vp09.02.40.10'],
    ['av01 Main, level 0, tier M, 8-bit', av01CodecString({ profile: 0, level: 0, tier: 0, bitDepth: 8 }), 'av01.0.00M.08'],
    ['av01 High, level 13, tier H, 10-bit', av01CodecString({ profile: 1, level: 13, tier: 1, bitDepth: 10 }), 'av01.1.13H.10'],
    ['probe: VP8', probeCodecString(track('VP8')), 'vp8'],
    ['probe: VP9 without fmtp (640x480 assumed)', probeCodecString(track('VP9')), 'vp09.00.30.08'],
    ['probe: VP9 profile-id=2', probeCodecString(track('VP9', 'profile-id=2')), 'vp09.02.30.10'],
    ['probe: AV1 without fmtp', probeCodecString(track('AV1')), 'av01.0.08M.08'],
    ['probe: AV1 profile=1;level-idx=5', probeCodecString(track('AV1', 'profile=1;level-idx=5;tier=0')), 'av01.1.05M.08'],
  ];
  for (const [name, got, want] of cases) it(name, () => expect(got).toBe(want));
});

describe('frameDecoderConfig: learnt from a key frame', () => {
  it('VP8, VP9 and AV1 key frames give the codec and the coded size', () => {
    expect(frameDecoderConfig(track('VP8'), [VP8_KEY])?.config).toMatchObject({ codec: 'vp8', codedWidth: 320, codedHeight: 180 });
    expect(frameDecoderConfig(track('VP9'), [VP9_KEY])?.config).toMatchObject({ codec: 'vp09.00.11.08', codedWidth: 320, codedHeight: 180 });
    expect(frameDecoderConfig(track('AV1'), [AV1_SEQ, AV1_FRAME])?.config).toMatchObject({ codec: 'av01.0.00M.08', codedWidth: 320, codedHeight: 180 });
  });

  it('an inter frame, a unit without a sequence header, garbage or nothing: no configuration', () => {
    expect(frameDecoderConfig(track('VP9'), [VP9_INTER])).toBeUndefined();
    expect(frameDecoderConfig(track('VP8'), [VP9_INTER])).toBeUndefined();
    expect(frameDecoderConfig(track('AV1'), [AV1_FRAME])).toBeUndefined();
    expect(frameDecoderConfig(track('AV1'), [Uint8Array.of(0xff, 0x01)])).toBeUndefined();
    expect(frameDecoderConfig(track('VP9'), [])).toBeUndefined();
    expect(frameDecoderConfig(track('H264'), [VP9_KEY])).toBeUndefined();
  });

  it("an AV1 chunk is the unit's OBUs back to back", () => {
    expect(frameChunkData([AV1_SEQ, AV1_FRAME])).toEqual(Uint8Array.of(...AV1_SEQ, ...AV1_FRAME));
    expect(frameChunkData([VP9_KEY])).toBe(VP9_KEY);
  });
});

describe('mp4 mode: codec strings of our init segments', () => {
  const moovOf = (t: Track): Uint8Array => {
    const init = writeInitSegment([{ id: 1, track: t, timescale: 90000 }]);
    const box = topLevelBoxes(init).find((b) => b.type === 'moov')!;
    return init.subarray(box.start, box.end);
  };
  it('vp09 + vpcC and av01 + av1C read back as the codec strings WebCodecs takes', () => {
    const vp9 = track('VP9');
    learnVideoConfig(vp9, [VP9_KEY]);
    expect(codecsOfMoov(moovOf(vp9))).toEqual(['vp09.00.11.08']);
    const av1 = track('AV1');
    learnVideoConfig(av1, [AV1_SEQ, AV1_FRAME]);
    expect(codecsOfMoov(moovOf(av1))).toEqual(['av01.0.00M.08']);
  });
});
