// Which frames a thinned reader may go without: RTP payloads from our packetizers and whole access units, one table.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { CodecName, Track } from '../../server/media/track.js';
import { frameClassOfPayload, frameClassOfUnit, type FrameClass } from '../../server/rtp/frame-class.js';
import { packetizeAccessUnit } from '../../server/rtp/packetizer.js';
import { fuzz } from '../helpers/fuzz.js';
import { patterned } from './prng.js';

function track(codec: CodecName): Track {
  const video = codec === 'H264' || codec === 'H265';
  return { id: 0, kind: video ? 'video' : 'audio', codec, clockRate: video ? 90000 : 48000, payloadType: 96 };
}
const packets = (codec: CodecName, data: Uint8Array[]): Uint8Array[] =>
  packetizeAccessUnit(track(codec), { pts: 0, dts: 0, duration: 3000, key: false, data }, 1200);

// H.264: nal_ref_idc in bits 5-6 of the header (0x65 IDR ref 3, 0x41 P ref 2, 0x01 non-reference B).
const h264 = {
  sps: patterned([0x67, 0x64, 0x00, 0x1e], 25),
  pps: patterned([0x68], 5),
  sei: patterned([0x06, 0x05], 700, 1),
  idr: patterned([0x65, 0x88], 30_000, 2),
  p: patterned([0x41, 0x9a], 9_000, 4),
  refB: patterned([0x21, 0x9e], 300, 5),
  b: patterned([0x01, 0x9e], 3_000, 6),
  smallB: patterned([0x01, 0x9e], 200, 7),
};
// H.265: type << 1 in the first header byte, TID + 1 in the low bits of the second.
const h265 = {
  vps: patterned([32 << 1, 1], 24),
  sps: patterned([33 << 1, 1], 40),
  pps: patterned([34 << 1, 1], 8),
  idr: patterned([19 << 1, 1], 30_000, 2),
  trailR: patterned([1 << 1, 1], 8_000, 4),
  trailN: patterned([0 << 1, 1], 3_000, 5),
  tsaN: patterned([2 << 1, 1], 300, 6),
  radlN: patterned([6 << 1, 1], 300, 7),
  raslN: patterned([8 << 1, 1], 5_000, 8),
  trailRTid1: patterned([1 << 1, 2], 4_000, 9),
};

describe('frame classes of payloads and access units', () => {
  const cases: [string, CodecName, Uint8Array[], FrameClass][] = [
    ['H.264 SPS+PPS+IDR', 'H264', [h264.sps, h264.pps, h264.idr], 'key'],
    ['H.264 P slice (nal_ref_idc 2)', 'H264', [h264.p], 'reference'],
    ['H.264 reference B (nal_ref_idc 1, b-pyramid)', 'H264', [h264.refB], 'reference'],
    ['H.264 non-reference B (FU-A)', 'H264', [h264.b], 'droppable'],
    ['H.264 small non-reference B (single NAL)', 'H264', [h264.smallB], 'droppable'],
    ['H.264 SEI then non-reference B (STAP-A)', 'H264', [h264.sei.subarray(0, 100), h264.smallB], 'droppable'],
    ['H.265 VPS+SPS+PPS+IDR', 'H265', [h265.vps, h265.sps, h265.pps, h265.idr], 'key'],
    ['H.265 TRAIL_R', 'H265', [h265.trailR], 'reference'],
    ['H.265 TRAIL_N (FU)', 'H265', [h265.trailN], 'droppable'],
    ['H.265 TSA_N (single NAL)', 'H265', [h265.tsaN], 'droppable'],
    ['H.265 RADL_N', 'H265', [h265.radlN], 'droppable'],
    ['H.265 RASL_N (FU)', 'H265', [h265.raslN], 'droppable'],
    ['H.265 TRAIL_R at TemporalId 1 (FU)', 'H265', [h265.trailRTid1], 'droppable'],
  ];
  for (const [name, codec, nalus, want] of cases) {
    it(`${name}: ${want}`, () => {
      expect(frameClassOfUnit(codec, nalus)).toBe(want);
      const ps = packets(codec, nalus);
      // The first payload that decides says the same as the whole unit; continuation fragments say nothing.
      const decided = ps.map((p) => frameClassOfPayload(codec, p)).find((c) => c !== 'unknown');
      expect(decided).toBe(want);
      if (ps.length > 2) expect(frameClassOfPayload(codec, ps[ps.length - 1]!)).toBe('unknown');
    });
  }

  it('H.264: an SEI-only payload says nothing; the slice after it decides', () => {
    expect(frameClassOfPayload('H264', h264.sei)).toBe('unknown');
  });

  it('audio is always key; other video codecs are key or reference', () => {
    expect(frameClassOfPayload('AAC', new Uint8Array([1, 2, 3]))).toBe('key');
    expect(frameClassOfUnit('AAC', [new Uint8Array([1])])).toBe('key');
  });

  it('never throws on random payloads and returns one of the classes', () => {
    const classes = new Set(['key', 'reference', 'droppable', 'unknown']);
    fuzz('frame-class payloads', 1616, 400, fc.property(fc.constantFrom<CodecName>('H264', 'H265', 'VP8', 'VP9', 'AV1', 'AAC'), fc.uint8Array({ maxLength: 64 }), (codec, p) => {
      expect(classes.has(frameClassOfPayload(codec, p))).toBe(true);
      expect(classes.has(frameClassOfUnit(codec, [p]))).toBe(true);
    }));
  });
});
