import { describe, it, expect } from 'vitest';
import {
  H264Depacketizer,
  isH264KeyFrame,
  packetizeH264,
  splitAnnexB,
  splitLengthPrefixed,
} from '../../../server/rtp/codecs/h264.js';
import type { DepacketizedFrame } from '../../../server/rtp/codecs/frame.js';
import { asPackets, mutate, patterned, prng, randInt, randomBytes } from '../prng.js';

const SPS = Uint8Array.of(0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const SEI = patterned([0x06, 0x05], 30);
const AUD = Uint8Array.of(0x09, 0xf0);
const IDR = patterned([0x65, 0x88], 100_000, 1);
const P_SLICE = patterned([0x41, 0x9a], 900, 2);

function depacketize(pkts: ReturnType<typeof asPackets>): DepacketizedFrame[] {
  const d = new H264Depacketizer();
  return pkts.flatMap((p) => d.push(p));
}

describe('packetizeH264', () => {
  it('fragments a 100 kB IDR into FU-A payloads <= MTU and reassembles it byte-identical', () => {
    const payloads = packetizeH264([IDR], 1400);
    expect(payloads.length).toBe(Math.ceil((IDR.length - 1) / 1398));
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(1400);
    const frames = depacketize(asPackets(payloads, 3000, 65500)); // crosses the seq wrap
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBeUndefined();
    expect(frames[0]!.timestamp).toBe(3000);
    expect(frames[0]!.data).toHaveLength(1);
    expect(frames[0]!.data[0]).toEqual(IDR);
  });

  it('FU indicator keeps F/NRI with type 28; FU header has S/E and the NAL type (RFC 6184 §5.8)', () => {
    const nal = patterned([0xe5], 10); // F=1, NRI=3, type 5: F set to exercise the bit
    const [a, b, c] = packetizeH264([nal], 6);
    expect(a![0]).toBe(0xe0 | 28);
    expect(a![1]).toBe(0x80 | 5); // S=1 E=0 R=0
    expect(b![1]).toBe(0x05); // middle: S=0 E=0
    expect(c![1]).toBe(0x40 | 5); // E=1
    expect([...a!.subarray(2)]).toEqual([...nal.subarray(1, 5)]);
    const nri2 = packetizeH264([patterned([0x41], 10)], 6)[0]!;
    expect(nri2[0]).toBe(0x5c); // 0 10 11100: NRI=2, type 28
  });

  it('aggregates SPS+PPS+SEI into one STAP-A, strips AUD, sends slices alone', () => {
    const slice = patterned([0x41, 0x9a], 1360, 3);
    const payloads = packetizeH264([AUD, SPS, PPS, SEI, slice], 1400);
    expect(payloads).toHaveLength(2);
    const stap = payloads[0]!;
    // STAP-A header: F=0, NRI = max(3, 3, 0) = 3, type 24; then 16-bit sizes (RFC 6184 §5.7.1).
    expect(stap[0]).toBe(0x78);
    expect([stap[1], stap[2]]).toEqual([0, SPS.length]);
    expect(stap.length).toBe(1 + 2 + SPS.length + 2 + PPS.length + 2 + SEI.length);
    // The 1360-byte slice no longer fits beside them, so it goes as a single NAL unit packet.
    expect(payloads[1]).toBe(slice);
    const frames = depacketize(asPackets(payloads, 90, 1));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.data).toEqual([SPS, PPS, SEI, slice]);
  });

  it('aggregates any NALs that fit together, slices included (RFC 6184 §5.7.1)', () => {
    const payloads = packetizeH264([SPS, PPS, P_SLICE], 1400);
    expect(payloads).toHaveLength(1);
    expect(depacketize(asPackets(payloads, 0, 0))[0]!.data).toEqual([SPS, PPS, P_SLICE]);
  });

  it('STAP-A with SPS+PPS only, then an IDR fragmented', () => {
    const payloads = packetizeH264([SPS, PPS, IDR], 1400);
    expect(payloads[0]![0]! & 0x1f).toBe(24);
    expect(payloads[1]![0]! & 0x1f).toBe(28);
    const frames = depacketize(asPackets(payloads, 0, 0));
    expect(frames[0]!.data).toEqual([SPS, PPS, IDR]);
    expect(isH264KeyFrame(frames[0]!.data)).toBe(true);
  });

  it('a NAL of exactly the MTU is a single NAL unit packet; one byte more is FU-A', () => {
    expect(packetizeH264([patterned([0x41], 1400)], 1400)).toHaveLength(1);
    const two = packetizeH264([patterned([0x41], 1401)], 1400);
    expect(two.map((p) => p[0]! & 0x1f)).toEqual([28, 28]);
  });

  it('rejects an MTU too small to carry a fragment', () => {
    expect(() => packetizeH264([IDR], 2)).toThrow(/MTU/);
  });
});

describe('H264Depacketizer', () => {
  it('drops a fragmented NAL that lost a fragment, keeps the rest, marks the frame damaged', () => {
    const payloads = packetizeH264([SPS, PPS, IDR], 1400);
    const pkts = asPackets(payloads, 1000, 10);
    pkts.splice(20, 1);
    const frames = depacketize(pkts);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBe(true);
    expect(frames[0]!.data).toEqual([SPS, PPS]);
  });

  it('losing the marker packet still emits the frame (damaged) on the next timestamp', () => {
    const d = new H264Depacketizer();
    const a = asPackets(packetizeH264([IDR], 1400), 0, 0);
    const lastSeq = a[a.length - 1]!.sequenceNumber;
    const out = a.slice(0, -1).flatMap((p) => d.push(p));
    expect(out).toEqual([]);
    const next = d.push({ payload: P_SLICE, timestamp: 3000, sequenceNumber: lastSeq + 1, marker: true });
    expect(next).toHaveLength(2);
    expect(next[0]!.damaged).toBe(true);
    expect(next[0]!.data).toEqual([]);
    // The P slice may have lost nothing, but its reference did: it is flagged too.
    expect(next[1]!.data).toEqual([P_SLICE]);
    expect(next[1]!.damaged).toBe(true);
  });

  it('emits on timestamp change when the sender never sets the marker', () => {
    const d = new H264Depacketizer();
    expect(d.push({ payload: P_SLICE, timestamp: 0, sequenceNumber: 5, marker: false })).toEqual([]);
    const out = d.push({ payload: P_SLICE, timestamp: 3000, sequenceNumber: 6, marker: false });
    expect(out).toEqual([{ timestamp: 0, data: [P_SLICE] }]);
  });

  it('ignores duplicates and never emits garbage for a stream starting mid-FU', () => {
    const d = new H264Depacketizer();
    const pkts = asPackets(packetizeH264([IDR], 1400), 0, 100);
    const frames = pkts.slice(5).flatMap((p) => [...d.push(p), ...d.push(p)]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.data).toEqual([]);
    expect(frames[0]!.damaged).toBe(true);
  });

  it('fuzz: 20 000 random and mutated packets never throw, every NAL is non-empty (seed 2)', () => {
    const rnd = prng(2);
    const d = new H264Depacketizer();
    const corpus = [
      ...packetizeH264([SPS, PPS, patterned([0x65], 5000)], 1200),
      ...packetizeH264([P_SLICE], 400),
    ];
    let seq = 0;
    let ts = 0;
    for (let i = 0; i < 20000; i++) {
      const r = rnd();
      const payload = r < 0.3 ? randomBytes(rnd, randInt(rnd, 60)) : r < 0.7 ? mutate(rnd, corpus[randInt(rnd, corpus.length)]!) : corpus[randInt(rnd, corpus.length)]!;
      seq = (seq + (rnd() < 0.1 ? randInt(rnd, 5000) - 100 : 1)) & 0xffff;
      if (rnd() < 0.1) ts += 3000;
      for (const f of d.push({ payload, timestamp: ts, sequenceNumber: seq, marker: rnd() < 0.1 })) {
        for (const n of f.data) expect(n.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('H.264 bitstream helpers', () => {
  it('splitAnnexB handles 3- and 4-byte start codes and trailing zeros', () => {
    const buf = Uint8Array.of(0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 0, 1, 0x65, 4, 5, 0);
    expect(splitAnnexB(buf).map((n) => [...n])).toEqual([[0x67, 1, 2], [0x68, 3], [0x65, 4, 5]]);
    expect(splitAnnexB(Uint8Array.of(1, 2, 3))).toEqual([]);
    expect(splitAnnexB(new Uint8Array(0))).toEqual([]);
  });

  it('splitLengthPrefixed reads AVCC samples and rejects overruns', () => {
    const buf = Uint8Array.of(0, 0, 0, 2, 0x65, 1, 0, 0, 0, 1, 0x41);
    expect(splitLengthPrefixed(buf, 4).map((n) => [...n])).toEqual([[0x65, 1], [0x41]]);
    expect(splitLengthPrefixed(Uint8Array.of(0, 1, 9), 2).map((n) => [...n])).toEqual([[9]]);
    expect(() => splitLengthPrefixed(Uint8Array.of(0, 0, 0, 5, 1), 4)).toThrow(/overruns/);
    expect(() => splitLengthPrefixed(Uint8Array.of(0, 0), 4)).toThrow(/truncated/);
    expect(() => splitLengthPrefixed(buf, 5)).toThrow(/1..4/);
  });

  it('isH264KeyFrame looks for an IDR slice', () => {
    expect(isH264KeyFrame([SPS, PPS, IDR])).toBe(true);
    expect(isH264KeyFrame([P_SLICE])).toBe(false);
    expect(isH264KeyFrame([new Uint8Array(0)])).toBe(false);
  });
});
