// A simulated ws-mode page on one fake clock: a paced sender of the flash + beep clip, seeded network delay, a main thread that can stall, and the player's own jitter buffers, audio output, output map and A/V sync between them.
//
// What the page does is done here with the page's code: packets go into the JitterBuffers when
// the main thread is free (a WebSocket message waits for it), released audio is scheduled with
// scheduleAudio (audio-schedule.ts, as ws-engine does) on an AudioOut over a simulated context,
// and each animation frame runs updateAudioPosition and AvSync.decide over the decoded frames as
// VideoOut does. Decoding is instant and the lip-sync floor is left out: this measures the
// timing algorithms, not a decoder. The clip: a white flash on the video frame of each whole
// second and a beep in the audio at the same media instant, as media/sample.mp4 has.
import { AudioOut } from '../../player/src/audio-out.js';
import { AudioOutputMap } from '../../player/src/audio-output-map.js';
import { scheduleAudio, updateAudioPosition } from '../../player/src/audio-schedule.js';
import { AvSync } from '../../player/src/av-sync.js';
import { JitterBuffer } from '../../player/src/jitter-buffer.js';
import { RtpClock } from '../../player/src/rtp-clock.js';
import { ntpFromUnixMs } from '../../server/rtp/ntp.js';
import { prng } from '../helpers/prng.js';
import { AAC_FRAME_MS, aacFrame, SimAudioContext } from './sim-audio.js';

export interface PlaybackSimOptions {
  /** Media seconds sent. */
  seconds: number;
  seed?: number;
  /** Network delay (ms) of a packet sent at local time `sentMs`, beyond a fixed 2 ms. */
  delay?: (sentMs: number, rand: () => number) => number;
  /** Main-thread stalls, [start, end) in local ms: no packet, timer or animation frame runs in them. */
  stalls?: [number, number][];
}

/** A flash/beep pair: when each was seen and heard (local ms); skew = flash - beep (positive: sound ahead, BT.1359's sign). */
export interface SyncPair {
  second: number;
  flashMs: number;
  beepMs: number;
  skewMs: number;
}

export interface PlaybackSimResult {
  pairs: SyncPair[];
  /** Local times at which frames were drawn. */
  shownAt: number[];
  dropped: number;
  restarts: { dry: number; mediaGap: number; early: number };
  skipped: number;
  /** The jitter buffers' network targets (Ramjee d + 4v), every 250 ms. */
  targets: { t: number; video: number; audio: number }[];
}

const BASE = 1_700_000_000_000; // sender wallclock = local ms + BASE (loopback: one clock)
const A0 = 123_456;
const V0 = 3_000_000;
/** Local time the sender starts (media time 0). */
const START_MS = 100;
const VSYNC_MS = 1000 / 60;
const FPS = 30;

interface Pkt {
  seq: number;
  timestamp: number;
  marker: boolean;
  payload: Uint8Array;
  arrivalMs: number;
  /** Frame index in its track. */
  index: number;
}

const sr = (wall: number, rtp: number): { ntpSeconds: number; ntpFraction: number; rtpTimestamp: number } => {
  const n = ntpFromUnixMs(wall);
  return { ntpSeconds: n.seconds, ntpFraction: n.fraction, rtpTimestamp: rtp };
};

/** Every packet of one track with its (seeded) arrival time, in arrival order. */
function arrivals(count: number, mediaMsOf: (i: number) => number, tsOf: (i: number) => number, delay: (t: number) => number): { at: number; pkt: Pkt }[] {
  const out: { at: number; pkt: Pkt }[] = [];
  for (let i = 0; i < count; i++) {
    const sent = START_MS + mediaMsOf(i);
    out.push({ at: sent + 2 + delay(sent), pkt: { seq: i & 0xffff, timestamp: tsOf(i) >>> 0, marker: true, payload: new Uint8Array(1), arrivalMs: 0, index: i } });
  }
  return out.sort((a, b) => a.at - b.at);
}

export function simulatePlayback(o: PlaybackSimOptions): PlaybackSimResult {
  let t = 0;
  const now = (): number => t;
  const rand = prng(o.seed ?? 1);
  const delay = (sent: number): number => Math.max(0, o.delay?.(sent, rand) ?? 0);
  const videoCount = o.seconds * FPS;
  const audioCount = Math.floor((o.seconds * 1000) / AAC_FRAME_MS);
  const net = {
    video: arrivals(videoCount, (i) => (i * 1000) / FPS, (i) => V0 + i * 3000, delay),
    audio: arrivals(audioCount, (i) => i * AAC_FRAME_MS, (i) => A0 + i * 1024, delay),
  };
  const jbOpts = { minDelayMs: 20, maxDelayMs: 2000, reliableTransport: true, now };
  const vjb = new JitterBuffer<Pkt>({ clockRate: 90_000, ...jbOpts });
  const ajb = new JitterBuffer<Pkt>({ clockRate: 48_000, ...jbOpts });
  const vclock = new RtpClock(90_000);
  const aclock = new RtpClock(48_000);
  vclock.onSenderReport(sr(BASE + START_MS, V0));
  aclock.onSenderReport(sr(BASE + START_MS, A0));
  const ctx = new SimAudioContext(now);
  const out = new AudioOut(ctx.asOutput(), now);
  const map = new AudioOutputMap(48_000, 512);
  const sync = new AvSync(vclock, aclock, { now, unixNow: () => BASE + t });
  /** Where each audio frame started on the output (context s) and its rate; undefined: skipped. */
  const chunks = new Map<number, { at: number; rate: number }>();
  const queue: Pkt[] = [];
  const flashes = new Map<number, number>();
  const res: PlaybackSimResult = { pairs: [], shownAt: [], dropped: 0, restarts: out.restartCauses, skipped: 0, targets: [] };
  const next = { video: 0, audio: 0 };
  let nextVsync = 0;
  const endMs = START_MS + o.seconds * 1000 + 3000;
  for (t = 0; t <= endMs; t += 1) {
    if (t % 250 === 0) res.targets.push({ t, video: vjb.stats(t).networkTargetMs, audio: ajb.stats(t).networkTargetMs });
    if ((o.stalls ?? []).some(([a, b]) => t >= a && t < b)) continue;
    // Messages that came while the thread was busy are taken now, stamped now.
    for (const [k, jb] of [['video', vjb], ['audio', ajb]] as const) {
      const list = net[k];
      while (next[k] < list.length && list[next[k]]!.at <= t) jb.push({ ...list[next[k]++]!.pkt, arrivalMs: t });
    }
    for (const r of ajb.pop(t)) {
      const at = scheduleAudio(out, map, aacFrame(), r.packet.timestamp, 48_000, ajb.playoutTimeMs(r.packet.timestamp, t));
      if (at !== undefined) chunks.set(r.packet.index, { at, rate: out.lastRate });
    }
    for (const r of vjb.pop(t)) queue.push(r.packet);
    if (t >= nextVsync) {
      render(t);
      while (nextVsync <= t) nextVsync += VSYNC_MS;
    }
  }
  res.skipped = out.framesSkipped;

  function render(nowMs: number): void {
    if (queue.length === 0) return;
    updateAudioPosition(out, map, sync, nowMs);
    while (queue.length > 0) {
      const head = queue[0]!;
      const v = sync.decide(head.timestamp, nowMs);
      if (v.action === 'hold') return;
      queue.shift();
      if (v.action === 'drop') {
        res.dropped++;
        continue;
      }
      res.shownAt.push(nowMs);
      if (head.index % FPS === 0) flashes.set(head.index / FPS, nowMs);
      return;
    }
  }

  for (const [second, flashMs] of flashes) {
    // The beep starts at the second's media instant, inside the audio frame that holds it.
    const k = Math.floor((second * 1000) / AAC_FRAME_MS);
    const c = chunks.get(k);
    if (!c) continue;
    const offsetS = (second * 1000 - k * AAC_FRAME_MS) / 1000 / c.rate;
    const beepMs = ctx.heardAtMs(c.at + offsetS);
    res.pairs.push({ second, flashMs, beepMs, skewMs: flashMs - beepMs });
  }
  res.pairs.sort((a, b) => a.second - b.second);
  return res;
}

/** Fewest frames drawn in any second from `fromMs` to `toMs` (1 s windows, every 250 ms). */
export function fewestFramesPerSecond(r: PlaybackSimResult, fromMs: number, toMs: number): number {
  let min = Infinity;
  for (let a = fromMs; a + 1000 <= toMs; a += 250) min = Math.min(min, r.shownAt.filter((x) => x >= a && x < a + 1000).length);
  return min;
}
