// Access-unit view pieces: decode timestamps from presentation order, RTP clock unwrapping, Opus durations.
import { describe, expect, it } from 'vitest';
import { opusSamples } from '../../server/core/au-view.js';
import { DtsEstimator } from '../../server/core/dts.js';
import { TrackClock } from '../../server/core/track-clock.js';
import { ntpFromUnixMs } from '../../server/rtp/ntp.js';
import { prng } from '../helpers/prng.js';

const F = 3000;

describe('DtsEstimator', () => {
  const cases: { name: string; pts: number[] }[] = [
    { name: 'no B-frames', pts: [0, 1, 2, 3, 4, 5, 6] },
    { name: 'one B-frame (IPBPB)', pts: [0, 2, 1, 4, 3, 6, 5] },
    { name: "x264's default B-pyramid (I P B b b)", pts: [0, 4, 2, 1, 3, 8, 6, 5, 7, 12, 10, 9, 11] },
  ];
  for (const c of cases) {
    it(`${c.name}: dts strictly increases, never exceeds pts, and follows decode order exactly`, () => {
      const d = new DtsEstimator(2, F);
      const out = c.pts.map((p) => d.next(p * F));
      for (let i = 0; i < out.length; i++) {
        expect(out[i]!).toBeLessThanOrEqual(c.pts[i]! * F);
        if (i > 0) expect(out[i]!).toBeGreaterThan(out[i - 1]!);
      }
      // Past the first `depth` frames, dts is the sorted pts sequence: whole frame steps.
      const sorted = [...c.pts].sort((a, b) => a - b);
      for (let i = 2; i < out.length; i++) expect(out[i]).toBe(sorted[i - 2]! * F);
      expect(out.slice(0, 2)).toEqual([-2 * F, -F]);
    });
  }

  it('keeps its guarantees on random input (deeper reordering is clamped)', () => {
    const r = prng(7);
    const d = new DtsEstimator(2, F);
    let prev = -Infinity;
    for (let i = 0; i < 5000; i++) {
      const pts = Math.floor(r() * 1e7);
      const dts = d.next(pts);
      expect(dts).toBeLessThanOrEqual(Math.max(pts, prev + 1));
      expect(dts).toBeGreaterThan(prev);
      prev = dts;
    }
  });
});

describe('TrackClock', () => {
  it('unwraps 32-bit RTP time forwards across the wrap and backwards for B-frames', () => {
    const c = new TrackClock(90000);
    expect(c.unwrap(0xffffff00)).toBe(0xffffff00);
    expect(c.unwrap(0x00000100)).toBe(0x100000100);
    expect(c.unwrap(0xfffffff0)).toBe(0xfffffff0);
    expect(c.unwrap(0x00000200)).toBe(0x100000200);
  });

  it('anchors to the latest sender report, else to arrival', () => {
    const sr = new TrackClock(48000);
    const wall = Date.UTC(2026, 0, 1);
    const ntp = ntpFromUnixMs(wall);
    sr.noteSenderReport(ntp.seconds, ntp.fraction, 1000);
    // 48000 ticks after the SR's RTP time is one second after its wallclock, whatever the arrival.
    expect(sr.wallMsOf(sr.unwrap(1000 + 48000), 123)).toBeCloseTo(wall + 1000, 3);
    expect(sr.wallMsOf(sr.unwrap(1000 + 96000), 999)).toBeCloseTo(wall + 2000, 3);
    const arr = new TrackClock(90000);
    expect(arr.wallMsOf(arr.unwrap(5000), 777)).toBe(777);
    expect(arr.wallMsOf(arr.unwrap(5000 + 9000), 99999)).toBeCloseTo(877, 6);
  });
});

describe('opusSamples (RFC 6716 §3.1 TOC)', () => {
  const table: [number[], number][] = [
    [[(3 << 3) | 0], 2880], // SILK 60 ms, one frame
    [[(1 << 3) | 0], 960], // SILK 20 ms
    [[(31 << 3) | 1], 1920], // CELT 20 ms, two frames
    [[(16 << 3) | 3, 3], 360], // CELT 2.5 ms, three frames (code 3)
    [[(13 << 3) | 2], 1920], // hybrid 20 ms, two frames
  ];
  for (const [bytes, n] of table) it(`TOC ${bytes[0]!.toString(2)} -> ${n}`, () => expect(opusSamples(new Uint8Array(bytes))).toBe(n));
});
