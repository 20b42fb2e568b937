// Random access points from RTP payloads (our packetizers' and hand-made) and from whole access units.
import { describe, expect, it } from 'vitest';
import type { CodecName, Track } from '../../server/media/track.js';
import type { AccessUnit } from '../../server/media/access-unit.js';
import { isKeyFrameAccessUnit, keyFrameHint, startsKeyFrame } from '../../server/rtp/keyframe.js';
import { packetizeAccessUnit } from '../../server/rtp/packetizer.js';
import { patterned, prng, randInt, randomBytes } from './prng.js';

function track(codec: CodecName): Track {
  const video = codec === 'H264' || codec === 'H265';
  return { id: 0, kind: video ? 'video' : 'audio', codec, clockRate: video ? 90000 : 48000, payloadType: 96 };
}
const au = (data: Uint8Array[]): AccessUnit => ({ pts: 0, dts: 0, duration: 3000, key: false, data });
const packets = (codec: CodecName, data: Uint8Array[], mtu = 1200): Uint8Array[] => packetizeAccessUnit(track(codec), au(data), mtu);

// H.264 NAL headers (nal_ref_idc 3 for parameter sets and IDR, as x264 writes them).
const h264 = {
  sps: patterned([0x67, 0x64, 0x00, 0x1e], 25),
  pps: patterned([0x68], 5),
  sei: patterned([0x06, 0x05], 700, 1),
  idr: patterned([0x65, 0x88], 30_000, 2),
  smallIdr: patterned([0x65, 0x88], 400, 3),
  p: patterned([0x41, 0x9a], 9_000, 4),
  smallP: patterned([0x41, 0x9a], 300, 5),
};
// H.265: type << 1 in the first header byte, TID 1 in the second.
const h265 = {
  vps: patterned([32 << 1, 1], 24),
  sps: patterned([33 << 1, 1], 40),
  pps: patterned([34 << 1, 1], 8),
  sei: patterned([39 << 1, 1], 600, 1),
  idr: patterned([19 << 1, 1], 30_000, 2), // IDR_W_RADL
  cra: patterned([21 << 1, 1], 300, 3), // CRA_NUT
  trail: patterned([1 << 1, 1], 8_000, 4), // TRAIL_R
};

describe('startsKeyFrame on payloads from our packetizers', () => {
  const cases: [string, CodecName, Uint8Array[], boolean][] = [
    ['H.264 SPS+PPS+IDR (STAP-A, then FU-A)', 'H264', [h264.sps, h264.pps, h264.idr], true],
    ['H.264 IDR alone (FU-A start)', 'H264', [h264.idr], true],
    ['H.264 small IDR (single NAL)', 'H264', [h264.smallIdr], true],
    ['H.264 P slice (FU-A start)', 'H264', [h264.p], false],
    ['H.264 small P slice (single NAL)', 'H264', [h264.smallP], false],
    ['H.265 VPS+SPS+PPS+IDR (AP, then FU)', 'H265', [h265.vps, h265.sps, h265.pps, h265.idr], true],
    ['H.265 IDR alone (FU start)', 'H265', [h265.idr], true],
    ['H.265 small CRA (single NAL)', 'H265', [h265.cra], true],
    ['H.265 TRAIL_R (FU start)', 'H265', [h265.trail], false],
  ];
  for (const [name, codec, nalus, key] of cases) {
    it(`${name}: first payload ${key ? 'starts' : 'does not start'} a key frame; later ones never do`, () => {
      const ps = packets(codec, nalus);
      expect(ps.length).toBeGreaterThan(0);
      expect(startsKeyFrame(codec, ps[0]!)).toBe(key);
      expect(isKeyFrameAccessUnit(codec, nalus)).toBe(key);
      // Continuation fragments belong to the unit already decided.
      for (const p of ps.slice(1)) if (ps.length > 2) expect(keyFrameHint(codec, p)).not.toBe(key ? 'delta' : 'key');
    });
  }

  it('H.264: a unit that opens with SEI alone (as ffmpeg sends it) is decided by the next payload', () => {
    // MTU 800: the 700-byte SEI cannot share a STAP-A with the IDR, which is fragmented.
    const ps = packets('H264', [h264.sei, h264.idr], 800);
    expect(ps[0]![0]! & 0x1f).toBe(6);
    expect(keyFrameHint('H264', ps[0]!)).toBe('unknown');
    expect(startsKeyFrame('H264', ps[0]!)).toBe(false);
    expect(keyFrameHint('H264', ps[1]!)).toBe('key');
    const delta = packets('H264', [h264.sei, h264.p], 800);
    expect(keyFrameHint('H264', delta[1]!)).toBe('delta');
  });

  it('H.265: SEI before an IRAP is also undecided', () => {
    const ps = packets('H265', [h265.sei, h265.idr], 700);
    expect(keyFrameHint('H265', ps[0]!)).toBe('unknown');
    expect(keyFrameHint('H265', ps[1]!)).toBe('key');
  });

  for (const codec of ['AAC', 'OPUS', 'PCMU', 'PCMA'] as const) {
    it(`${codec}: every payload is a random access point`, () => {
      const ps = packets(codec, [patterned([0x21], 200)]);
      expect(ps.every((p) => startsKeyFrame(codec, p))).toBe(true);
      expect(isKeyFrameAccessUnit(codec, [patterned([0x21], 200)])).toBe(true);
    });
  }
});

describe('startsKeyFrame on hand-made payloads', () => {
  const b = (...x: number[]) => Uint8Array.from(x);
  const table: [string, CodecName, Uint8Array, boolean][] = [
    ['H.264 single SPS', 'H264', b(0x67, 0x42, 0, 0x1e), true],
    ['H.264 single IDR', 'H264', b(0x65, 0x88, 0x80), true],
    ['H.264 single PPS', 'H264', b(0x68, 0xce), false],
    ['H.264 single non-IDR', 'H264', b(0x41, 0x9a), false],
    ['H.264 STAP-A [SEI, IDR]', 'H264', b(0x78, 0, 2, 0x06, 0x05, 0, 2, 0x65, 0x88), true],
    ['H.264 STAP-A [PPS, SPS]', 'H264', b(0x78, 0, 2, 0x68, 0xce, 0, 2, 0x67, 0x42), true],
    ['H.264 STAP-A [SEI, P]', 'H264', b(0x78, 0, 2, 0x06, 0x05, 0, 2, 0x41, 0x9a), false],
    ['H.264 STAP-A torn', 'H264', b(0x78, 0, 9, 0x65), false],
    ['H.264 FU-A start IDR', 'H264', b(0x7c, 0x85, 0xaa), true],
    ['H.264 FU-A middle IDR', 'H264', b(0x7c, 0x05, 0xaa), false],
    ['H.264 FU-A end IDR', 'H264', b(0x7c, 0x45, 0xaa), false],
    ['H.264 FU-A start P', 'H264', b(0x5c, 0x81, 0xaa), false],
    ['H.264 FU-A header only', 'H264', b(0x7c), false],
    ['H.264 empty', 'H264', b(), false],
    ['H.265 single VPS', 'H265', b(0x40, 0x01, 0x0c), true],
    ['H.265 single SPS', 'H265', b(0x42, 0x01, 0x01), true],
    ['H.265 single BLA_W_LP (16)', 'H265', b(32, 0x01, 0xaf), true],
    ['H.265 single IDR_N_LP (20)', 'H265', b(40, 0x01, 0xaf), true],
    ['H.265 single CRA (21)', 'H265', b(42, 0x01, 0xaf), true],
    ['H.265 single PPS', 'H265', b(0x44, 0x01, 0xc1), false],
    ['H.265 single TRAIL_R', 'H265', b(0x02, 0x01, 0xd0), false],
    ['H.265 AP [SEI, CRA]', 'H265', b(0x60, 0x01, 0, 3, 0x4e, 0x01, 5, 0, 3, 42, 0x01, 0xaf), true],
    ['H.265 AP [VPS]', 'H265', b(0x60, 0x01, 0, 3, 0x40, 0x01, 0x0c), true],
    ['H.265 AP [SEI, TRAIL]', 'H265', b(0x60, 0x01, 0, 3, 0x4e, 0x01, 5, 0, 3, 0x02, 0x01, 0xd0), false],
    ['H.265 FU start IDR_W_RADL', 'H265', b(0x62, 0x01, 0x93, 0xaf), true],
    ['H.265 FU middle IDR_W_RADL', 'H265', b(0x62, 0x01, 0x13, 0xaf), false],
    ['H.265 FU start TRAIL_R', 'H265', b(0x62, 0x01, 0x81, 0xaf), false],
    ['H.265 one byte', 'H265', b(0x40), false],
  ];
  for (const [name, codec, payload, key] of table) {
    it(`${name} -> ${key}`, () => expect(startsKeyFrame(codec, payload)).toBe(key));
  }

  it('fuzz: random payloads never throw', () => {
    const rnd = prng(4242);
    for (let i = 0; i < 5000; i++) {
      const p = randomBytes(rnd, randInt(rnd, 40));
      for (const codec of ['H264', 'H265'] as const) expect(['key', 'delta', 'unknown']).toContain(keyFrameHint(codec, p));
    }
  });
});

describe('isKeyFrameAccessUnit', () => {
  it('needs an IDR (H.264) or IRAP (H.265) slice, not just parameter sets', () => {
    expect(isKeyFrameAccessUnit('H264', [h264.sps, h264.pps, h264.idr])).toBe(true);
    expect(isKeyFrameAccessUnit('H264', [h264.sps, h264.pps, h264.p])).toBe(false);
    expect(isKeyFrameAccessUnit('H265', [h265.vps, h265.sps, h265.pps, h265.cra])).toBe(true);
    expect(isKeyFrameAccessUnit('H265', [h265.trail])).toBe(false);
    expect(isKeyFrameAccessUnit('H264', [])).toBe(false);
  });
});
