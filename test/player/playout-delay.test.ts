// PlayoutDelay: Ramjee estimate on known inputs, bounds, floor, slew limit, warm-up, spikes vs new timelines.
import { describe, expect, it } from 'vitest';
import { PlayoutDelay } from '../../player/src/playout-delay.js';
import { prng } from '../helpers/prng.js';

/** Feeds one packet every `stepMs` with extra delay `n(i)` over a constant base transit of 1000 ms. */
function feed(d: PlayoutDelay, from: number, count: number, n: (i: number) => number, stepMs = 20): number {
  let t = from;
  for (let i = 0; i < count; i++, t += stepMs) d.observe(1000 + n(i), t);
  return t;
}

describe('PlayoutDelay', () => {
  it('starts at the initial delay and settles at the minimum on a constant transit', () => {
    const d = new PlayoutDelay({ minDelayMs: 30, initialDelayMs: 200 });
    expect(d.targetMs).toBe(200);
    const t = feed(d, 0, 2000, () => 0);
    expect(d.state(t)).toMatchObject({ targetMs: 30, delayMs: 30 });
    // The offset: media instant m plays at m + transit + delay.
    expect(d.offsetAt(t)).toBeCloseTo(1030, 6);
  });

  it('converges on d = mean and v = mean deviation of a known two-valued delay', () => {
    // n alternates 0 and 100: d -> 50, |d - n| = 50 always, so v -> 50 and the target -> 250.
    const d = new PlayoutDelay({ minDelayMs: 0, maxDelayMs: 1000 });
    const t = feed(d, 0, 5000, (i) => (i % 2) * 100);
    const s = d.state(t);
    // Within the last step's swing, (1 - a) * 50 = 0.5 ms on d and on v.
    expect(Math.abs(s.meanMs - 50)).toBeLessThanOrEqual(0.51);
    expect(Math.abs(s.variationMs - 50)).toBeLessThanOrEqual(0.51);
    expect(Math.abs(s.targetMs - 250)).toBeLessThanOrEqual(2.1);
  });

  it('bounds the target to [min, max] and honours a runtime floor', () => {
    const d = new PlayoutDelay({ minDelayMs: 20, maxDelayMs: 300 });
    const t = feed(d, 0, 3000, (i) => (i % 2) * 400);
    expect(d.targetMs).toBe(300);
    d.setFloorMs(500); // above max: max wins
    expect(d.targetMs).toBe(300);
    const d2 = new PlayoutDelay({ minDelayMs: 20, maxDelayMs: 300 });
    feed(d2, 0, 3000, () => 0);
    d2.setFloorMs(120);
    expect(d2.targetMs).toBe(120);
    // The network's own figure stays apart from the floor.
    expect(d2.state(3000)).toMatchObject({ targetMs: 120, networkTargetMs: 20 });
    d2.setFloorMs(Number.NaN);
    expect(d2.targetMs).toBe(20);
    void t;
  });

  it('moves the applied delay at most 100 ms per second after warm-up, and follows at once during it', () => {
    const d = new PlayoutDelay({ minDelayMs: 20, maxDelayMs: 1000, warmupMs: 1000 });
    let t = feed(d, 0, 50, () => 0); // 1 s: warm-up, delay follows the target
    expect(d.state(t).delayMs).toBeCloseTo(d.targetMs, 9);
    // A jump in jitter: the target rises at once, the applied offset (what schedules playout; the
    // reported delay is it minus a baseline that itself moves) by 0.1 ms per ms.
    const rand = prng(3);
    let last = d.offsetAt(t);
    let lastT = t;
    for (let i = 0; i < 500; i++, t += 20) {
      d.observe(1000 + rand() * 400, t);
      const now = d.offsetAt(t);
      expect(Math.abs(now - last)).toBeLessThanOrEqual(0.1 * (t - lastT) + 1e-9);
      last = now;
      lastT = t;
    }
    expect(d.targetMs).toBeGreaterThan(400);
  });

  it('ignores a lone spike far off the baseline, rebases on a run of them (a pause), keeping the delay', () => {
    const d = new PlayoutDelay({ minDelayMs: 20, maxDelayMs: 500, resyncMs: 1000, resyncPackets: 8 });
    let t = feed(d, 0, 500, () => 0);
    const before = d.state(t);
    // One packet 5 s late: nothing moves.
    d.observe(6000, t);
    t += 20;
    t = feed(d, t, 10, () => 0);
    expect(d.state(t)).toMatchObject({ resyncs: 0, targetMs: before.targetMs });
    // Everything 5 s later from now on (a sender paused and resumed with continuous timestamps).
    t = feed(d, t, 8, () => 5000);
    const after = d.state(t);
    expect(after.resyncs).toBe(1);
    expect(after.delayMs).toBeCloseTo(before.delayMs, 6);
    expect(d.offsetAt(t)).toBeCloseTo(6000 + before.delayMs, 6);
    // Back the other way (a seek forward in media time): rebases as well.
    t = feed(d, t, 8, () => -3000);
    expect(d.state(t).resyncs).toBe(2);
  });

  it('restart forgets the timeline and warms up again', () => {
    const d = new PlayoutDelay({ minDelayMs: 20 });
    let t = feed(d, 0, 500, () => 0);
    d.restart();
    expect(d.started).toBe(false);
    t = feed(d, t + 10_000, 5, () => 777);
    expect(d.offsetAt(t)).toBeCloseTo(1777 + d.targetMs, 6);
  });

  it('rejects nonsense options', () => {
    expect(() => new PlayoutDelay({ minDelayMs: 100, maxDelayMs: 50 })).toThrow(/bounds/);
    expect(() => new PlayoutDelay({ alpha: 1 })).toThrow(/alpha/);
    expect(() => new PlayoutDelay({ slewMsPerSec: 0 })).toThrow(/slew/);
  });

  it('fuzz: any input keeps the state finite and the target within bounds', () => {
    const rand = prng(17);
    const d = new PlayoutDelay({ minDelayMs: 10, maxDelayMs: 800 });
    let t = 0;
    for (let i = 0; i < 20_000; i++) {
      t += rand() < 0.01 ? -rand() * 100 : rand() * 30; // clocks may even step back
      const r = rand();
      const transit = r < 0.01 ? Number.NaN : r < 0.05 ? (rand() - 0.5) * 1e9 : 1000 + rand() * 300;
      d.observe(transit, t);
      if (rand() < 0.001) d.restart();
      const s = d.state(t);
      expect(s.targetMs).toBeGreaterThanOrEqual(10);
      expect(s.targetMs).toBeLessThanOrEqual(800);
      if (d.started) expect(Number.isFinite(d.offsetAt(t))).toBe(true);
    }
  });
});
