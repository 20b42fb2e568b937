// WebAudio output: decoded audio scheduled back to back on the AudioContext (the player's master clock), slewed toward its playout time.

/**
 * Largest rate change used to slew toward the playout time: 8 % moves 80 ms per second, close to
 * the jitter buffer's own ~100 ms/s, so the schedule keeps up with a changing delay; the pitch
 * shift is audible only while the delay moves.
 */
const MAX_SLEW = 0.08;
/** Beyond this error, slewing would take too long: jump (a click, but only after a stall or a seek). */
const RESYNC_S = 0.3;
/** Scheduling closer than this to the render position risks the buffer starting late. */
const LEAD_S = 0.01;
/**
 * A restart after the output ran dry starts at least this far past the render position. The page is
 * busy then (that is why it ran dry), and a start the audio thread learns of after its time plays
 * late from its first sample while the output map says it played on time: the picture, following
 * the map, runs ahead of the sound (a CI run measured one pair at -58 ms with 10 ms).
 */
const RESTART_LEAD_S = 0.03;
/**
 * The guard: extra time frames are scheduled ahead, learnt from the output running dry. A busy page
 * (timers and decode late by tens of ms on a loaded machine, a long task) hands a frame over after
 * the schedule ran out, and the sound has a gap. Each time, the guard grows by how late that frame
 * came (+5 ms), up to MAX_GUARD_MS, and comes down by GUARD_DECAY_MS_PER_S while the output keeps
 * up. Measured on a 2-core machine running two browsers: 11-14 restarts in 8 s of a file without it.
 */
const MAX_GUARD_MS = 150;
const GUARD_DECAY_MS_PER_S = 10;

/** What the output uses of an AudioContext: the page's real one, or a simulated one in tests. */
export type OutputContext = Pick<
  AudioContext,
  'currentTime' | 'baseLatency' | 'outputLatency' | 'getOutputTimestamp' | 'createGain' | 'createBuffer' | 'createBufferSource' | 'destination' | 'close'
>;

/** What the output uses of a decoded frame (WebCodecs AudioData). */
export type DecodedAudio = Pick<AudioData, 'numberOfFrames' | 'sampleRate' | 'numberOfChannels' | 'copyTo' | 'close'>;

export class AudioOut<C extends OutputContext = AudioContext> {
  readonly ctx: C;
  /** Sources connect here; it feeds the measurement tap, then the volume, then the speakers. */
  readonly input: GainNode;
  private readonly volume: GainNode;
  private cursor: number | undefined;
  private cursorWall = 0;
  private readonly live = new Set<AudioBufferSourceNode>();
  /** The guard (ms) as last raised, and when (performance.now()). */
  private guard = 0;
  private guardAt = 0;
  /** Statistics for the overlay. */
  framesPlayed = 0;
  /** Why the schedule restarted: ran dry, a jump in the media time, or far ahead of its playout time. */
  readonly restartCauses = { dry: 0, mediaGap: 0, early: 0 };
  /** Frames skipped to catch up a schedule more than RESYNC_S late (see `play`). */
  framesSkipped = 0;
  lastRate = 1;

  /** `ctx` and `now` (performance.now() in the page) are injected by the tests' simulated output. */
  constructor(
    ctx?: C,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.ctx = ctx ?? (new AudioContext({ latencyHint: 'interactive' }) as OutputContext as C);
    this.input = this.ctx.createGain();
    this.volume = this.ctx.createGain();
    this.input.connect(this.volume);
    this.volume.connect(this.ctx.destination);
  }

  /** Puts a node (the sync probe's tap) between the sources and the volume control. */
  insertTap(tap: AudioNode): void {
    this.input.disconnect();
    this.input.connect(tap);
    tap.connect(this.volume);
  }

  setVolume(v: number, muted: boolean): void {
    this.volume.gain.value = muted ? 0 : v;
  }

  /**
   * The context time being heard now: getOutputTimestamp pairs an output position with the
   * performance.now() at which it is heard, so output latency is included; extrapolated to `perfNow`.
   */
  outputTime(perfNow = this.now()): number {
    const ts = this.ctx.getOutputTimestamp?.();
    if (ts && ts.contextTime !== undefined && ts.performanceTime !== undefined && ts.performanceTime > 0) {
      return ts.contextTime + (perfNow - ts.performanceTime) / 1000;
    }
    return this.ctx.currentTime - (this.ctx.outputLatency || this.ctx.baseLatency || 0);
  }

  /**
   * How far the render position (currentTime, where a new buffer can start) runs ahead of what is
   * heard (outputTime), in seconds: the output's buffering. A frame must be scheduled at least this
   * long (plus LEAD_S) before it is to be heard, or it starts late and the schedule breaks.
   * Measured in headless Chromium: base 10 ms + output 32 ms, currentTime - outputTime 33-42 ms.
   */
  get renderAheadS(): number {
    const l = (this.ctx.baseLatency || 0) + (this.ctx.outputLatency || 0);
    return l > 0 ? l : Math.max(0, this.ctx.currentTime - this.outputTime());
  }

  /** Times the schedule restarted, whatever the cause. */
  get resyncs(): number {
    return this.restartCauses.dry + this.restartCauses.mediaGap + this.restartCauses.early;
  }

  /** The guard now (see MAX_GUARD_MS), ms. */
  guardMs(perfNow = this.now()): number {
    return Math.max(0, this.guard - ((perfNow - this.guardAt) / 1000) * GUARD_DECAY_MS_PER_S);
  }

  /** How long before it is to be heard a frame should reach `play`, beyond decode: the output's buffering, its lead and the guard. */
  scheduleAheadMs(perfNow = this.now()): number {
    return (this.renderAheadS + LEAD_S) * 1000 + this.guardMs(perfNow);
  }

  /** Context time at which a sample scheduled now would be heard at performance time `perfMs`. */
  ctxTimeForPerf(perfMs: number): number {
    return this.outputTime(perfMs);
  }

  /** Seconds of audio scheduled ahead of the render position (buffer depth of the output). */
  get queuedSeconds(): number {
    return this.cursor === undefined ? 0 : Math.max(0, this.cursor - this.ctx.currentTime);
  }

  /**
   * Schedules one decoded frame that should be heard at performance time `playAtPerf`; `mediaMs`
   * is its media time (any origin), to tell a gap in the media from a gap in the schedule.
   * Frames follow each other without gaps; the difference between where the schedule is and
   * where it should be is slewed away by playback rate. Returns the context time it starts at, or
   * undefined when the frame is skipped: the schedule is more than RESYNC_S behind its playout
   * time while earlier frames still play, and starting anew would lay this one over them (after a
   * long stall the page hands over a run of frames that are all that late; each one restarted the
   * schedule on top of the last, 3 restarts per stall). Skipped frames count as played at once, so
   * the frames after them follow on without a gap until the schedule is back within RESYNC_S.
   */
  play(data: DecodedAudio, mediaMs: number, playAtPerf: number): number | undefined {
    const ctx = this.ctx;
    const frames = data.numberOfFrames;
    // Read before close(): a closed AudioData reports 0 for its sample rate.
    const sampleRate = data.sampleRate;
    const mediaDurMs = (frames / sampleRate) * 1000;
    const desired = this.ctxTimeForPerf(playAtPerf);
    const earliest = ctx.currentTime + LEAD_S;
    let at: number;
    let rate = 1;
    // The media time the cursor is at vs the frame's: a gap (lost packets, DTX) or overlap shows here.
    const mediaGapS = (mediaMs - this.cursorWall) / 1000;
    const contiguous = Math.abs(mediaGapS) < 0.1;
    if (this.cursor === undefined) {
      at = Math.max(desired, earliest);
    } else if (!contiguous || this.cursor < earliest) {
      at = Math.max(desired, ctx.currentTime + RESTART_LEAD_S);
      if (!contiguous) this.restartCauses.mediaGap++;
      else {
        // Ran dry: the frame came (earliest - cursor) after the schedule ran out.
        this.restartCauses.dry++;
        const now = this.now();
        this.guard = Math.min(MAX_GUARD_MS, this.guardMs(now) + (earliest - this.cursor) * 1000 + 5);
        this.guardAt = now;
      }
    } else {
      at = this.cursor + Math.max(0, mediaGapS);
      const err = at - desired; // > 0: playing later than the target: play faster to catch up
      if (err > RESYNC_S) {
        data.close();
        this.cursorWall = mediaMs + mediaDurMs;
        this.framesSkipped++;
        return undefined;
      }
      if (err < -RESYNC_S) {
        at = desired; // far ahead of the schedule: a gap of silence, then on time
        this.restartCauses.early++;
      } else if (Math.abs(err) > 0.003) {
        rate = 1 + Math.max(-MAX_SLEW, Math.min(MAX_SLEW, err * 2));
      }
    }
    const buf = ctx.createBuffer(data.numberOfChannels, frames, sampleRate);
    for (let c = 0; c < data.numberOfChannels; c++) {
      data.copyTo(buf.getChannelData(c), { planeIndex: c, format: 'f32-planar' });
    }
    data.close();
    const src = ctx.createBufferSource();
    src.buffer = buf;
    src.playbackRate.value = rate;
    src.connect(this.input);
    src.start(at);
    this.live.add(src);
    src.onended = () => {
      this.live.delete(src);
      src.disconnect();
    };
    this.cursor = at + frames / sampleRate / rate;
    this.cursorWall = mediaMs + mediaDurMs;
    this.framesPlayed++;
    this.lastRate = rate;
    return at;
  }

  /** Drops everything scheduled (seek, pause, reconnect); the next frame starts a new schedule. */
  flush(): void {
    for (const s of this.live) {
      try {
        s.stop();
      } catch {
        // Not started yet or already stopped.
      }
      s.disconnect();
    }
    this.live.clear();
    this.cursor = undefined;
  }

  async close(): Promise<void> {
    this.flush();
    await this.ctx.close().catch(() => {});
  }
}
