// A live join through the jitter buffer on a synthetic clock: the GOP-cache burst (and the stall it causes) leaves the playout target near the minimum; later jitter still raises it.
import { describe, expect, it } from 'vitest';
import { JitterBuffer, type RtpPacketIn } from '../../player/src/jitter-buffer.js';
import { prng } from '../helpers/prng.js';

const CLOCK = 48_000;
/** One AAC frame per packet (1024 samples at 48 kHz), as a low-latency publisher sends. */
const FRAME_MS = (1024 * 1000) / CLOCK;
const BURST_MEDIA_MS = 2000;
const BURST_ARRIVAL_MS = 100;
/** Media time of the packets the jitter episode delays (local times 4-7 s). */
const JITTER_FROM = 4000;
const JITTER_TO = 7000;

interface Arrival extends RtpPacketIn {
  mediaMs: number;
}

/**
 * What the player sees when it joins a live path: the server's GOP cache (2 s of media from the
 * last key frame) within 100 ms, then the live edge in real time with 0-4 ms of jitter. The
 * burst keeps the page busy (depacketizing, decoding) and the first live packets queue behind
 * it: measured in Chromium, nothing arrived between ~0.3 and ~0.7 s after the first packet and
 * then 0.4 s of packets at once. Here: packets due in [300, 700) arrive at 700. Then a jitter
 * episode of 0-150 ms random delay (local times 4-7 s), then calm again.
 */
function joinArrivals(totalMs: number, stall = true): Arrival[] {
  const rand = prng(11);
  const out: Arrival[] = [];
  const burstPackets = Math.round(BURST_MEDIA_MS / FRAME_MS);
  for (let i = 0; ; i++) {
    const mediaMs = i * FRAME_MS;
    let at: number;
    if (i < burstPackets) at = (i / burstPackets) * BURST_ARRIVAL_MS;
    else {
      at = BURST_ARRIVAL_MS + (mediaMs - BURST_MEDIA_MS) + rand() * 4;
      if (stall && at >= 300 && at < 700) at = 700;
      if (at >= JITTER_FROM && at < JITTER_TO) at += rand() * 150;
    }
    if (at > totalMs) break;
    out.push({ seq: (5000 + i) & 0xffff, timestamp: (123_456 + Math.round(i * 1024)) >>> 0, marker: true, payload: new Uint8Array(1), arrivalMs: at, mediaMs });
  }
  return out.sort((a, b) => a.arrivalMs - b.arrivalMs);
}

const newBuffer = (): JitterBuffer => new JitterBuffer({ clockRate: CLOCK, minDelayMs: 20, maxDelayMs: 2000, reliableTransport: true, now: () => 0 });

/** Runs the arrivals through a buffer configured as the ws mode's, polling every 5 ms; target and applied delay every 50 ms. */
function run(arrivals: Arrival[], totalMs: number, jb = newBuffer()): { t: number; targetMs: number; delayMs: number }[] {
  const samples: { t: number; targetMs: number; delayMs: number }[] = [];
  let k = 0;
  for (let t = 0; t <= totalMs; t += 5) {
    while (k < arrivals.length && arrivals[k]!.arrivalMs <= t) jb.push(arrivals[k++]!);
    jb.pop(t);
    if (t % 50 === 0) {
      const s = jb.stats(t);
      samples.push({ t, targetMs: s.targetMs, delayMs: s.delayMs });
    }
  }
  return samples;
}

describe('live join: the GOP-cache burst is not network jitter', () => {
  const TOTAL = 12_000;
  const samples = run(joinArrivals(TOTAL), TOTAL);
  const between = (from: number, to: number) => samples.filter((s) => s.t >= from && s.t < to);

  it('keeps the target and the applied delay near the minimum from 1.5 s after the join until the jitter starts', () => {
    const calm = between(1500, JITTER_FROM);
    const worst = Math.max(...calm.map((s) => Math.max(s.targetMs, s.delayMs)));
    expect(worst, JSON.stringify(calm.filter((s) => s.t % 250 === 0))).toBeLessThanOrEqual(80);
    // And at no time does the join drive them above the initial 100 ms, let alone toward the cap.
    expect(Math.max(...between(0, JITTER_FROM).map((s) => s.delayMs))).toBeLessThanOrEqual(100);
  });

  it('still raises the target under a later jitter episode, and lowers it again after', () => {
    const calmEnd = between(JITTER_FROM - 500, JITTER_FROM).at(-1)!.targetMs;
    const peak = Math.max(...between(JITTER_FROM, JITTER_TO + 200).map((s) => s.targetMs));
    expect(peak).toBeGreaterThan(calmEnd + 100);
    expect(samples.at(-1)!.targetMs).toBeLessThan(peak - 50);
  });

  it('tells the burst (behind the live edge: arrived before its last packet) from the live packets after it', () => {
    const jb = newBuffer();
    const arrivals = joinArrivals(JITTER_FROM);
    run(arrivals, JITTER_FROM, jb);
    const burst = arrivals.filter((a) => a.mediaMs < BURST_MEDIA_MS);
    const live = arrivals.filter((a) => a.mediaMs >= BURST_MEDIA_MS);
    // The burst's last packet, or one of the first live packets (the live edge can be a few ms
    // ahead of the burst's end): those leave at most that few ms late, not skipped.
    expect(jb.catchUpAtMs).toBeGreaterThanOrEqual(burst.at(-1)!.arrivalMs);
    expect(jb.catchUpAtMs).toBeLessThan(BURST_ARRIVAL_MS + 3 * FRAME_MS);
    expect(live.filter((a) => a.arrivalMs < jb.catchUpAtMs).length).toBeLessThanOrEqual(2);
    expect(jb.joining(JITTER_FROM)).toBe(false);
  });

  it('a join without the stall also stays near the minimum', () => {
    const plain = run(joinArrivals(JITTER_FROM, false), JITTER_FROM).filter((s) => s.t >= 1500);
    expect(Math.max(...plain.map((s) => Math.max(s.targetMs, s.delayMs)))).toBeLessThanOrEqual(80);
  });
});
