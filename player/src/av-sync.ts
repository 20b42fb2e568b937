// A/V sync with the audio clock as master: per decoded video frame, show now, hold, or drop; A/V skew and end-to-end latency.
//
// For the player (runtime-neutral; the clocks are injected):
//
//   const sync = new AvSync(videoClock, audioClock, { now: () => performance.now(),
//                                                     unixNow: () => performance.timeOrigin + performance.now() });
//   // audio: remember where each decoded chunk was scheduled in the AudioContext
//   audioMap.schedule(startCtxSec, chunkRtpTimestamp, chunk.length, playbackRate);  // audio-output-map.ts
//   // each animation frame: what is being heard (or where the output ran dry), then the video queue
//   const o = ctx.getOutputTimestamp();
//   const h = audioMap.heard(o.contextTime!);
//   if (h) sync.setAudioPosition(h.timestamp, o.performanceTime!, h.running);
//   while (queue.length) {
//     const v = sync.decide(queue[0].rtpTimestamp);
//     if (v.action === 'hold') break;             // early by > 5 ms: try again next frame
//     const f = queue.shift()!;
//     if (v.action === 'show') draw(f); else dropped++;  // late by > one frame interval: drop
//     f.close();
//   }
//   Object.assign(window.tidecastStats, sync.stats()); // mode, skewMs, latencyMs, shown, held, dropped
//   sync.reset();                                      // after a seek, with the RtpClocks' reset()
//
// Master clock. The audio heard now is the chunk scheduled at AudioContext time contextTime
// (getOutputTimestamp pairs it with performance.now()); its RTP time mapped through the audio
// track's RtpClock is the sender wallclock of what is heard. A video frame is due when its own
// wallclock equals that (audio and video mapped through the same sender clock, RFC 3550 §6.4.1).
// Between updates the master advances with local time at 1x, unless the output has run dry: then
// it stands where the audio stopped (up to maxAudioStallMs), so the picture waits for the sound.
//
// Modes: 'sr' when both tracks have a sender report; 'arrival' before (both tracks mapped by their
// arrival times, see RtpClock.arrivalWallclockMs for its error); 'video' when there is no audio
// track or no audio heard yet: a free-running local clock anchored on the first frame.
//
// End-to-end latency = receiver now - sender wallclock of the frame on screen. It needs the
// sender's NTP clock and the receiver's Unix clock to share a base: on loopback they are the same
// clock; across machines it is off by their NTP offset. Reported only in 'sr' mode.

import type { RtpClock } from './rtp-clock.js';

export type FrameAction = 'show' | 'hold' | 'drop';
export type SyncMode = 'sr' | 'arrival' | 'video';

export interface FrameVerdict {
  action: FrameAction;
  /** How early the frame is against the master clock (negative: late). */
  earlyMs: number;
}

export interface AvSyncOptions {
  /** Hold a frame early by more than this. Default 5 ms. */
  holdMs?: number;
  /**
   * A frame early by more than this is shown at once (counted `unsynced`): no jitter buffer holds
   * that much, so the two maps disagree (a timeline jump not yet seen in an SR), and holding it
   * would freeze the picture until the audio got there. Default 3000 ms.
   */
  maxEarlyMs?: number;
  /** Frame interval for the drop rule; by default estimated from the frames' timestamps (33.3 ms until then). */
  frameIntervalMs?: number;
  /** Time from the draw call to the frame being visible (compositor); frames are drawn that much early. Default 0. */
  displayLatencyMs?: number;
  /**
   * Longest the picture waits on audio that has run dry (see `setAudioPosition`), or, with an audio
   * track, on the first audio to be heard: past it the audio is taken as gone (a track that ended,
   * stopped, or never sends) and video runs on (from where audio stopped, or on its own clock).
   * Default 1000 ms.
   */
  maxAudioStallMs?: number;
  /** Local clock, ms (performance.now() in the page). */
  now?: () => number;
  /** Receiver Unix clock, ms, for the end-to-end latency. */
  unixNow?: () => number;
}

export interface AvSyncStats {
  mode: SyncMode;
  /** Smoothed A/V skew of shown frames, ms; positive: audio ahead of video (ITU-R BT.1359 sign). */
  skewMs: number;
  /** Skew of the last shown frame. */
  lastSkewMs: number;
  /** End-to-end latency of the frame on screen, ms ('sr' mode only, else null). */
  latencyMs: number | null;
  shown: number;
  /** Distinct frames held at least once. */
  held: number;
  dropped: number;
  /** Frames shown although more than `maxEarlyMs` early (maps disagree). */
  unsynced: number;
  frameIntervalMs: number;
}

const perf = (): number => globalThis.performance.now();

export class AvSync {
  private readonly holdMs: number;
  private readonly maxEarlyMs: number;
  private readonly fixedInterval: number | undefined;
  private readonly displayMs: number;
  private readonly maxStallMs: number;
  private readonly now: () => number;
  private readonly unixNow: () => number;
  private audioTs = NaN;
  private audioAtMs = NaN;
  /** Local time the heard audio stopped advancing (the output ran dry); NaN while it runs. */
  private stallAt = NaN;
  /** Local time of the first frame judged while no audio has been heard yet (NaN: none). */
  private waitAudioSince = NaN;
  /** 'video' mode anchor: master(t) = anchorWall + (t - anchorAt). */
  private anchorWall = NaN;
  private anchorAt = NaN;
  private interval = 1000 / 30;
  private lastIntervalTs = NaN;
  private lastHeldTs = NaN;
  private skew = 0;
  private lastSkew = 0;
  private latency: number | null = null;
  private counts = { shown: 0, held: 0, dropped: 0, unsynced: 0 };

  constructor(
    private readonly video: RtpClock,
    private readonly audio: RtpClock | undefined,
    opts: AvSyncOptions = {},
  ) {
    this.holdMs = opts.holdMs ?? 5;
    this.maxEarlyMs = opts.maxEarlyMs ?? 3000;
    this.fixedInterval = opts.frameIntervalMs;
    this.displayMs = opts.displayLatencyMs ?? 0;
    this.maxStallMs = opts.maxAudioStallMs ?? 1000;
    this.now = opts.now ?? perf;
    this.unixNow = opts.unixNow ?? (() => globalThis.performance.timeOrigin + globalThis.performance.now());
  }

  /**
   * The audio RTP timestamp heard at local time `atMs` (from getOutputTimestamp and an
   * AudioOutputMap). `running` false: the output has run dry at that timestamp (audio came too
   * late, or the page stalled and could not schedule it). The master clock then stands still and
   * the picture waits, for up to `maxAudioStallMs`: extrapolated at 1x instead, it would show the
   * frames of audio not yet heard, and audio resumes late, so each stall put the picture ahead of
   * the sound by the stall's length (measured: -95 ms with 150-350 ms main-thread stalls).
   */
  setAudioPosition(audioTimestamp: number, atMs: number, running = true): void {
    this.audioTs = audioTimestamp >>> 0;
    if (running) {
      this.audioAtMs = atMs;
      this.stallAt = NaN;
    } else if (Number.isNaN(this.stallAt)) {
      this.stallAt = atMs; // master() stands still from here; audioAtMs matters again once it runs
    }
  }

  get mode(): SyncMode {
    if (!this.audio || Number.isNaN(this.audioTs)) return 'video';
    return this.audio.synced && this.video.synced ? 'sr' : 'arrival';
  }

  /** What to do with the decoded video frame of RTP time `videoTimestamp` at `nowMs`. */
  decide(videoTimestamp: number, nowMs: number = this.now()): FrameVerdict {
    const ts = videoTimestamp >>> 0;
    this.learnInterval(ts);
    const mode = this.mode;
    if (mode === 'video' && this.audio) {
      // Audio has not started: the first frames wait for it. Shown at once, they ran ahead of the
      // sound (the clip's first flash was seen 43 ms before its beep was heard).
      if (Number.isNaN(this.waitAudioSince)) this.waitAudioSince = nowMs;
      if (nowMs - this.waitAudioSince < this.maxStallMs) {
        if (ts !== this.lastHeldTs) this.counts.held++;
        this.lastHeldTs = ts;
        return { action: 'hold', earlyMs: 0 };
      }
    }
    const frameWall = this.wall(this.video, ts, mode);
    const shownAt = nowMs + this.displayMs;
    let master = this.master(mode, shownAt);
    if (frameWall === undefined) return this.show(0, mode, undefined);
    if (master === undefined || (mode === 'video' && Math.abs(frameWall - master) > 1000)) {
      // First frame, or a discontinuity (seek, restart) of the free-running clock: re-anchor.
      this.anchorWall = frameWall;
      this.anchorAt = shownAt;
      master = frameWall;
    }
    const early = frameWall - master;
    if (early > this.maxEarlyMs) {
      this.counts.unsynced++;
      return this.show(early, mode, frameWall);
    }
    if (early > this.holdMs) {
      if (ts !== this.lastHeldTs) this.counts.held++;
      this.lastHeldTs = ts;
      return { action: 'hold', earlyMs: early };
    }
    if (early < -this.frameIntervalMs) {
      this.counts.dropped++;
      return { action: 'drop', earlyMs: early };
    }
    return this.show(early, mode, frameWall);
  }

  /** Sender wallclock (ms) of RTP time `ts` on `clock` by the mapping the frame decisions use now (another track's cues: ws-subtitles.ts). */
  wallclockOf(clock: RtpClock, ts: number): number | undefined {
    return this.wall(clock, ts >>> 0, this.mode);
  }

  get frameIntervalMs(): number {
    return this.fixedInterval ?? this.interval;
  }

  stats(): AvSyncStats {
    return {
      mode: this.mode,
      skewMs: this.skew,
      lastSkewMs: this.lastSkew,
      latencyMs: this.latency,
      ...this.counts,
      frameIntervalMs: this.frameIntervalMs,
    };
  }

  /** Forgets the audio position and the free-running anchor (counters stay). */
  reset(): void {
    this.audioTs = NaN;
    this.audioAtMs = NaN;
    this.stallAt = NaN;
    this.waitAudioSince = NaN;
    this.anchorWall = NaN;
    this.anchorAt = NaN;
    this.lastIntervalTs = NaN;
    this.lastHeldTs = NaN;
    this.latency = null;
  }

  private show(early: number, mode: SyncMode, frameWall: number | undefined): FrameVerdict {
    this.counts.shown++;
    const skew = -early;
    this.lastSkew = skew;
    // A short EWMA: the stat should follow a refit within a second, not flicker per frame.
    this.skew = this.counts.shown === 1 ? skew : 0.9 * this.skew + 0.1 * skew;
    this.latency = mode === 'sr' && frameWall !== undefined ? this.unixNow() + this.displayMs - frameWall : null;
    this.lastHeldTs = NaN;
    return { action: 'show', earlyMs: early };
  }

  private wall(clock: RtpClock, ts: number, mode: SyncMode): number | undefined {
    if (mode === 'sr' || (mode === 'video' && clock.synced)) return clock.wallclockMs(ts);
    return clock.arrivalWallclockMs(ts);
  }

  /** Sender wallclock of the master clock at local time t. */
  private master(mode: SyncMode, t: number): number | undefined {
    if (mode === 'video') return Number.isNaN(this.anchorAt) ? undefined : this.anchorWall + (t - this.anchorAt);
    const w = this.wall(this.audio!, this.audioTs, mode);
    if (w === undefined) return undefined;
    // Run dry: stand at the end of what was heard, then run on from there once the stall is too long.
    if (!Number.isNaN(this.stallAt)) return w + Math.max(0, t - this.stallAt - this.maxStallMs);
    return w + (t - this.audioAtMs);
  }

  private learnInterval(ts: number): void {
    if (!Number.isNaN(this.lastIntervalTs)) {
      const d = (((ts - this.lastIntervalTs) | 0) * 1000) / this.video.clockRate;
      // Only plausible frame steps: not a repeat (held frame), not a seek.
      if (d > 1 && d < 250) this.interval = 0.9 * this.interval + 0.1 * d;
    }
    this.lastIntervalTs = ts;
  }
}
