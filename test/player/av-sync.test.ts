// AvSync: show/hold/drop table, skew and latency in a fake-clock playback loop across an SR refit, fallbacks, audio that runs dry.
import { describe, expect, it } from 'vitest';
import { AvSync } from '../../player/src/av-sync.js';
import { RtpClock } from '../../player/src/rtp-clock.js';
import { ntpFromUnixMs } from '../../server/rtp/ntp.js';
import { prng } from '../helpers/prng.js';

const BASE = 1_700_000_000_000; // sender wallclock = local ms + BASE (loopback: one clock)
const A0 = 123_456;
const V0 = 3_000_000_000; // wraps at 2^32 after ~14 s of 90 kHz
const audioTs = (wall: number): number => (A0 + Math.round((wall - BASE) * 48)) >>> 0;
const videoTs = (wall: number): number => (V0 + Math.round((wall - BASE) * 90)) >>> 0;
const sr = (wall: number, rtp: number) => {
  const n = ntpFromUnixMs(wall);
  return { ntpSeconds: n.seconds, ntpFraction: n.fraction, rtpTimestamp: rtp };
};

function clocks(): { audio: RtpClock; video: RtpClock } {
  const audio = new RtpClock(48_000);
  const video = new RtpClock(90_000);
  audio.onSenderReport(sr(BASE, audioTs(BASE)));
  video.onSenderReport(sr(BASE, videoTs(BASE)));
  return { audio, video };
}

describe('AvSync decisions', () => {
  // Audio heard at local time 1000 is sender wallclock BASE + 1000 - 150 (150 ms of latency).
  const cases: { name: string; frameEarlyMs: number; action: string }[] = [
    { name: 'on time', frameEarlyMs: 0, action: 'show' },
    { name: 'early by 4 ms: within the 5 ms hold threshold', frameEarlyMs: 4, action: 'show' },
    { name: 'early by 6 ms: hold', frameEarlyMs: 6, action: 'hold' },
    { name: 'early by 200 ms: hold', frameEarlyMs: 200, action: 'hold' },
    { name: 'late by 30 ms (< one 40 ms frame): show', frameEarlyMs: -30, action: 'show' },
    { name: 'late by 41 ms: drop', frameEarlyMs: -41, action: 'drop' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const { audio, video } = clocks();
      const s = new AvSync(video, audio, { frameIntervalMs: 40, now: () => 1000, unixNow: () => BASE + 1000 });
      const heard = BASE + 850;
      s.setAudioPosition(audioTs(heard), 1000);
      const v = s.decide(videoTs(heard + c.frameEarlyMs));
      expect(v.action).toBe(c.action);
      expect(v.earlyMs).toBeCloseTo(c.frameEarlyMs, 1);
      expect(s.stats().mode).toBe('sr');
      if (c.action === 'show') {
        expect(s.stats().lastSkewMs).toBeCloseTo(-c.frameEarlyMs, 1);
        expect(s.stats().latencyMs).toBeCloseTo(150 - c.frameEarlyMs, 1);
      }
    });
  }

  it('shows a frame that is seconds early at once instead of freezing on it, and counts it', () => {
    const { audio, video } = clocks();
    const s = new AvSync(video, audio, { frameIntervalMs: 40 });
    s.setAudioPosition(audioTs(BASE + 500), 0);
    expect(s.decide(videoTs(BASE + 2900), 0).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 4000), 0).action).toBe('show');
    expect(s.stats()).toMatchObject({ unsynced: 1, shown: 1, held: 1 });
  });

  it('extrapolates the audio position with local time between updates', () => {
    const { audio, video } = clocks();
    const s = new AvSync(video, audio, { frameIntervalMs: 40 });
    s.setAudioPosition(audioTs(BASE + 500), 1000);
    expect(s.decide(videoTs(BASE + 520), 1000).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 520), 1018).action).toBe('show');
    expect(s.stats().held).toBe(1); // one frame held, however many times it was asked about
  });
});

/**
 * A 60 Hz render loop over a fake clock: audio heard with `latency` ms behind the sender, 30 fps
 * video decoded 100 ms ahead of need; the loop follows the usage in av-sync.ts.
 */
function play(s: AvSync, fromMs: number, toMs: number, latency: number, onTick?: (t: number) => void) {
  const shown: { t: number; skew: number; reported: number }[] = [];
  let dropped = 0;
  const queue: number[] = [];
  let nextFrameWall = BASE + fromMs - latency;
  for (let t = fromMs; t < toMs; t += 1000 / 60) {
    onTick?.(t);
    const heard = BASE + t - latency;
    s.setAudioPosition(audioTs(heard), t);
    while (nextFrameWall < heard + 100) {
      queue.push(nextFrameWall);
      nextFrameWall += 1000 / 30;
    }
    while (queue.length) {
      const v = s.decide(videoTs(queue[0]!), t);
      if (v.action === 'hold') break;
      const w = queue.shift()!;
      if (v.action === 'show') shown.push({ t, skew: heard - w, reported: s.stats().lastSkewMs });
      else dropped++;
    }
  }
  return { shown, dropped };
}

describe('AvSync playback loop', () => {
  it('keeps |skew| within a render tick, drops nothing, across an SR refit and a rejected insane SR', () => {
    const { audio, video } = clocks();
    let t = 0;
    const s = new AvSync(video, audio, { now: () => t, unixNow: () => BASE + t });
    const r = play(s, 0, 20_000, 200, (now) => {
      t = now;
      // At 10 s a video SR arrives that says the video RTP clock ran 3 ms fast: refit.
      if (Math.abs(now - 10_000) < 8) expect(video.onSenderReport(sr(BASE + 10_000, (videoTs(BASE + 10_000) + 270) >>> 0))).toBe('accepted');
      // At 12 s a bogus one (60 s off): rejected, nothing moves.
      if (Math.abs(now - 12_000) < 8) expect(video.onSenderReport(sr(BASE + 12_000, (videoTs(BASE + 72_000)) >>> 0))).toBe('rejected');
    });
    expect(r.dropped).toBe(0);
    expect(r.shown.length).toBeGreaterThan(590);
    for (const f of r.shown) {
      // Shown at the first tick where it is no more than 5 ms early: skew in [-5, 16.7 + 3].
      expect(f.skew).toBeGreaterThanOrEqual(-5 - 1e-6);
      expect(f.skew).toBeLessThanOrEqual(1000 / 60 + 3 + 1e-6);
    }
    // After the refit the video map puts every frame 3 ms earlier: the skew the controller
    // reports moves by 3 ms (here the frames still land on the same 60 Hz ticks).
    const before = r.shown.filter((f) => f.t > 5000 && f.t < 9900).map((f) => f.reported);
    const after = r.shown.filter((f) => f.t > 10_100 && f.t < 20_000).map((f) => f.reported);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(after) - mean(before)).toBeCloseTo(3, 1);
    const st = s.stats();
    expect(Math.abs(st.skewMs)).toBeLessThan(20);
    expect(st.latencyMs).toBeGreaterThan(190);
    expect(st.latencyMs).toBeLessThan(220);
    expect(st.frameIntervalMs).toBeCloseTo(1000 / 30, 0);
  });

  it('drops frames that are late by more than a frame, then catches up', () => {
    const { audio, video } = clocks();
    const s = new AvSync(video, audio, { frameIntervalMs: 1000 / 30 });
    s.setAudioPosition(audioTs(BASE + 1000), 0);
    const actions = [900, 950, 970, 990, 1000, 1020].map((w) => s.decide(videoTs(BASE + w), 0).action);
    expect(actions).toEqual(['drop', 'drop', 'show', 'show', 'show', 'hold']);
    expect(s.stats()).toMatchObject({ dropped: 2, shown: 3, held: 1 });
  });

  it('holds the picture where audio ran dry, and shows it in step once audio plays again', () => {
    const { audio, video } = clocks();
    const s = new AvSync(video, audio, { frameIntervalMs: 1000 / 30, maxAudioStallMs: 1000 });
    s.setAudioPosition(audioTs(BASE + 1000), 0);
    expect(s.decide(videoTs(BASE + 1000), 0).action).toBe('show');
    // Audio heard up to BASE+1040, then nothing scheduled (a stall of the page): the clock stands.
    s.setAudioPosition(audioTs(BASE + 1040), 40, false);
    s.setAudioPosition(audioTs(BASE + 1040), 300, false);
    expect(s.decide(videoTs(BASE + 1040), 300).action).toBe('show');
    expect(s.decide(videoTs(BASE + 1073), 300).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 1073), 900).action).toBe('hold');
    // Audio resumes 500 ms late: BASE+1040 heard at 540, and the frame after it is due 33 ms later.
    s.setAudioPosition(audioTs(BASE + 1040), 540);
    expect(s.decide(videoTs(BASE + 1073), 560).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 1073), 573).action).toBe('show');
  });

  it('runs on from where audio stopped once it has been dry for longer than maxAudioStallMs', () => {
    const { audio, video } = clocks();
    const s = new AvSync(video, audio, { frameIntervalMs: 1000 / 30, maxAudioStallMs: 1000 });
    s.setAudioPosition(audioTs(BASE + 2000), 0, false);
    s.setAudioPosition(audioTs(BASE + 2000), 800, false); // the stall started at 0, not 800
    expect(s.decide(videoTs(BASE + 2100), 999).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 2100), 1100).action).toBe('show');
    expect(s.decide(videoTs(BASE + 2200), 1100).action).toBe('hold');
    // After a reset nothing of the stall is left.
    s.reset();
    s.setAudioPosition(audioTs(BASE + 3000), 0);
    expect(s.decide(videoTs(BASE + 3000), 0).action).toBe('show');
    expect(s.decide(videoTs(BASE + 3100), 100).action).toBe('show');
  });

  it('uses arrival times before both tracks have an SR, SR mapping after', () => {
    const audio = new RtpClock(48_000);
    const video = new RtpClock(90_000);
    const s = new AvSync(video, audio, { frameIntervalMs: 40, unixNow: () => BASE });
    // Packets arrive 20 ms after they were sent, on the receiver's Unix clock.
    for (let w = BASE; w < BASE + 1000; w += 20) {
      audio.noteArrival(audioTs(w), w + 20);
      video.noteArrival(videoTs(w), w + 20);
    }
    s.setAudioPosition(audioTs(BASE + 500), 0);
    expect(s.stats().mode).toBe('arrival');
    expect(s.decide(videoTs(BASE + 500), 0)).toMatchObject({ action: 'show' });
    expect(s.decide(videoTs(BASE + 560), 0).action).toBe('hold');
    expect(s.stats().latencyMs).toBeNull();
    audio.onSenderReport(sr(BASE, audioTs(BASE)));
    expect(s.stats().mode).toBe('arrival'); // one track is not enough: they must share a base
    video.onSenderReport(sr(BASE, videoTs(BASE)));
    expect(s.stats().mode).toBe('sr');
    expect(s.decide(videoTs(BASE + 503), 0).action).toBe('show');
  });

  it('with an audio track, the first frames wait for audio to be heard, for up to maxAudioStallMs', () => {
    const { audio, video } = clocks();
    const s = new AvSync(video, audio, { frameIntervalMs: 1000 / 30, maxAudioStallMs: 1000 });
    expect(s.decide(videoTs(BASE + 0), 0).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 0), 500).action).toBe('hold');
    s.setAudioPosition(audioTs(BASE - 20), 600);
    expect(s.decide(videoTs(BASE + 0), 610).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 0), 620).action).toBe('show');
    // An audio track that never plays: after the wait, video runs on its own.
    const s2 = new AvSync(video, audio, { frameIntervalMs: 1000 / 30, maxAudioStallMs: 1000 });
    expect(s2.decide(videoTs(BASE + 0), 0).action).toBe('hold');
    expect(s2.decide(videoTs(BASE + 0), 1000).action).toBe('show');
    expect(s2.stats().mode).toBe('video');
  });

  it('without audio, runs on a free clock anchored on the first frame', () => {
    const { video } = clocks();
    const s = new AvSync(video, undefined, { frameIntervalMs: 40 });
    expect(s.decide(videoTs(BASE + 0), 0).action).toBe('show');
    expect(s.decide(videoTs(BASE + 40), 20).action).toBe('hold');
    expect(s.decide(videoTs(BASE + 40), 38).action).toBe('show');
    expect(s.decide(videoTs(BASE + 80), 200).action).toBe('drop');
    // A jump of the timeline (seek) re-anchors instead of dropping for ever.
    expect(s.decide(videoTs(BASE + 60_000), 240).action).toBe('show');
    expect(s.stats().mode).toBe('video');
  });

  it('fuzz: random clocks and timestamps never throw, stats stay finite', () => {
    const rand = prng(9);
    const { audio, video } = clocks();
    const s = new AvSync(video, rand() < 0.5 ? audio : undefined);
    for (let k = 0; k < 5000; k++) {
      const r = rand();
      if (r < 0.1) s.setAudioPosition(Math.floor(rand() * 2 ** 32), rand() * 1e6);
      else if (r < 0.12) video.onSenderReport(sr(BASE + rand() * 1e7, Math.floor(rand() * 2 ** 32)));
      else if (r < 0.13) s.reset();
      const v = s.decide(Math.floor(rand() * 2 ** 32), rand() * 1e6);
      expect(['show', 'hold', 'drop']).toContain(v.action);
      const st = s.stats();
      expect(Number.isFinite(st.skewMs)).toBe(true);
      expect(Number.isFinite(st.frameIntervalMs)).toBe(true);
    }
  });
});
