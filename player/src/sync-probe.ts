// Measures A/V skew on the flash + beep clips: beep onsets from an AudioWorklet on the output, flash presentations from the renderer.
import { round1 } from './round.js';

/**
 * The worklet passes audio through and reports the context time of each tone onset: the first
 * sample above 0.25 after 300 ms without one. Quieter samples do not count either way: AAC's
 * pre-echo smears low-level noise a few ms ahead of the tone. The time is sample-exact on the
 * context timeline (currentFrame + index), so it does not depend on when the message arrives.
 */
const WORKLET = `
class TidecastOnsetTap extends AudioWorkletProcessor {
  constructor() { super(); this.quiet = 0; }
  process(inputs, outputs) {
    const input = inputs[0] || [];
    const output = outputs[0] || [];
    for (let c = 0; c < output.length; c++) if (input[c]) output[c].set(input[c]);
    const ch = input[0];
    if (!ch) { this.quiet += 128; return true; }
    for (let i = 0; i < ch.length; i++) {
      if (Math.abs(ch[i]) > 0.25) {
        if (this.quiet >= 0.3 * sampleRate) this.port.postMessage({ time: (currentFrame + i) / sampleRate });
        this.quiet = 0;
      } else this.quiet++;
    }
    return true;
  }
}
registerProcessor('tidecast-onset-tap', TidecastOnsetTap);
`;

export interface SkewStats {
  /** Paired beep/flash measurements so far. */
  samples: number;
  /** Flash presentation minus beep onset, ms, on the audio clock: positive = audio ahead (ITU-R BT.1359 sign). */
  lastMs: number | null;
  medianMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  beeps: number;
  flashes: number;
}

/** Pairs each beep with the flash nearest to it (within 400 ms: the events are one second apart). */
export class SyncProbe {
  private beeps: number[] = [];
  private flashes: number[] = [];
  private readonly skews: number[] = [];
  private wasWhite = false;
  private beepCount = 0;
  private flashCount = 0;
  private readonly probe: OffscreenCanvasRenderingContext2D | null;

  private constructor() {
    this.probe = new OffscreenCanvas(4, 4).getContext('2d', { willReadFrequently: true });
  }

  /** Installs the tap on the audio path; without AudioWorklet the probe only sees flashes. */
  static async create(ctx: AudioContext, insert: (node: AudioNode) => void): Promise<SyncProbe> {
    const p = new SyncProbe();
    try {
      const url = URL.createObjectURL(new Blob([WORKLET], { type: 'text/javascript' }));
      await ctx.audioWorklet.addModule(url);
      URL.revokeObjectURL(url);
      const tap = new AudioWorkletNode(ctx, 'tidecast-onset-tap', { numberOfInputs: 1, numberOfOutputs: 1, outputChannelCount: [2] });
      tap.port.onmessage = (ev: MessageEvent<{ time: number }>) => p.onBeep(ev.data.time);
      insert(tap);
    } catch {
      // No AudioWorklet (insecure context, old browser): playback is unaffected.
    }
    return p;
  }

  /** The renderer calls this for every frame it shows, with the context time the frame becomes visible. */
  onFrameShown(frame: VideoFrame, ctxTime: number): void {
    if (!this.probe) return;
    this.probe.drawImage(frame, 0, 0, 4, 4);
    const px = this.probe.getImageData(0, 0, 4, 4).data;
    let sum = 0;
    for (let i = 0; i < px.length; i += 4) sum += px[i]! + px[i + 1]! + px[i + 2]!;
    // The flash is a full white frame; the test pattern never averages near white.
    const white = sum / (16 * 3) > 235;
    if (white && !this.wasWhite) {
      this.flashCount++;
      this.flashes.push(ctxTime);
      this.pair();
    }
    this.wasWhite = white;
  }

  private onBeep(ctxTime: number): void {
    this.beepCount++;
    this.beeps.push(ctxTime);
    this.pair();
  }

  private pair(): void {
    // Events older than a second cannot pair with anything still to come.
    const newest = Math.max(this.beeps.at(-1) ?? 0, this.flashes.at(-1) ?? 0);
    for (const b of [...this.beeps]) {
      const f = this.flashes.find((t) => Math.abs(t - b) < 0.4);
      if (f !== undefined) {
        this.skews.push((f - b) * 1000);
        if (this.skews.length > 200) this.skews.shift();
        this.beeps = this.beeps.filter((x) => x !== b);
        this.flashes = this.flashes.filter((x) => x !== f);
      }
    }
    this.beeps = this.beeps.filter((t) => newest - t < 1);
    this.flashes = this.flashes.filter((t) => newest - t < 1);
  }

  /** Forget measurements (after a seek or a reconnect, a half-played beep would mis-pair). */
  reset(): void {
    this.beeps = [];
    this.flashes = [];
    this.wasWhite = false;
  }

  stats(): SkewStats {
    const s = [...this.skews].sort((a, b) => a - b);
    const r = (x: number | undefined): number | null => (x === undefined ? null : round1(x));
    return {
      samples: s.length,
      lastMs: r(this.skews.at(-1)),
      medianMs: r(s[Math.floor(s.length / 2)]),
      minMs: r(s[0]),
      maxMs: r(s.at(-1)),
      beeps: this.beepCount,
      flashes: this.flashCount,
    };
  }

  /** Every paired measurement, oldest first (tests assert on all of them). */
  all(): number[] {
    return this.skews.map(round1);
  }
}
