import { describe, it, expect } from 'vitest';
import { G711Depacketizer, packetizeG711 } from '../../../server/rtp/codecs/g711.js';
import { prng, randInt, randomBytes } from '../prng.js';

describe('G.711 (RFC 3551 §4.5.14)', () => {
  it('a 20 ms frame (160 bytes at 8 kHz) is one payload', () => {
    const f = randomBytes(prng(10), 160);
    expect(packetizeG711([f], 1400)).toEqual([f]);
  });

  it('splits raw samples into <= MTU chunks and reassembles them', () => {
    const f = randomBytes(prng(11), 1000);
    const payloads = packetizeG711([f], 320);
    expect(payloads.map((p) => p.length)).toEqual([320, 320, 320, 40]);
    const d = new G711Depacketizer();
    // Chunk k starts k * 320 samples later: one byte is one sample.
    const out = payloads.flatMap((payload, k) => d.push({ payload, timestamp: 8000 + k * 320, sequenceNumber: k, marker: false }));
    expect(out.map((o) => o.timestamp)).toEqual([8000, 8320, 8640, 8960]);
    expect(new Uint8Array(out.flatMap((o) => [...o.data[0]!]))).toEqual(f);
  });

  it('fuzz: 20 000 random packets never throw (seed 12)', () => {
    const rnd = prng(12);
    const d = new G711Depacketizer();
    for (let i = 0; i < 20000; i++) {
      const out = d.push({ payload: randomBytes(rnd, randInt(rnd, 20)), timestamp: randInt(rnd, 2 ** 32), sequenceNumber: randInt(rnd, 65536), marker: false });
      for (const f of out) expect(f.data[0]!.length).toBeGreaterThan(0);
    }
  });
});
