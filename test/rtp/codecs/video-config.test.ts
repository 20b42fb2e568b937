// What VP8/VP9/AV1 key frames tell their track (size, vpcC/av1C fields), from the clips' own key frames; header readers never throw on any bytes.
import fc from 'fast-check';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CodecName, Track } from '../../../server/media/track.js';
import { isAv1KeyFrame, parseSequenceHeader } from '../../../server/rtp/codecs/av1-obu.js';
import { learnVideoConfig } from '../../../server/rtp/codecs/video-config.js';
import { vp8FrameInfo } from '../../../server/rtp/codecs/vp8.js';
import { vp9FrameInfo } from '../../../server/rtp/codecs/vp9.js';
import { isKeyFrameAccessUnit, keyFrameHint } from '../../../server/rtp/keyframe.js';
import { loadMediaFile } from '../../../server/sources/file/demux.js';
import { fuzz } from '../../helpers/fuzz.js';
import { MEDIA_DIR } from '../../helpers/server.js';

const bare = (codec: CodecName): Track => ({ id: 0, kind: 'video', codec, clockRate: 90000, payloadType: 96 });

describe('learnVideoConfig from the clips', () => {
  const clips: [string, CodecName, Partial<Track>][] = [
    ['sample-vp8.webm', 'VP8', { vpx: { profile: 0, bitDepth: 8, chromaSubsampling: 0, fullRange: false, colorSpace: 0 } }],
    ['sample-vp9.webm', 'VP9', { vpx: { profile: 0, bitDepth: 8, chromaSubsampling: 0, fullRange: false, colorSpace: 0 } }],
  ];
  for (const [name, codec, want] of clips) {
    it(`${name}: 320x180 and the format; only key frames teach anything`, async () => {
      const file = await loadMediaFile(join(MEDIA_DIR, name));
      const units = file.units[0]!;
      expect(units.filter((u) => u.key).length).toBe(3);
      for (const u of units) expect(isKeyFrameAccessUnit(codec, u.data), `frame at ${u.pts}`).toBe(u.key);
      const t = bare(codec);
      learnVideoConfig(t, units[1]!.data);
      expect(t.width).toBeUndefined();
      learnVideoConfig(t, units[0]!.data);
      expect(t).toMatchObject({ width: 320, height: 180, ...want });
    });
  }

  it('sample-av1.mp4: 320x180, Main profile, level 2.0, 8-bit 4:2:0, the sequence header kept; key units by their frame headers', async () => {
    const file = await loadMediaFile(join(MEDIA_DIR, 'sample-av1.mp4'));
    const units = file.units[0]!;
    for (const u of units) expect(isAv1KeyFrame(u.data)).toBe(u.key);
    const t = bare('AV1');
    learnVideoConfig(t, units[0]!.data);
    expect(t).toMatchObject({ width: 320, height: 180, av1: { profile: 0, level: 0, tier: 0, bitDepth: 8, monochrome: false, subsamplingX: 1, subsamplingY: 1 } });
    expect(t.av1!.seqHeader[0]! >>> 3).toBe(1);
  });
});

describe('header readers under fast-check', () => {
  it('any bytes: VP8/VP9 frame headers, AV1 sequence headers, key-frame hints and config learning never throw', () => {
    fuzz('vpx/av1 headers', 7741, 3000, fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom<CodecName>('VP8', 'VP9', 'AV1'), (b, codec) => {
      const v8 = vp8FrameInfo(b);
      if (v8) expect(v8.width).toBeGreaterThan(0);
      const v9 = vp9FrameInfo(b);
      if (v9) expect([v9.width, v9.height].every((n) => n >= 1 && n <= 65536)).toBe(true);
      parseSequenceHeader(b);
      expect(['key', 'delta', 'unknown']).toContain(keyFrameHint(codec, b));
      isKeyFrameAccessUnit(codec, [b]);
      learnVideoConfig(bare(codec), [b]);
    }));
  });
});
