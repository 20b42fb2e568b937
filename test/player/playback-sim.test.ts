// The ws mode's timing, end to end on a simulated clock: lip sync on a calm network, under 0-150 ms of seeded jitter, and with a main thread that stalls 150-350 ms at a time.
// These hold the player to the figures the browser can only measure in real time
// (`npm run bench:player`): every flash/beep pair within ITU-R BT.1359's +-45 ms, the playout
// target up under jitter and back down after it, no stall, one output restart per page stall.
import { describe, expect, it } from 'vitest';
import { prng } from '../helpers/prng.js';
import { fewestFramesPerSecond, simulatePlayback, type PlaybackSimResult } from './playback-sim.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const skews = (r: PlaybackSimResult): number[] => r.pairs.map((p) => p.skewMs);
const why = (r: PlaybackSimResult): string => `pairs ${JSON.stringify(r.pairs.map((p) => [p.second, Math.round(p.skewMs * 10) / 10]))}, dropped ${r.dropped}, restarts ${JSON.stringify(r.restarts)}`;

/** BT.1359's detectability thresholds, the player's target for every pair (PLAYER.md). */
function expectInSync(r: PlaybackSimResult, minPairs: number): void {
  expect(r.pairs.length, why(r)).toBeGreaterThanOrEqual(minPairs);
  for (const x of skews(r)) {
    expect(x, why(r)).toBeGreaterThanOrEqual(-45);
    expect(x, why(r)).toBeLessThanOrEqual(45);
  }
  expect(Math.abs(median(skews(r))), why(r)).toBeLessThanOrEqual(20);
}

describe('ws-mode playback on a simulated clock', () => {
  it('calm network: every pair within one animation frame (shown at the first frame no more than 5 ms early), nothing dropped, no output restart', () => {
    const r = simulatePlayback({ seconds: 10 });
    expectInSync(r, 10);
    for (const x of skews(r)) {
      // -5 ms hold margin and the output's 128-sample render quantum; +1 animation frame.
      expect(x, why(r)).toBeGreaterThanOrEqual(-5 - 2.7);
      expect(x, why(r)).toBeLessThanOrEqual(1000 / 60 + 0.1);
    }
    expect(r.dropped).toBe(0);
    expect(r.restarts).toEqual({ dry: 0, mediaGap: 0, early: 0 });
    expect(fewestFramesPerSecond(r, 1000, 10_000)).toBeGreaterThanOrEqual(29);
  });

  it('0-150 ms of jitter from 5 s to 15 s: in sync throughout, no stall, the network target rises by more than 50 ms and falls back after', () => {
    const r = simulatePlayback({ seconds: 25, seed: 7, delay: (t, rand) => (t >= 5000 && t < 15_000 ? rand() * 150 : 0) });
    expectInSync(r, 25);
    expect(fewestFramesPerSecond(r, 5000, 15_000), why(r)).toBeGreaterThanOrEqual(10);
    expect(fewestFramesPerSecond(r, 15_000, 25_000), why(r)).toBeGreaterThanOrEqual(10);
    const at = (ms: number) => r.targets.find((x) => x.t === ms)!;
    const during = r.targets.filter((x) => x.t > 5000 && x.t < 15_500);
    for (const k of ['video', 'audio'] as const) {
      const calm = at(5000)[k];
      const peak = Math.max(...during.map((x) => x[k]));
      expect(peak, `${k} peak ${peak} over calm ${calm}`).toBeGreaterThan(calm + 50);
      // 8 s after the jitter: down by more than 40 ms, back near the 20 ms minimum.
      expect(at(23_000)[k], `${k} 8 s after: ${at(23_000)[k]} from a peak of ${peak}`).toBeLessThan(peak - 40);
      expect(at(23_000)[k]).toBeLessThan(50);
    }
    expect(r.restarts.mediaGap).toBe(0);
  });

  it('18 main-thread stalls of 150-350 ms: the picture follows the sound, and the output restarts at most once a stall', () => {
    const rand = prng(11);
    const stalls: [number, number][] = [];
    for (let s = 3000; s < 20_000; ) {
      const len = 150 + Math.round(rand() * 200);
      stalls.push([s, s + len]);
      s += len + 400 + rand() * 600;
    }
    const r = simulatePlayback({ seconds: 22, stalls });
    expect(stalls.length).toBe(18);
    // A flash due inside a stall is drawn late or dropped: not every second gives a pair.
    expectInSync(r, 12);
    expect(r.restarts.dry, why(r)).toBeGreaterThan(0);
    expect(r.restarts.dry, why(r)).toBeLessThanOrEqual(stalls.length);
    expect(r.restarts.mediaGap).toBe(0);
  });
});
