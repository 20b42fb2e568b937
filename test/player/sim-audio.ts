// A simulated WebAudio output for the player's tests: an AudioContext on a fake clock (render position in 128-sample quanta, output latency as Chromium reports it) and decoded frames.
import type { DecodedAudio, OutputContext } from '../../player/src/audio-out.js';

/** A buffer started on the simulated output: where, how fast, for how long (context seconds). */
export interface Started {
  at: number;
  rate: number;
  durationS: number;
}

const node = (): Record<string, unknown> => ({ connect() {}, disconnect() {} });

/**
 * The context's clock is local time (ms, the test's `now`) since `startMs`: currentTime, the render
 * position, moves in 128-sample quanta at 48 kHz; what is heard lags it by base + output latency
 * (10 + 32 ms: headless Chromium's figures), as getOutputTimestamp reports.
 */
export class SimAudioContext {
  readonly baseLatency = 0.01;
  readonly outputLatency = 0.032;
  readonly destination = node();
  readonly started: Started[] = [];

  constructor(
    private readonly now: () => number,
    private readonly startMs = 0,
  ) {}

  get currentTime(): number {
    const s = (this.now() - this.startMs) / 1000;
    return (Math.floor((s * 48_000) / 128) * 128) / 48_000;
  }

  getOutputTimestamp(): AudioTimestamp {
    const now = this.now();
    return { contextTime: (now - this.startMs) / 1000 - this.baseLatency - this.outputLatency, performanceTime: now };
  }

  /** Local time (ms) at which context time `ctxS` is heard. */
  heardAtMs(ctxS: number): number {
    return this.startMs + (ctxS + this.baseLatency + this.outputLatency) * 1000;
  }

  createGain(): unknown {
    return { ...node(), gain: { value: 1 } };
  }

  createBuffer(channels: number, frames: number, rate: number): unknown {
    return { numberOfChannels: channels, length: frames, sampleRate: rate, duration: frames / rate, getChannelData: () => new Float32Array(frames) };
  }

  createBufferSource(): unknown {
    const src = {
      ...node(),
      buffer: null as { duration: number } | null,
      playbackRate: { value: 1 },
      onended: null,
      start: (at: number) => void this.started.push({ at, rate: src.playbackRate.value, durationS: src.buffer!.duration / src.playbackRate.value }),
      stop() {},
    };
    return src;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Typed as what AudioOut takes. */
  asOutput(): SimAudioContext & OutputContext {
    return this as unknown as SimAudioContext & OutputContext;
  }
}

/** A decoded AAC frame: 1024 samples, stereo, 48 kHz. */
export const aacFrame = (): DecodedAudio => ({ numberOfFrames: 1024, sampleRate: 48_000, numberOfChannels: 2, copyTo() {}, close() {} }) as unknown as DecodedAudio;

/** Duration of one AAC frame at 48 kHz, ms. */
export const AAC_FRAME_MS = (1024 / 48_000) * 1000;
