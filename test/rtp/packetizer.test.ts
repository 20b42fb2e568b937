import { describe, it, expect } from 'vitest';
import type { CodecName, Track } from '../../server/media/track.js';
import type { AccessUnit } from '../../server/media/access-unit.js';
import { createDepacketizer, packetizeAccessUnit } from '../../server/rtp/packetizer.js';
import { buildRtpPacket, parseRtpPacket } from '../../server/rtp/packet.js';
import { patterned } from './prng.js';

function track(codec: CodecName): Track {
  const video = codec === 'H264' || codec === 'H265';
  return { id: 0, kind: video ? 'video' : 'audio', codec, clockRate: video ? 90000 : 48000, payloadType: 96 };
}

const aus: [CodecName, Uint8Array[]][] = [
  ['H264', [patterned([0x67, 0x42], 12), patterned([0x68], 4), patterned([0x65], 30_000, 1)]],
  ['H265', [patterned([0x40, 0x01], 20), patterned([0x42, 0x01], 30), patterned([0x44, 0x01], 6), patterned([0x26, 0x01], 30_000, 2)]],
  ['AAC', [patterned([0x21], 2000, 3)]],
  ['OPUS', [patterned([0xfc], 200, 4)]],
  ['PCMU', [patterned([0xff], 160, 5)]],
  ['PCMA', [patterned([0xd5], 160, 6)]],
];

describe('packetizeAccessUnit / createDepacketizer', () => {
  for (const [codec, data] of aus) {
    it(`${codec}: AU -> RTP packets -> frame, byte-identical`, () => {
      const t = track(codec);
      const au: AccessUnit = { pts: 3600, dts: 3600, duration: 3000, key: true, data };
      const payloads = packetizeAccessUnit(t, au, 1200);
      for (const p of payloads) expect(p.length).toBeLessThanOrEqual(1200);
      const d = createDepacketizer(t);
      const frames = payloads.flatMap((payload, i) => {
        const wire = buildRtpPacket({ payloadType: 96, marker: i === payloads.length - 1, sequenceNumber: 9 + i, timestamp: au.pts, ssrc: 1 }, payload);
        return d.push(parseRtpPacket(wire));
      });
      expect(frames).toHaveLength(1);
      expect(frames[0]!.timestamp).toBe(3600);
      expect(frames[0]!.damaged).toBeUndefined();
      expect(frames[0]!.data).toEqual(data);
    });
  }

  it('a codec without a depacketizer gets one that yields nothing, never a throw', () => {
    const t = { ...track('H264'), codec: 'MP4V' as CodecName };
    const d = createDepacketizer(t);
    expect(d.push({ payload: new Uint8Array([1, 2, 3]), marker: true, timestamp: 0, sequenceNumber: 0 })).toEqual([]);
  });
});
