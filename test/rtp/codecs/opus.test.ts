import { describe, it, expect } from 'vitest';
import { OpusDepacketizer, packetizeOpus } from '../../../server/rtp/codecs/opus.js';
import { prng, randInt, randomBytes } from '../prng.js';

describe('Opus (RFC 7587)', () => {
  it('one Opus packet per payload, round trip', () => {
    const frames = [randomBytes(prng(7), 120), randomBytes(prng(8), 3)];
    const payloads = packetizeOpus(frames, 1400);
    expect(payloads).toEqual(frames);
    const d = new OpusDepacketizer();
    const out = payloads.flatMap((payload, i) => d.push({ payload, timestamp: i * 960, sequenceNumber: 65535 + i, marker: false }));
    expect(out).toEqual([
      { timestamp: 0, data: [frames[0]] },
      { timestamp: 960, data: [frames[1]] },
    ]);
  });

  it('refuses to fragment (RFC 7587 has none)', () => {
    expect(() => packetizeOpus([new Uint8Array(1500)], 1400)).toThrow(/fragmentation/);
  });

  it('drops empty payloads and duplicates, survives loss', () => {
    const d = new OpusDepacketizer();
    const p = Uint8Array.of(0xfc, 1, 2);
    expect(d.push({ payload: p, timestamp: 0, sequenceNumber: 1, marker: true })).toHaveLength(1);
    expect(d.push({ payload: p, timestamp: 0, sequenceNumber: 1, marker: true })).toEqual([]);
    expect(d.push({ payload: new Uint8Array(0), timestamp: 960, sequenceNumber: 2, marker: true })).toEqual([]);
    expect(d.push({ payload: p, timestamp: 2880, sequenceNumber: 4, marker: true })).toEqual([{ timestamp: 2880, data: [p] }]);
  });

  it('fuzz: 20 000 random packets never throw; a frame is a non-empty payload as sent, at its timestamp (seed 9)', () => {
    const rnd = prng(9);
    const d = new OpusDepacketizer();
    let frames = 0;
    for (let i = 0; i < 20000; i++) {
      const pkt = { payload: randomBytes(rnd, randInt(rnd, 20)), timestamp: randInt(rnd, 2 ** 32), sequenceNumber: randInt(rnd, 65536), marker: rnd() < 0.5 };
      const out = d.push(pkt);
      expect(out.length).toBeLessThanOrEqual(1);
      for (const f of out) {
        expect(f.data).toEqual([pkt.payload]);
        expect(pkt.payload.length).toBeGreaterThan(0);
        expect(f.timestamp).toBe(pkt.timestamp);
        frames++;
      }
    }
    // Random sequence numbers: about half the packets come after the last one and are kept.
    expect(frames).toBeGreaterThan(5000);
    expect(frames).toBeLessThan(20000);
  });
});
