// JitterBuffer with B-frame timestamps (decode order differs from pts order) and a fuzz run; the
// ordering and playout-delay cases are in jitter-buffer.test.ts.
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type RtpPacketIn } from '../../player/src/jitter-buffer.js';
import { prng } from '../helpers/prng.js';
import { seqDiff } from '../../server/rtp/sequence.js';

describe('JitterBuffer with B-frames (timestamps not in sequence order)', () => {
  /**
   * x264's default GOP at 30 fps as Tidecast sends it, paced in decode order: I0 P3 B1 B2 P6 B4
   * B5 ..., one packet per frame every 33.3 ms; pts run 100 ms ahead of decode for P-frames.
   */
  function bframes(n: number, delay: (k: number) => number = () => 0): RtpPacketIn[] {
    const out: RtpPacketIn[] = [];
    for (let k = 0; k < n; k++) {
      // Decode index k -> display index: 0, 3, 1, 2, 6, 4, 5, 9, 7, 8, ...
      const g = Math.floor((k - 1) / 3);
      const r = (k - 1) % 3;
      const disp = k === 0 ? 0 : r === 0 ? 3 * g + 3 : 3 * g + r;
      out.push({ seq: k, timestamp: disp * 3000, marker: true, payload: new Uint8Array([k & 0xff]), arrivalMs: (k * 100) / 3 + delay(k) });
    }
    return out;
  }

  it('needs only the reorder depth as delay on a clean network, and shows every frame on time', () => {
    const jb = new JitterBuffer({ clockRate: 90_000, minDelayMs: 20, now: () => 0 });
    const pkts = bframes(600);
    const released: { k: number; at: number; due: number; late: number }[] = [];
    let i = 0;
    for (let t = 0; t < 21_000; t += 1) {
      while (i < pkts.length && pkts[i]!.arrivalMs <= t) jb.push(pkts[i++]!);
      for (const r of jb.pop(t)) released.push({ k: r.packet.seq, at: t, due: r.playoutMs, late: r.lateMs });
    }
    expect(released.map((r) => r.k)).toEqual(Array.from({ length: 600 }, (_, k) => k));
    const s = jb.stats(21_000);
    // The B-frames arrive up to 100 ms after their timestamps say (P's arrive 100 ms early):
    // d + 4v on raw transits would ask ~250 ms over the P-frames' transit; on decode-order
    // transits there is no jitter at all, so the delay is the minimum over the B-frames' transit.
    expect(s.delayMs).toBeLessThan(25);
    expect(s.lost + s.late).toBe(0);
    // After the first seconds nothing leaves after its playout time.
    expect(released.filter((r) => r.at > 5000 && r.late > 1)).toEqual([]);
    // A P-frame leaves with the B-frame after it (when that one is due), not 100 ms later.
    const p3 = released.find((r) => r.k === 301)!;
    const b1 = released.find((r) => r.k === 302)!;
    expect(p3.at).toBe(b1.at);
    // ...and every B-frame leaves about the minimum delay after it arrived (not 100 ms more).
    for (const r of released.filter((x) => x.at > 5000 && x.k % 3 !== 1)) expect(r.at - pkts[r.k]!.arrivalMs).toBeLessThanOrEqual(26);
  });

  it('grows and shrinks with jitter on top of the B-frame pattern', () => {
    const rand = prng(11);
    const jb = new JitterBuffer({ clockRate: 90_000, minDelayMs: 20, now: () => 0 });
    const pkts = bframes(1200, (k) => (k >= 300 && k < 600 ? rand() * 150 : 0)).sort((a, b) => a.arrivalMs - b.arrivalMs);
    const delays: number[] = [];
    let i = 0;
    for (let t = 0; t < 41_000; t += 5) {
      while (i < pkts.length && pkts[i]!.arrivalMs <= t) jb.push(pkts[i++]!);
      jb.pop(t);
      if (t % 1000 === 0) delays.push(jb.stats(t).delayMs);
    }
    const before = delays[9]!;
    const during = delays[19]!;
    const after = delays[40]!;
    expect(during).toBeGreaterThan(before + 100);
    expect(after).toBeLessThan(before + 20);
  });
});

describe('JitterBuffer fuzz', () => {
  it('random packets never throw, stay bounded, and leave in sequence order within an epoch', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rand = prng(seed);
      const cap = 16 + Math.floor(rand() * 64);
      let t = 0;
      const jb = new JitterBuffer({ clockRate: rand() < 0.5 ? 90_000 : 48_000, maxPackets: cap, now: () => t });
      let seq = Math.floor(rand() * 65536);
      let ts = Math.floor(rand() * 2 ** 32);
      let pushed = 0;
      let released = 0;
      let lastSeq = -1;
      let lastEpoch = 0;
      const epochOf = new Map<RtpPacketIn, number>();
      let prev: RtpPacketIn | undefined;
      for (let k = 0; k < 3000; k++) {
        t += rand() * 10;
        const r = rand();
        let s = seq;
        if (r < 0.05) s = Math.floor(rand() * 65536); // wild
        else if (r < 0.2) s = seq - Math.floor(rand() * 40); // reordered / duplicate
        else if (r < 0.3) seq += Math.floor(rand() * 30); // loss burst
        else seq++;
        ts = (ts + Math.floor(rand() * 3000)) >>> 0;
        const timestamp = rand() < 0.02 ? Math.floor(rand() * 2 ** 32) : ts;
        const p = { seq: s & 0xffff, timestamp, marker: rand() < 0.3, payload: new Uint8Array(0), arrivalMs: t };
        jb.push(p);
        const epoch = jb.stats(t).resyncs;
        // A restart is confirmed by the packet after the jump: the jump belongs to the new epoch.
        if (prev && epoch !== epochOf.get(prev)) epochOf.set(prev, epoch);
        epochOf.set(p, epoch);
        prev = p;
        pushed++;
        if (rand() < 0.3) {
          const out = jb.pop(t);
          released += out.length;
          for (const o of out) {
            // Epoch: the restarts counted when the packet was pushed; order holds within one.
            const epoch = epochOf.get(o.packet)!;
            const inOrder = lastSeq < 0 || epoch !== lastEpoch || seqDiff(o.packet.seq, lastSeq) > 0;
            if (!inOrder || !Number.isFinite(o.playoutMs)) expect({ seed, k, seq: o.packet.seq, lastSeq }).toBe('in order, finite');
            lastSeq = o.packet.seq;
            lastEpoch = epoch;
          }
        }
        // Checked outside expect: 120 000 rounds of it would dominate the run time.
        const st = jb.stats(t);
        if (jb.size > cap || !Object.values(st).every(Number.isFinite)) expect({ seed, k, size: jb.size, st }).toBe('bounded and finite');
      }
      // Twice: a gap goes at the call after the one that finds it overdue.
      released += jb.pop(t + 1e7).length;
      released += jb.pop(t + 1e7).length;
      const st = jb.stats(t + 1e7);
      expect(st.packets).toBe(pushed);
      expect(st.released).toBe(released);
      expect(st.held).toBe(0);
    }
  });
});
