// A fake-clock network for the player's jitter tests: a paced RTP sender, a seeded random delay per packet, a receiver polling a JitterBuffer.
import { prng } from '../helpers/prng.js';
import { JitterBuffer, type Released, type RtpPacketIn } from '../../player/src/jitter-buffer.js';

export interface SimPacket extends RtpPacketIn {
  /** Local send time (ms), to check what left when. */
  sentMs: number;
}

export interface SimOptions {
  /** Media ms per packet (20 ms audio frames by default). */
  frameMs?: number;
  clockRate?: number;
  firstSeq?: number;
  firstTs?: number;
  /** Extra delay of packet i sent at t: 0 by default. */
  delay?: (i: number, sentMs: number, rand: () => number) => number;
  seed?: number;
  /** Receiver polling period (ms). */
  pollMs?: number;
}

export interface SimResult {
  released: Released<SimPacket>[];
  /** Local time of each pop that released something, parallel to `released`. */
  releasedAt: number[];
  /** (time, stats) sampled at every poll. */
  samples: { t: number; delayMs: number; targetMs: number; jitterMs: number }[];
}

/** Runs `durationMs` of a paced stream through `jb`, returning what left and when. */
export function simulate(jb: JitterBuffer<SimPacket>, durationMs: number, opts: SimOptions = {}, startMs = 0): SimResult {
  const frameMs = opts.frameMs ?? 20;
  const clockRate = opts.clockRate ?? 48_000;
  const rand = prng(opts.seed ?? 1);
  const delay = opts.delay ?? (() => 0);
  const pollMs = opts.pollMs ?? 5;
  const arrivals: SimPacket[] = [];
  const n = Math.floor(durationMs / frameMs);
  for (let i = 0; i < n; i++) {
    const sentMs = startMs + i * frameMs;
    arrivals.push({
      seq: ((opts.firstSeq ?? 1000) + i) & 0xffff,
      timestamp: ((opts.firstTs ?? 90_000) + Math.round((i * frameMs * clockRate) / 1000)) >>> 0,
      marker: true,
      payload: new Uint8Array([i & 0xff]),
      sentMs,
      arrivalMs: sentMs + delay(i, sentMs, rand),
    });
  }
  arrivals.sort((a, b) => a.arrivalMs - b.arrivalMs);
  const res: SimResult = { released: [], releasedAt: [], samples: [] };
  let k = 0;
  const end = startMs + durationMs + 2000;
  for (let t = startMs; t <= end; t += pollMs) {
    while (k < arrivals.length && arrivals[k]!.arrivalMs <= t) jb.push(arrivals[k++]!);
    for (const r of jb.pop(t)) {
      res.released.push(r);
      res.releasedAt.push(t);
    }
    const s = jb.stats(t);
    res.samples.push({ t, delayMs: s.delayMs, targetMs: s.targetMs, jitterMs: s.jitterMs });
  }
  return res;
}
