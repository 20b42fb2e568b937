// ReorderBuffer: in-order passthrough, gaps filled or given up (time, size), duplicates, wrap, fuzzed permutations.
import { describe, expect, it } from 'vitest';
import { ReorderBuffer } from '../../server/rtp/reorder.js';
import { prng, randInt } from './prng.js';

interface P {
  seq: number;
  n: number;
}
const pk = (seq: number, n = seq): P => ({ seq: seq & 0xffff, n });
const seqs = (ps: P[]): number[] => ps.map((p) => p.seq);

describe('ReorderBuffer', () => {
  it('passes in-order packets straight through, with no delay', () => {
    const r = new ReorderBuffer<P>();
    for (let s = 100; s < 200; s++) expect(seqs(r.push(pk(s), 0))).toEqual([s]);
    expect(r.stats).toEqual({ released: 100, lost: 0, duplicates: 0, late: 0, reordered: 0, resyncs: 0 });
    expect(r.size).toBe(0);
  });

  it('puts a swapped pair back in order', () => {
    const r = new ReorderBuffer<P>();
    expect(seqs(r.push(pk(1), 0))).toEqual([1]);
    expect(seqs(r.push(pk(3), 1))).toEqual([]);
    expect(seqs(r.push(pk(2), 2))).toEqual([2, 3]);
    expect(seqs(r.push(pk(4), 3))).toEqual([4]);
    expect(r.stats).toMatchObject({ released: 4, lost: 0, reordered: 1 });
  });

  it('gives up on a gap after maxDelayMs, on push or on flush, and counts it lost', () => {
    const r = new ReorderBuffer<P>({ maxDelayMs: 50 });
    r.push(pk(10), 0);
    expect(seqs(r.push(pk(12), 10))).toEqual([]);
    expect(seqs(r.push(pk(13), 20))).toEqual([]);
    expect(seqs(r.flush(59))).toEqual([]);
    expect(seqs(r.flush(60))).toEqual([12, 13]);
    expect(r.stats).toMatchObject({ released: 3, lost: 1 });
    // A second gap expires on a push that arrives late enough.
    expect(seqs(r.push(pk(15), 100))).toEqual([]);
    expect(seqs(r.push(pk(16), 151))).toEqual([15, 16]);
    expect(r.stats).toMatchObject({ released: 5, lost: 2 });
    // The packet given up on arrives after all: late, dropped.
    expect(r.push(pk(11), 160)).toEqual([]);
    expect(r.stats.late).toBe(1);
  });

  it('waits for the oldest held packet, across several gaps', () => {
    const r = new ReorderBuffer<P>({ maxDelayMs: 50 });
    r.push(pk(0), 0);
    r.push(pk(5), 0);
    r.push(pk(3), 40);
    // 5 has waited 50 ms: both gaps (1-2 and 4) go, in order.
    expect(seqs(r.flush(50))).toEqual([3, 5]);
    expect(r.stats).toMatchObject({ lost: 3, released: 3 });
  });

  it('drops duplicates, whether already released or still held', () => {
    const r = new ReorderBuffer<P>();
    r.push(pk(1), 0);
    expect(r.push(pk(1), 1)).toEqual([]);
    r.push(pk(3), 2);
    expect(r.push(pk(3), 3)).toEqual([]);
    expect(seqs(r.push(pk(2), 4))).toEqual([2, 3]);
    expect(r.push(pk(2), 5)).toEqual([]);
    expect(r.stats).toMatchObject({ released: 3, duplicates: 3, late: 0 });
  });

  it('handles the wrap from 65535 to 0', () => {
    const r = new ReorderBuffer<P>();
    const out = [65533, 65534, 0, 65535, 2, 1, 3].flatMap((s) => seqs(r.push(pk(s), 0)));
    expect(out).toEqual([65533, 65534, 65535, 0, 1, 2, 3]);
    expect(r.stats).toMatchObject({ released: 7, lost: 0, reordered: 2 });
  });

  it('gives up on a gap when more than maxPackets wait behind it', () => {
    const r = new ReorderBuffer<P>({ maxPackets: 64, maxDelayMs: 1e9 });
    r.push(pk(0), 0);
    // 1 is lost; 2..65 (64 packets) wait; 66 overflows the window.
    for (let s = 2; s <= 65; s++) expect(r.push(pk(s), 0)).toEqual([]);
    expect(r.size).toBe(64);
    const out = seqs(r.push(pk(66), 0));
    expect(out).toEqual(Array.from({ length: 65 }, (_, i) => i + 2));
    expect(r.size).toBe(0);
    expect(r.stats).toMatchObject({ released: 66, lost: 1 });
    // A far jump (a dropout under RFC 3550's 3000) moves the window at once: 67..1001 are lost,
    // 1002..1065 may still come.
    expect(r.push(pk(1066), 0)).toEqual([]);
    expect(r.stats.lost).toBe(1 + 935);
    expect(seqs(r.push(pk(1002), 0))).toEqual([1002]);
    expect(seqs(r.drain())).toEqual([1066]);
    expect(r.stats.lost).toBe(1 + 935 + 63);
  });

  it('accepts a sequence restart once the next packet confirms it, and ignores a lone stray', () => {
    const r = new ReorderBuffer<P>();
    r.push(pk(100), 0);
    expect(r.push(pk(40000), 1)).toEqual([]); // stray
    expect(seqs(r.push(pk(101), 2))).toEqual([101]);
    expect(r.stats).toMatchObject({ late: 1, resyncs: 0 });
    expect(r.push(pk(20000), 3)).toEqual([]);
    expect(seqs(r.push(pk(20001), 4))).toEqual([20000, 20001]);
    expect(seqs(r.push(pk(20002), 5))).toEqual([20002]);
    expect(r.stats).toMatchObject({ resyncs: 1, released: 5 });
  });

  it('drain() hands out everything held, in order', () => {
    const r = new ReorderBuffer<P>();
    r.push(pk(1), 0);
    r.push(pk(4), 0);
    r.push(pk(3), 0);
    expect(seqs(r.drain())).toEqual([3, 4]);
    expect(r.size).toBe(0);
  });

  it('rejects nonsense options', () => {
    expect(() => new ReorderBuffer({ maxPackets: 0 })).toThrow(/maxPackets/);
    expect(() => new ReorderBuffer({ maxDelayMs: -1 })).toThrow(/maxDelayMs/);
  });

  it('fuzz: permutations within the window release every packet exactly once, in order', () => {
    const rnd = prng(0x5eed);
    for (let round = 0; round < 200; round++) {
      const window = 1 + randInt(rnd, 40);
      const count = 50 + randInt(rnd, 400);
      const first = randInt(rnd, 0x10000);
      // Each packet moves at most `window` places: a shuffle inside consecutive blocks plus random swaps.
      const order = Array.from({ length: count }, (_, i) => i);
      for (let i = 0; i < count; i += window) {
        const end = Math.min(count, i + window);
        for (let k = end - 1; k > i; k--) {
          const j = i + randInt(rnd, k - i + 1);
          [order[k], order[j]] = [order[j]!, order[k]!];
        }
      }
      // The first packet to arrive opens the window: anything older would count as late.
      order.splice(order.indexOf(0), 1);
      order.unshift(0);
      const dupes = rnd() < 0.5;
      const r = new ReorderBuffer<P>({ maxPackets: 64, maxDelayMs: 1e9 });
      const out: P[] = [];
      let t = 0;
      for (const i of order) {
        out.push(...r.push(pk(first + i, i), t++));
        if (dupes && rnd() < 0.1) out.push(...r.push(pk(first + i, i), t++));
      }
      out.push(...r.drain());
      expect(out.map((p) => p.n)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(r.stats.lost).toBe(0);
      expect(r.stats.late).toBe(0);
    }
  });

  it('fuzz: losses and jitter never break order, duplicate a packet or hold more than maxPackets', () => {
    const rnd = prng(77);
    for (let round = 0; round < 100; round++) {
      const maxPackets = 1 + randInt(rnd, 64);
      const r = new ReorderBuffer<P>({ maxPackets, maxDelayMs: randInt(rnd, 100) });
      const first = randInt(rnd, 0x10000);
      const arrivals = Array.from({ length: 600 }, (_, i) => ({ i, at: i + randInt(rnd, 80) })).filter(() => rnd() > 0.05);
      arrivals.sort((a, b) => a.at - b.at);
      const out: P[] = [];
      let most = 0;
      for (const a of arrivals) {
        out.push(...r.push(pk(first + a.i, a.i), a.at));
        most = Math.max(most, r.size);
      }
      expect(most).toBeLessThanOrEqual(maxPackets);
      out.push(...r.flush(1e9), ...r.drain());
      const ns = out.map((p) => p.n);
      for (let k = 1; k < ns.length; k++) expect(ns[k]!).toBeGreaterThan(ns[k - 1]!);
      const s = r.stats;
      expect(s.released).toBe(out.length);
      expect(s.released + s.late).toBe(arrivals.length);
    }
  });
});
