// The web player's audio output on a simulated AudioContext: back-to-back schedule, slewing, restarts after running dry, the guard, skipping a schedule far behind, media gaps.
import { describe, expect, it } from 'vitest';
import { AudioOut } from '../../player/src/audio-out.js';
import { AAC_FRAME_MS, aacFrame, SimAudioContext } from './sim-audio.js';

/** An output on a clock the test moves; frames are 1024-sample AAC at 48 kHz. */
function rig(): { out: AudioOut<ReturnType<SimAudioContext['asOutput']>>; ctx: SimAudioContext; at(ms: number): void } {
  let t = 0;
  const ctx = new SimAudioContext(() => t);
  const out = new AudioOut(ctx.asOutput(), () => t);
  return { out, ctx, at: (ms) => void (t = ms) };
}

/** Hands frame `i` over 60 ms before it is to be heard at `heardMs`; returns where it started. */
function feed(r: ReturnType<typeof rig>, i: number, heardMs: number, handOverMs = heardMs - 60, mediaMs = i * AAC_FRAME_MS): number | undefined {
  r.at(handOverMs);
  return r.out.play(aacFrame(), mediaMs, heardMs);
}

const desired = (r: ReturnType<typeof rig>, heardMs: number): number => r.out.outputTime(heardMs);

describe('AudioOut on a simulated context', () => {
  it('frames handed over in time play back to back, each exactly when it is to be heard, at rate 1', () => {
    const r = rig();
    for (let i = 0; i < 50; i++) {
      const heard = 500 + i * AAC_FRAME_MS;
      expect(feed(r, i, heard)).toBeCloseTo(desired(r, heard), 9);
    }
    expect(r.ctx.started.every((s) => s.rate === 1)).toBe(true);
    for (let i = 1; i < 50; i++) expect(r.ctx.started[i]!.at).toBeCloseTo(r.ctx.started[i - 1]!.at + r.ctx.started[i - 1]!.durationS, 12);
    expect(r.out.resyncs).toBe(0);
  });

  it('when the playout time moves 40 ms later it slows by at most 8 % without a gap, and is back on time within a second', () => {
    const r = rig();
    // The frames keep coming when they did; only the time they are to be heard moves.
    const heardAt = (i: number): number => 500 + i * AAC_FRAME_MS + (i >= 20 ? 40 : 0);
    for (let i = 0; i < 70; i++) feed(r, i, heardAt(i), 500 + i * AAC_FRAME_MS - 60);
    const s = r.ctx.started;
    for (const x of s) {
      expect(x.rate).toBeGreaterThanOrEqual(0.92 - 1e-12);
      expect(x.rate).toBeLessThanOrEqual(1.08 + 1e-12);
    }
    expect(s[20]!.rate).toBeCloseTo(0.92, 9);
    for (let i = 1; i < s.length; i++) expect(s[i]!.at).toBeCloseTo(s[i - 1]!.at + s[i - 1]!.durationS, 12);
    // 8 % until the error is small, then in proportion to it: a second later it is within 5 ms.
    const last = s.at(-1)!;
    expect(Math.abs(last.at - desired(r, heardAt(69)))).toBeLessThan(0.005);
    expect(r.out.resyncs).toBe(0);
  });

  it('after running dry it restarts 30 ms past the render position, counts it, and learns a guard that decays 10 ms/s', () => {
    const r = rig();
    for (let i = 0; i < 10; i++) feed(r, i, 500 + i * AAC_FRAME_MS);
    const cursor = r.ctx.started[9]!.at + r.ctx.started[9]!.durationS;
    expect(r.out.scheduleAheadMs(600)).toBeCloseTo(52, 6); // 42 ms of output buffering + 10 ms lead, no guard yet
    // A stalled page hands frame 10 over 20 ms after it was due to be heard.
    const heard10 = 500 + 10 * AAC_FRAME_MS;
    const at = feed(r, 10, heard10, heard10 + 20)!;
    const now = heard10 + 20;
    expect(r.out.restartCauses).toEqual({ dry: 1, mediaGap: 0, early: 0 });
    expect(at).toBeCloseTo(r.ctx.currentTime + 0.03, 12);
    // The guard: how late the frame came after the schedule ran out, plus 5 ms.
    const lateMs = (r.ctx.currentTime + 0.01 - cursor) * 1000;
    expect(r.out.guardMs(now)).toBeCloseTo(lateMs + 5, 9);
    expect(r.out.guardMs(now + 1000)).toBeCloseTo(lateMs + 5 - 10, 9);
    expect(r.out.scheduleAheadMs(now)).toBeCloseTo(52 + lateMs + 5, 9);
    // It never grows past 150 ms, however long the stall.
    const heard11 = heard10 + AAC_FRAME_MS;
    feed(r, 11, heard11, heard11 + 5000, 11 * AAC_FRAME_MS);
    expect(r.out.guardMs(heard11 + 5000)).toBe(150);
  });

  it('a frame more than 300 ms behind a schedule that still plays is skipped, not laid over it; the next ones follow on', () => {
    const r = rig();
    for (let i = 0; i < 10; i++) feed(r, i, 1000 + i * AAC_FRAME_MS, 100);
    // The playout time moves 400 ms earlier while 200 ms are still queued (the target fell at once).
    const started = r.ctx.started.length;
    expect(feed(r, 10, 1000 + 10 * AAC_FRAME_MS - 400, 110)).toBeUndefined();
    expect(r.out.framesSkipped).toBe(1);
    expect(r.ctx.started.length).toBe(started);
    expect(r.out.resyncs).toBe(0);
  });

  it('a jump in media time restarts the schedule (counted as a media gap); far ahead of its time it waits in silence (early)', () => {
    const r = rig();
    for (let i = 0; i < 5; i++) feed(r, i, 500 + i * AAC_FRAME_MS);
    feed(r, 5, 500 + 5 * AAC_FRAME_MS, undefined, 5 * AAC_FRAME_MS + 200);
    expect(r.out.restartCauses).toEqual({ dry: 0, mediaGap: 1, early: 0 });
    // Handed over as usual, but to be heard 400 ms later than the schedule would play it.
    const heard = 500 + 6 * AAC_FRAME_MS + 400;
    expect(feed(r, 6, heard, 500 + 6 * AAC_FRAME_MS - 60, 6 * AAC_FRAME_MS + 200)).toBeCloseTo(desired(r, heard), 9);
    expect(r.out.restartCauses).toEqual({ dry: 0, mediaGap: 1, early: 1 });
  });

  it('flush drops the schedule: the next frame starts a new one where it is due', () => {
    const r = rig();
    for (let i = 0; i < 5; i++) feed(r, i, 500 + i * AAC_FRAME_MS);
    r.out.flush();
    expect(r.out.queuedSeconds).toBe(0);
    const heard = 2000;
    expect(feed(r, 0, heard)).toBeCloseTo(desired(r, heard), 9);
    expect(r.out.resyncs).toBe(0);
  });
});
