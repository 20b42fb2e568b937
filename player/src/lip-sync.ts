// Lip sync across the two jitter buffers: audio (the master clock) gets enough extra delay that video frames are decoded before their time.
import type { TrackReceiver } from './track-receiver.js';

/**
 * Audio is heard at its own jitter buffer's playout time; a video frame can only be shown once
 * it is released by the video buffer (after the frame before it in decode order: B-frames wait
 * for the P frame sent ahead of them), decoded, and drawn. Both are measured against the same
 * sender wallclock (RTCP SR), so "how long after its wallclock" compares across tracks:
 * E_audio = heard - wall, E_video = decoded - wall. When E_video + margin exceeds E_audio, video
 * would be late at every frame; the audio buffer's floor is raised by the difference (WebRTC's
 * stream synchronization does the same with its minimum playout delay), and lowered again when
 * video needs less. The jitter buffer slews the applied delay at ~100 ms/s, so nothing jumps.
 */
const DRAW_MARGIN_MS = 15;
/** Window of the video readiness figure: long enough to include a GOP's B-frames. */
const WINDOW_MS = 3000;
const ADJUST_EVERY_MS = 250;

export class LipSync {
  private samples: { at: number; e: number }[] = [];
  private audioE = NaN;
  private lastAdjust = 0;
  /** The floor given to the audio buffer now (ms), for the stats. */
  floorMs = 0;

  constructor(
    private readonly video: TrackReceiver | undefined,
    private readonly audio: TrackReceiver | undefined,
  ) {}

  /** Both tracks on SRs, or both on arrival times: the same rule as the A/V sync's mode. */
  private wall(r: TrackReceiver, ts: number): number | undefined {
    const sr = this.video!.clock.synced && this.audio!.clock.synced;
    return sr ? r.clock.wallclockMs(ts) : r.clock.arrivalWallclockMs(ts);
  }

  videoReady(ts: number): void {
    if (!this.video || !this.audio) return;
    const w = this.wall(this.video, ts);
    if (w === undefined) return;
    const now = performance.now();
    this.samples.push({ at: now, e: performance.timeOrigin + now - w });
    while (this.samples.length > 0 && now - this.samples[0]!.at > WINDOW_MS) this.samples.shift();
  }

  audioScheduled(ts: number, heardUnixMs: number): void {
    if (!this.video || !this.audio) return;
    const w = this.wall(this.audio, ts);
    if (w !== undefined) this.audioE = heardUnixMs - w;
  }

  adjust(now: number): void {
    if (!this.video || !this.audio || now - this.lastAdjust < ADJUST_EVERY_MS) return;
    this.lastAdjust = now;
    if (Number.isNaN(this.audioE) || this.samples.length === 0) return;
    // The latest frame of the window, not a percentile: key frames are the largest (most packets,
    // so under network jitter their last packet comes latest) and they are a few in a hundred,
    // so a percentile leaves exactly them late — and a late frame is shown late, up to one frame
    // interval, which measured +40..+85 ms of audio lead under 0-150 ms jitter. A one-off decode
    // hiccup costs at most the window (3 s) of extra delay.
    let videoE = -Infinity;
    for (const s of this.samples) if (s.e > videoE) videoE = s.e;
    const need = videoE + DRAW_MARGIN_MS - this.audioE;
    // A dead band, so the floor does not chase every millisecond of decode time.
    if (need > 3 || need < -25) {
      const delay = this.audio.jb.stats(now).delayMs;
      this.floorMs = Math.max(0, delay + need);
      this.audio.jb.setMinDelayMs(this.floorMs);
    }
  }

  reset(): void {
    this.samples = [];
    this.audioE = NaN;
  }
}
