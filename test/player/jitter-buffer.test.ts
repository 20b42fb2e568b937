// JitterBuffer: reordering, duplicates, loss and late tables; RFC 3550 jitter; adaptive delay under simulated jitter; wraparound; bounds (B-frames and fuzz: jitter-buffer-bframes.test.ts).
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type RtpPacketIn } from '../../player/src/jitter-buffer.js';
import { simulate, type SimPacket } from './sim.js';

const CLOCK = 48_000;
/** Packet i of a 20 ms audio stream, arriving at `arrivalMs` (default: on time, sent at i*20). */
const pkt = (i: number, arrivalMs = i * 20, seq0 = 1000, ts0 = 0): RtpPacketIn => ({
  seq: (seq0 + i) & 0xffff,
  timestamp: (ts0 + i * 960) >>> 0,
  marker: true,
  payload: new Uint8Array([i & 0xff]),
  arrivalMs,
});
const ids = (rs: { packet: RtpPacketIn }[]): number[] => rs.map((r) => r.packet.payload[0]!);
/** A buffer with a fixed delay (no adaptation to speak of), so times in the tables are exact. */
const fixed = (delayMs = 100, extra: object = {}): JitterBuffer =>
  new JitterBuffer({ clockRate: CLOCK, minDelayMs: delayMs, maxDelayMs: delayMs, initialDelayMs: delayMs, now: () => 0, ...extra });

describe('JitterBuffer ordering', () => {
  // Each case: arrival order of packet indexes (all arriving at time 0..n, well before playout),
  // then everything is popped at once.
  const cases: { name: string; order: number[]; out: number[]; stats: Record<string, number> }[] = [
    { name: 'in order', order: [0, 1, 2, 3], out: [0, 1, 2, 3], stats: { reordered: 0, duplicates: 0, lost: 0 } },
    { name: 'swapped pair', order: [0, 2, 1, 3], out: [0, 1, 2, 3], stats: { reordered: 1, duplicates: 0, lost: 0 } },
    { name: 'reversed', order: [0, 4, 3, 2, 1], out: [0, 1, 2, 3, 4], stats: { reordered: 3, lost: 0 } },
    { name: 'duplicate held', order: [0, 1, 1, 2], out: [0, 1, 2], stats: { duplicates: 1, reordered: 0 } },
    { name: 'duplicate of a reordered one', order: [0, 2, 1, 2, 1], out: [0, 1, 2], stats: { duplicates: 2, reordered: 1 } },
    { name: 'gap never filled', order: [0, 1, 3, 4], out: [0, 1, 3, 4], stats: { lost: 1 } },
    { name: 'two gaps', order: [0, 3, 6], out: [0, 3, 6], stats: { lost: 4 } },
    { name: 'older than the first, before anything left', order: [2, 0, 1, 3], out: [0, 1, 2, 3], stats: { lost: 0, reordered: 2 } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const jb = fixed();
      c.order.forEach((i, k) => jb.push(pkt(i, k)));
      // A gap is given up by the call after the one that finds it overdue (one event-loop turn).
      const out = [...jb.pop(10_000), ...jb.pop(10_000)];
      expect(ids(out)).toEqual(c.out);
      expect(jb.stats(10_000)).toMatchObject({ ...c.stats, packets: c.order.length, released: c.out.length, held: 0 });
    });
  }

  it('releases each packet at its playout time, not before', () => {
    const jb = fixed(100);
    for (let i = 0; i < 5; i++) jb.push(pkt(i));
    // Packet i: media time i*20, first transit 0, delay 100 -> due at 100 + 20i.
    expect(ids(jb.pop(99))).toEqual([]);
    expect(jb.nextDueMs(99)).toBe(100);
    expect(ids(jb.pop(100))).toEqual([0]);
    expect(ids(jb.pop(139))).toEqual([1]);
    expect(ids(jb.pop(180))).toEqual([2, 3, 4]);
    expect(jb.nextDueMs(180)).toBe(Infinity);
  });

  it('gives up on a missing packet when the one after it is due, and says so in gapBefore', () => {
    const jb = fixed(100);
    jb.push(pkt(0, 0));
    jb.push(pkt(2, 40));
    const a = jb.pop(100);
    expect(ids(a)).toEqual([0]);
    // 1 would have been due at 120 and 2 at 140: nothing waits for 1 past 140.
    expect(ids(jb.pop(139))).toEqual([]);
    // Overdue at 140; given up by the next call (queued messages get one turn to arrive).
    expect(ids(jb.pop(140))).toEqual([]);
    const b = jb.pop(141);
    expect(ids(b)).toEqual([2]);
    expect(b[0]!.gapBefore).toBe(1);
    expect(jb.stats(140)).toMatchObject({ lost: 1, late: 0 });
    // 1 arrives after all: its place is gone.
    jb.push(pkt(1, 150));
    expect(jb.pop(200)).toEqual([]);
    expect(jb.stats(200)).toMatchObject({ lost: 1, late: 1, duplicates: 0 });
    // A copy of 2, already played, is a duplicate.
    jb.push(pkt(2, 160));
    expect(jb.stats(200).duplicates).toBe(1);
  });

  it('learns to wait for "lost" packets that keep turning up late (a reliable transport), not for ones that never come', () => {
    // 20 ms packets on a clean network, delay settled at the minimum; now and then one packet is
    // held up 150 ms (TCP head-of-line, a relay): the first is given up, later ones are waited for.
    const late = new Set([300, 400, 500]);
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, minDelayMs: 20, now: () => 0 });
    const r = simulate(jb, 12_000, { delay: (i) => (late.has(i) ? 150 : 0) });
    const s = jb.stats(14_000);
    expect(s.lost).toBe(1);
    expect(s.late).toBe(1);
    const got = r.released.map((x) => x.packet.sentMs / 20);
    expect(got.includes(300)).toBe(false);
    expect(got.includes(400) && got.includes(500)).toBe(true);
    // Learnt from packet 300: ~150 ms past its playout, +20 %; halving every 10 s since.
    expect(jb.stats(6000 + 2).lossWaitMs).toBeGreaterThan(100);
    expect(jb.stats(36_000).lossWaitMs).toBeLessThan(30);
    // Loss that is loss (packets that never come): given up at their playout time, no waiting learnt.
    const udp = new JitterBuffer({ clockRate: CLOCK, minDelayMs: 20, now: () => 0 });
    for (let i = 0; i < 300; i++) if (i % 50 !== 25) udp.push(pkt(i, i * 20));
    for (let t = 0; t < 7000; t += 5) udp.pop(t);
    expect(udp.stats(7000)).toMatchObject({ lost: 6, late: 0, lossWaitMs: 0, held: 0 });
  });

  it('on a transport that loses nothing, waits for a missing packet from the first gap on (up to maxLossWaitMs)', () => {
    const late = new Set([300, 400, 500]);
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, minDelayMs: 20, now: () => 0, reliableTransport: true, maxLossWaitMs: 500 });
    const r = simulate(jb, 12_000, { delay: (i) => (late.has(i) ? 150 : 0) });
    expect(jb.stats(14_000)).toMatchObject({ lost: 0, late: 0, lossWaitMs: 500 });
    const got = r.released.map((x) => x.packet.sentMs / 20);
    for (const i of late) expect(got.includes(i)).toBe(true);
    // A packet that never comes is still given up once the wait is over: no stall for ever.
    const tcp = new JitterBuffer({ clockRate: CLOCK, minDelayMs: 20, now: () => 0, reliableTransport: true, maxLossWaitMs: 200 });
    for (let i = 0; i < 100; i++) if (i !== 25) tcp.push(pkt(i, i * 20));
    for (let t = 0; t < 3000; t += 5) tcp.pop(t);
    expect(tcp.stats(3000)).toMatchObject({ lost: 1, held: 0 });
  });

  it('fills a gap that arrives in time, late in the queue but before its playout', () => {
    const jb = fixed(100);
    jb.push(pkt(0, 0));
    jb.push(pkt(2, 40));
    jb.push(pkt(1, 110)); // due at 120
    expect(ids(jb.pop(140))).toEqual([0, 1, 2]);
    expect(jb.stats(140)).toMatchObject({ lost: 0, reordered: 1, overdue: 0 });
  });

  it('hands out a packet that came after its playout time at once, counted overdue, with lateMs', () => {
    const jb = fixed(100);
    jb.push(pkt(0, 0));
    expect(ids(jb.pop(100))).toEqual([0]);
    jb.push(pkt(1, 150)); // due at 120, came at 150: its place is still open (nothing after it left)
    const r = jb.pop(150);
    expect(ids(r)).toEqual([1]);
    expect(r[0]!.lateMs).toBe(30);
    expect(jb.stats(150)).toMatchObject({ overdue: 1, late: 0, lost: 0 });
  });

  it('keeps the sequence across the 16-bit wrap, with reordering around it', () => {
    const jb = fixed(100);
    const order = [0, 1, 2, 4, 3, 5, 7, 6, 8, 9];
    order.forEach((i, k) => jb.push(pkt(i, k, 65530)));
    const out = jb.pop(10_000);
    expect(ids(out)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(out.map((r) => r.packet.seq)).toEqual([65530, 65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3]);
    expect(jb.stats(10_000)).toMatchObject({ lost: 0, reordered: 2 });
  });

  it('keeps playout times continuous across the 32-bit timestamp wrap', () => {
    const jb = fixed(100);
    const ts0 = 0xffffffff - 960 * 3 + 1; // wraps between packets 3 and 4
    for (let i = 0; i < 8; i++) jb.push(pkt(i, i * 20, 1, ts0));
    const times: number[] = [];
    for (let t = 0; t <= 400; t++) for (const r of jb.pop(t)) times.push(r.playoutMs);
    expect(times).toEqual([100, 120, 140, 160, 180, 200, 220, 240]);
    expect(jb.playoutTimeMs((ts0 + 8 * 960) >>> 0, 400)).toBeCloseTo(260, 6);
  });

  it('drops the oldest when full, and counts it', () => {
    const jb = fixed(1000, { maxPackets: 8 });
    for (let i = 0; i < 12; i++) jb.push(pkt(i, 0));
    expect(jb.size).toBe(8);
    const out = jb.pop(100_000);
    expect(ids(out)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
    expect(out[0]!.gapBefore).toBe(4);
    expect(jb.stats(100_000)).toMatchObject({ overflow: 4, held: 0 });
  });

  it('follows a sender restart confirmed by the packet after it; a lone stray is late', () => {
    const jb = fixed(100);
    for (let i = 0; i < 3; i++) jb.push(pkt(i, 0));
    jb.push({ ...pkt(50, 1), seq: 30_000 }); // stray far ahead
    jb.push(pkt(3, 2));
    expect(jb.stats(2)).toMatchObject({ late: 1, resyncs: 0 });
    // A new sequence at 40000, sequential: the held packets of the old one leave at once.
    jb.push({ ...pkt(60, 3), seq: 40_000 });
    jb.push({ ...pkt(61, 3), seq: 40_001 });
    const out = jb.pop(3);
    expect(ids(out)).toEqual([0, 1, 2, 3]);
    expect(jb.stats(3).resyncs).toBe(1);
    expect(ids(jb.pop(10_000))).toEqual([60, 61]);
  });

  it('reset forgets the timeline: a seek to earlier media time plays at once', () => {
    const jb = fixed(100);
    for (let i = 100; i < 103; i++) jb.push(pkt(i, 5000 + (i - 100) * 20));
    jb.reset();
    expect(jb.size).toBe(0);
    for (let i = 0; i < 3; i++) jb.push(pkt(i, 6000 + i * 20));
    expect(ids(jb.pop(6100))).toEqual([0]);
  });
});

describe('JitterBuffer jitter and playout delay', () => {
  it('converges on the RFC 3550 jitter of a known pattern', () => {
    // Delays alternate 0 and 10 ms: every |D| is 10 ms, so J -> 10 (J_n = 10 (1 - (15/16)^n)).
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, now: () => 0 });
    const r = simulate(jb, 4000, { delay: (i) => (i % 2) * 10 });
    const last = r.samples.at(-1)!;
    expect(last.jitterMs).toBeGreaterThan(9.99);
    expect(last.jitterMs).toBeLessThanOrEqual(10);
    // With a constant delay the jitter is 0.
    const jb2 = new JitterBuffer<SimPacket>({ clockRate: CLOCK, now: () => 0 });
    expect(simulate(jb2, 2000, { delay: () => 37 }).samples.at(-1)!.jitterMs).toBe(0);
  });

  it('on a clean network settles at the minimum delay and plays every packet in time', () => {
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, minDelayMs: 20, now: () => 0 });
    const r = simulate(jb, 10_000, { delay: () => 3 });
    expect(r.released.length).toBe(500);
    expect(jb.stats(12_000)).toMatchObject({ lost: 0, late: 0, overdue: 0, reordered: 0 });
    expect(r.samples.at(-1)!.delayMs).toBeCloseTo(20, 0);
  });

  it('grows the target under 0-150 ms jitter, comes back down after it stops, never faster than the slew limit', () => {
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, minDelayMs: 20, maxDelayMs: 1000, now: () => 0 });
    // 8 s clean, 20 s with seeded uniform 0-150 ms jitter, 20 s clean.
    const jittery = (t: number): boolean => t >= 8000 && t < 28_000;
    const r = simulate(jb, 48_000, { seed: 7, delay: (_i, t, rand) => (jittery(t) ? rand() * 150 : 0) });
    const at = (t: number) => r.samples.find((s) => s.t >= t)!;
    const before = at(7900).delayMs;
    const during = at(27_900).delayMs;
    const after = at(48_000).delayMs;
    expect(before).toBeLessThan(30);
    // Uniform 0-150: d ~ 75 and v ~ 37.5 -> d + 4v ~ 225 ms; it must cover nearly all of them.
    expect(during).toBeGreaterThan(150);
    expect(during).toBeLessThan(300);
    expect(after).toBeLessThan(40);
    // The slew limit, where it matters: consecutive packets (20 ms of media apart) are scheduled
    // 20 ms apart, stretched or squeezed by at most 100 ms per second of local time between the
    // polls that released them, after the first second's warm-up. Never a jump, never a freeze.
    let maxStretch = 0;
    for (let k = 1; k < r.released.length; k++) {
      if (r.releasedAt[k - 1]! < 1000) continue;
      const a = r.released[k - 1]!;
      const b = r.released[k]!;
      const step = b.playoutMs - a.playoutMs - (b.packet.sentMs - a.packet.sentMs);
      expect(Math.abs(step)).toBeLessThanOrEqual(0.1 * (r.releasedAt[k]! - r.releasedAt[k - 1]!) + 1e-6);
      maxStretch = Math.max(maxStretch, Math.abs(step));
    }
    expect(maxStretch).toBeGreaterThan(0.4); // it did move (by 0.5 ms per 5 ms poll at most)
    // While the delay grows (~2 s at 100 ms/s) packets slower than it are given up; after that
    // almost none: d + 4v covers uniform jitter.
    const s = jb.stats(50_000);
    expect(s.lost + s.late).toBeLessThan(0.1 * 1000);
    expect(s.released + s.lost).toBe(2400);
    const missedLate = r.released.filter((x, k) => x.gapBefore > 0 && r.releasedAt[k]! > 11_000);
    expect(missedLate.length).toBeLessThan(0.01 * 850);
    // In order, always.
    for (let k = 1; k < r.released.length; k++) expect(r.released[k]!.packet.sentMs).toBeGreaterThan(r.released[k - 1]!.packet.sentMs);
  });

  it('adapts as fast on a sparse stream: 0.5 s of AAC per packet (ffmpeg aggregates), 2 packets a second', () => {
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, minDelayMs: 20, now: () => 0 });
    const jittery = (t: number): boolean => t >= 5000 && t < 25_000;
    const r = simulate(jb, 45_000, { frameMs: 500, seed: 5, delay: (_i, t, rand) => (jittery(t) ? rand() * 150 : 0) });
    const at = (t: number) => r.samples.find((s) => s.t >= t)!;
    expect(at(24_900).targetMs).toBeGreaterThan(120);
    // Each packet weighs 25 packets of 20 ms: 20 s after the jitter stopped the target is down.
    expect(at(45_000).targetMs).toBeLessThan(40);
  });

  it('rebases after a pause (a jump in transit), instead of playing everything late for ever', () => {
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, now: () => 0 });
    // Media continues where it stopped, but 5 s later on the receiver clock.
    const r = simulate(jb, 10_000, { delay: (i) => (i >= 250 ? 5000 : 0) });
    const s = jb.stats(20_000);
    expect(s.resyncs).toBe(1);
    expect(s.lost).toBe(0);
    // The 5 s step is a new timeline, not jitter.
    expect(s.jitterMs).toBeLessThan(1);
    // After the 8 packets the rebase waits for, packets play in time again.
    const lateAfter = r.released.filter((x) => x.packet.payload[0]! >= (260 & 0xff) && x.packet.sentMs >= 5200 && x.lateMs > 0);
    expect(lateAfter.length).toBe(0);
  });

  it('a live join: the GOP-cache burst leaves at once, the live packets after it get the small delay, not the burst age', () => {
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, minDelayMs: 20, now: () => 0 });
    // Join at 0: 2 s of cached packets (sent from -2000 ms) arrive in the first 10 ms, then the
    // live ones, 12 ms after they were sent (so after the burst).
    const r = simulate(jb, 10_000, { delay: (_i, sent) => (sent < 0 ? -sent + 10 + sent / 200 : 12) }, -2000);
    const s = jb.stats(10_000);
    expect(s.lost + s.late).toBe(0);
    expect(s.resyncs).toBe(0);
    const burst = r.released.filter((x) => x.packet.sentMs < 0);
    expect(burst.length).toBe(100);
    // Older than the target: out as they arrive (the newest of the burst are as good as live).
    for (const [k, x] of r.released.entries()) if (x.packet.sentMs < -200) expect(r.releasedAt[k]).toBeLessThanOrEqual(15);
    // Live packets (after the warm-up has let the target settle) wait about the minimum delay.
    const live = r.released.map((x, k) => ({ x, at: r.releasedAt[k]! })).filter((e) => e.x.packet.sentMs > 5000);
    for (const e of live) expect(e.at - e.x.packet.arrivalMs).toBeLessThan(30);
  });

  it('a runtime floor (lip sync) raises the target', () => {
    const jb = new JitterBuffer<SimPacket>({ clockRate: CLOCK, now: () => 0 });
    // 4 s: the first second is the join, in which the estimator keeps its prior (100 ms).
    simulate(jb, 4000, {});
    jb.setMinDelayMs(180);
    expect(jb.stats(5000).targetMs).toBe(180);
    jb.setMinDelayMs(0);
    expect(jb.stats(5000).targetMs).toBeLessThan(30);
  });
});
