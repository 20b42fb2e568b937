// Jumps in a publisher's RTP time are rebased to continue the timeline; real gaps (time that moved as the clock did) and B-frame order are kept.
import { describe, expect, it } from 'vitest';
import { MAX_JUMP_SECONDS, TimelineJumpGuard } from '../../server/core/timeline-jump.js';

const HZ = 90_000;
const FRAME = 3000; // 30 fps

/** Feeds (rtp time, arrival ms) pairs; returns the timeline times. */
function run(pairs: [number, number][]): { out: number[]; jumps: number } {
  const g = new TimelineJumpGuard(HZ);
  const out = pairs.map(([t, a]) => g.next(t, a));
  return { out, jumps: g.jumps };
}

describe('TimelineJumpGuard', () => {
  it.each([
    ['steady frames pass unchanged', [[0, 0], [3000, 33], [6000, 67]], [0, 3000, 6000], 0],
    ['B-frame order passes unchanged', [[0, 0], [9000, 33], [3000, 67], [6000, 100], [18000, 133]], [0, 9000, 3000, 6000, 18000], 0],
    ['a leap of 2e9 ticks lands one frame on', [[0, 0], [3000, 30], [2_000_006_000, 60], [2_000_009_000, 90]], [0, 3000, 6000, 9000], 1],
    // Arriving later than one frame: it lands as much later as it arrived.
    ['a leap lands as late as it arrived', [[0, 0], [3000, 30], [2_000_006_000, 530]], [0, 3000, 3000 + 500 * 90], 1],
    ['a leap back lands one frame on', [[900_000, 0], [903_000, 30], [3000, 60], [6000, 90]], [900_000, 903_000, 906_000, 909_000], 1],
    // The publisher was quiet for 8 s and its clock moved with it: a real gap, kept.
    ['a real gap is kept', [[0, 0], [3000, 33], [3000 + 8 * HZ, 8033]], [0, 3000, 3000 + 8 * HZ], 0],
    // Time leapt 60 s while 8 s passed: it lands 8 s on, no further than MAX_JUMP_SECONDS past the frame.
    ['a leap past a pause lands at most MAX_JUMP_SECONDS on', [[0, 0], [3000, 33], [3000 + 60 * HZ, 8033]], [0, 3000, 3000 + MAX_JUMP_SECONDS * HZ], 1],
  ] as [string, [number, number][], number[], number][])('%s', (_name, pairs, want, jumps) => {
    const r = run(pairs);
    expect(r.out).toEqual(want);
    expect(r.jumps).toBe(jumps);
  });

  it('a burst (frames arriving at once) and a fast publisher are not jumps', () => {
    const pairs: [number, number][] = Array.from({ length: 600 }, (_, i) => [i * FRAME, Math.floor(i / 100)]);
    const r = run(pairs);
    expect(r.jumps).toBe(0);
    expect(r.out).toEqual(pairs.map(([t]) => t));
  });

  it('never moves a step more than MAX_JUMP_SECONDS, whatever the input', () => {
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const g = new TimelineJumpGuard(HZ);
    let last: number | undefined;
    let arrival = 0;
    for (let i = 0; i < 100_000; i++) {
      arrival += rnd() * 50;
      const t = g.next(Math.floor(rnd() * 2 ** 40) - 2 ** 39, arrival);
      if (last !== undefined) expect(Math.abs(t - last)).toBeLessThanOrEqual(MAX_JUMP_SECONDS * HZ + 50 * HZ / 1000 + 1);
      last = t;
    }
  });
});
