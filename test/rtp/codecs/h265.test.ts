import { describe, it, expect } from 'vitest';
import { H265Depacketizer, isH265KeyFrame, packetizeH265 } from '../../../server/rtp/codecs/h265.js';
import type { DepacketizedFrame } from '../../../server/rtp/codecs/frame.js';
import { asPackets, mutate, patterned, prng, randInt, randomBytes } from '../prng.js';

// 2-byte NAL headers: type << 1, then LayerId=0, TID=1 (RFC 7798 §1.1.4).
const VPS = patterned([0x40, 0x01], 24);
const SPS = patterned([0x42, 0x01], 40);
const PPS = patterned([0x44, 0x01], 8);
const AUD = Uint8Array.of(0x46, 0x01, 0x50);
const IDR = patterned([0x26, 0x01], 120_000, 1); // IDR_W_RADL (19)
const TRAIL = patterned([0x02, 0x01], 700, 2);

function depacketize(pkts: ReturnType<typeof asPackets>): DepacketizedFrame[] {
  const d = new H265Depacketizer();
  return pkts.flatMap((p) => d.push(p));
}

describe('packetizeH265', () => {
  it('fragments a 120 kB IDR into FUs <= MTU and reassembles it byte-identical', () => {
    const payloads = packetizeH265([IDR], 1400);
    expect(payloads.length).toBe(Math.ceil((IDR.length - 2) / 1397));
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(1400);
    const frames = depacketize(asPackets(payloads, 90000, 65000));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBeUndefined();
    expect(frames[0]!.data[0]).toEqual(IDR);
  });

  it('FU PayloadHdr is type 49 with F/LayerId/TID kept; FU header has S/E/FuType (RFC 7798 §4.4.3)', () => {
    const payloads = packetizeH265([patterned([0x26, 0x01], 20)], 10);
    expect(payloads).toHaveLength(3);
    expect([payloads[0]![0], payloads[0]![1]]).toEqual([0x62, 0x01]);
    expect(payloads[0]![2]).toBe(0x80 | 19);
    expect(payloads[1]![2]).toBe(19);
    expect(payloads[2]![2]).toBe(0x40 | 19);
  });

  it('aggregates VPS+SPS+PPS into an AP (type 48), strips AUD', () => {
    const payloads = packetizeH265([AUD, VPS, SPS, PPS, IDR], 1400);
    const ap = payloads[0]!;
    expect((ap[0]! >>> 1) & 0x3f).toBe(48);
    expect(ap[1]).toBe(0x01); // lowest LayerId 0, lowest TID 1
    expect(ap.length).toBe(2 + 2 + VPS.length + 2 + SPS.length + 2 + PPS.length);
    const frames = depacketize(asPackets(payloads, 0, 0));
    expect(frames[0]!.data).toEqual([VPS, SPS, PPS, IDR]);
    expect(isH265KeyFrame(frames[0]!.data)).toBe(true);
  });

  it('sends a lone small NAL as a single NAL unit packet', () => {
    expect(packetizeH265([TRAIL], 1400)).toEqual([TRAIL]);
  });
});

describe('H265Depacketizer', () => {
  it('drops a fragmented NAL that lost a fragment and marks the frame damaged', () => {
    const pkts = asPackets(packetizeH265([VPS, SPS, PPS, IDR], 1400), 0, 0);
    pkts.splice(40, 1);
    const frames = depacketize(pkts);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.damaged).toBe(true);
    expect(frames[0]!.data).toEqual([VPS, SPS, PPS]);
  });

  it('emits consecutive frames by marker, with their timestamps', () => {
    const d = new H265Depacketizer();
    const a = asPackets(packetizeH265([IDR], 1400), 0, 0);
    const b = asPackets(packetizeH265([TRAIL], 1400), 3000, a.length);
    const frames = [...a, ...b].flatMap((p) => d.push(p));
    expect(frames.map((f) => f.timestamp)).toEqual([0, 3000]);
    expect(frames[1]!.data).toEqual([TRAIL]);
  });

  it('isH265KeyFrame accepts IRAP types 16..23 only', () => {
    for (let t = 0; t < 40; t++) {
      expect(isH265KeyFrame([Uint8Array.of(t << 1, 1, 0)])).toBe(t >= 16 && t <= 23);
    }
  });

  it('fuzz: 20 000 random and mutated packets never throw (seed 3)', () => {
    const rnd = prng(3);
    const d = new H265Depacketizer();
    const corpus = [...packetizeH265([VPS, SPS, PPS, patterned([0x26, 0x01], 4000)], 1000), TRAIL];
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
