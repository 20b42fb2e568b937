import { describe, it, expect } from 'vitest';
import {
  AacDepacketizer,
  makeAudioSpecificConfig,
  packetizeAac,
  parseAdtsFrames,
  parseAudioSpecificConfig,
} from '../../../server/rtp/codecs/aac.js';
import { asPackets, mutate, patterned, prng, randInt, randomBytes } from '../prng.js';

const frame = (size: number, salt = 0) => patterned([0x21], size, salt);

describe('packetizeAac (RFC 3640 AAC-hbr)', () => {
  it('lays out AU-headers-length and 13+3-bit AU headers as in RFC 3640 §3.3.6', () => {
    // Two AUs of 300 and 5 bytes: AU-headers-length = 32 bits; AU-size << 3 | index(-delta) 0.
    const [p] = packetizeAac([frame(300), frame(5, 1)], 1400);
    expect([...p!.subarray(0, 6)]).toEqual([0x00, 0x20, 300 >> 5, (300 & 0x1f) << 3, 0x00, 5 << 3]);
    expect(p!.length).toBe(6 + 305);
  });

  it('one AU per call, the normal case: 4 header bytes + the frame', () => {
    const f = frame(371);
    const [p, more] = packetizeAac([f], 1400);
    expect(more).toBeUndefined();
    expect([...p!.subarray(0, 4)]).toEqual([0x00, 0x10, 371 >> 5, (371 & 0x1f) << 3]);
    expect(p!.subarray(4)).toEqual(f);
  });

  it('aggregates while they fit, then starts a new packet', () => {
    const frames = Array.from({ length: 10 }, (_, i) => frame(300, i));
    const payloads = packetizeAac(frames, 1400);
    expect(payloads.map((p) => (p[0]! << 8 | p[1]!) / 16)).toEqual([4, 4, 2]);
    for (const p of payloads) expect(p.length).toBeLessThanOrEqual(1400);
  });

  it('fragments an AU larger than the MTU; every fragment carries the full AU size (§3.2.3)', () => {
    const big = frame(3000, 9);
    const payloads = packetizeAac([big], 1400);
    expect(payloads.map((p) => p.length)).toEqual([1400, 1400, 3000 - 2 * 1396 + 4]);
    for (const p of payloads) {
      expect([p[0], p[1]]).toEqual([0, 16]);
      expect((p[2]! << 5) | (p[3]! >>> 3)).toBe(3000);
    }
    const d = new AacDepacketizer();
    const out = asPackets(payloads, 1024, 7).flatMap((p) => d.push(p));
    expect(out).toEqual([{ timestamp: 1024, data: [big] }]);
  });

  it('rejects frames the 13-bit AU-size cannot describe', () => {
    expect(() => packetizeAac([frame(8192)], 20000)).toThrow(/8191/);
  });
});

describe('AacDepacketizer', () => {
  it('splits aggregated AUs, timestamp i = packet timestamp + i * samplesPerFrame', () => {
    const frames = [frame(200, 1), frame(210, 2), frame(220, 3)];
    const [p] = packetizeAac(frames, 1400);
    const out = new AacDepacketizer().push({ payload: p!, timestamp: 0xffffff00, sequenceNumber: 1, marker: true });
    expect(out.map((f) => f.timestamp)).toEqual([0xffffff00, 0x00000300, 0x00000700]);
    expect(out.map((f) => f.data[0])).toEqual(frames);
    const d960 = new AacDepacketizer(960).push({ payload: p!, timestamp: 0, sequenceNumber: 1, marker: true });
    expect(d960.map((f) => f.timestamp)).toEqual([0, 960, 1920]);
  });

  it('drops a fragmented AU that lost a fragment, and one that started mid-way', () => {
    const big = frame(5000, 4);
    const pkts = asPackets(packetizeAac([big], 1400), 0, 0);
    const d = new AacDepacketizer();
    expect([pkts[0]!, pkts[2]!, pkts[3]!].flatMap((p) => d.push(p))).toEqual([]);
    const d2 = new AacDepacketizer();
    expect(pkts.slice(1).flatMap((p) => d2.push(p))).toEqual([]);
    // The next AU after the loss comes through intact.
    const next = asPackets(packetizeAac([frame(100)], 1400), 1024, 4);
    expect(d.push(next[0]!)).toEqual([{ timestamp: 1024, data: [frame(100)] }]);
  });

  it('fuzz: 20 000 random and mutated payloads never throw (seed 4)', () => {
    const rnd = prng(4);
    const d = new AacDepacketizer();
    const corpus = [...packetizeAac([frame(3000)], 1200), ...packetizeAac([frame(100), frame(200)], 1200)];
    let seq = 0;
    for (let i = 0; i < 20000; i++) {
      const r = rnd();
      const payload = r < 0.3 ? randomBytes(rnd, randInt(rnd, 40)) : r < 0.7 ? mutate(rnd, corpus[randInt(rnd, corpus.length)]!) : corpus[randInt(rnd, corpus.length)]!;
      seq = (seq + (rnd() < 0.1 ? randInt(rnd, 5000) - 100 : 1)) & 0xffff;
      for (const f of d.push({ payload, timestamp: randInt(rnd, 3) * 1024, sequenceNumber: seq, marker: rnd() < 0.5 })) {
        expect(f.data).toHaveLength(1);
        expect(f.data[0]!.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('AudioSpecificConfig', () => {
  const cases: [string, number, number, number, number[]][] = [
    ['AAC-LC 44.1 kHz stereo', 2, 44100, 2, [0x12, 0x10]],
    ['AAC-LC 48 kHz stereo', 2, 48000, 2, [0x11, 0x90]],
    ['AAC-LC 8 kHz mono', 2, 8000, 1, [0x15, 0x88]],
    ['HE-AAC 24 kHz stereo', 5, 24000, 2, [0x2b, 0x10]],
    ['explicit 50 kHz (0xf escape)', 2, 50000, 1, [0x17, 0x80, 0x61, 0xa8, 0x08]],
    ['escaped object type 42 (31, then 42 - 32 in 6 bits)', 42, 48000, 2, [0xf9, 0x46, 0x40]],
  ];
  for (const [name, ot, rate, ch, bytes] of cases) {
    it(`round-trips ${name}`, () => {
      const asc = makeAudioSpecificConfig(ot, rate, ch);
      expect([...asc]).toEqual(bytes);
      expect(parseAudioSpecificConfig(asc)).toEqual({ objectType: ot, sampleRate: rate, channels: ch });
    });
  }

  it('rejects truncated and reserved configs', () => {
    expect(() => parseAudioSpecificConfig(Uint8Array.of(0x12))).toThrow(/truncated/);
    expect(() => parseAudioSpecificConfig(Uint8Array.of(0x16, 0x90))).toThrow(/reserved/); // index 13
    expect(() => makeAudioSpecificConfig(2, 48000, 16)).toThrow(/channel/);
  });

  it('fuzz: parser throws only Error instances (20 000 inputs, seed 5)', () => {
    const rnd = prng(5);
    for (let i = 0; i < 20000; i++) {
      try {
        parseAudioSpecificConfig(randomBytes(rnd, randInt(rnd, 7)));
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
  });
});

function adts(payload: Uint8Array, crc = false): Uint8Array {
  // AAC-LC (profile 1), 44.1 kHz (index 4), 2 channels, one raw data block.
  const len = payload.length + (crc ? 9 : 7);
  const h = [0xff, crc ? 0xf0 : 0xf1, (1 << 6) | (4 << 2) | 0, (2 << 6) | (len >>> 11), (len >>> 3) & 0xff, ((len & 7) << 5) | 0x1f, 0xfc];
  if (crc) h.push(0x12, 0x34);
  const out = new Uint8Array(len);
  out.set(h);
  out.set(payload, h.length);
  return out;
}

describe('parseAdtsFrames', () => {
  it('splits frames, skips the CRC, derives the AudioSpecificConfig', () => {
    const a = frame(100, 1);
    const b = frame(33, 2);
    const buf = new Uint8Array([...adts(a), ...adts(b, true)]);
    const { frames, asc } = parseAdtsFrames(buf);
    expect(frames).toEqual([a, b]);
    expect([...asc]).toEqual([0x12, 0x10]);
  });

  it('throws on lost sync, truncation and empty input', () => {
    const f = adts(frame(50));
    expect(() => parseAdtsFrames(f.subarray(0, 30))).toThrow(/declares/);
    expect(() => parseAdtsFrames(new Uint8Array([...f, 0, 1, 2, 3, 4, 5, 6, 7]))).toThrow(/sync/);
    expect(() => parseAdtsFrames(new Uint8Array(0))).toThrow(/no ADTS/);
  });

  it('fuzz: throws only Error instances (20 000 inputs, seed 6)', () => {
    const rnd = prng(6);
    const seed = new Uint8Array([...adts(frame(40)), ...adts(frame(20), true)]);
    for (let i = 0; i < 20000; i++) {
      try {
        parseAdtsFrames(mutate(rnd, seed));
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }
  });
});
