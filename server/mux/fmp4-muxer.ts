// Access units in, fragmented MP4 out: exact sample durations, a non-negative timeline, and fragments a reader can join at.
import type { Track } from '../media/track.js';
import type { AccessUnit } from '../media/access-unit.js';
import { fmp4Supports, nalSamples, writeFragment, writeInitSegment, type Fmp4Run } from './fmp4/index.js';

export interface MuxChunk {
  bytes: Uint8Array;
  /** Starts with a video key frame (any chunk for audio-only): a new reader may start here. */
  joinable: boolean;
}

export interface Fmp4MuxerOptions {
  /**
   * 0: one fragment per video frame, sent as soon as its duration is known (one frame later): the
   * live case. N > 0: fragments of about N seconds, cut at key frames (files: less overhead).
   */
  fragmentSeconds: number;
  /**
   * Seconds added to every timestamp so that none is negative. Default: from the first unit, with
   * half a second of room for a track whose first unit comes a little earlier.
   */
  shiftSeconds?: number;
}

/** A sample before it is written: decode time kept so durations and tfdt can be derived. */
interface Pending {
  dts: number;
  pts: number;
  duration: number;
  key: boolean;
  data: Uint8Array[];
}

interface TrackState {
  track: Track;
  shift: number;
  /** Video: the unit waiting for its successor (which gives its exact duration). */
  held: Pending | undefined;
  lastDts: number;
}

/** Audio collected this long without a video frame goes out on its own (a stalled or missing video track). */
const AUDIO_ALONE_SECONDS = 0.1;

export class Fmp4Muxer {
  readonly tracks: Track[];
  readonly init: Uint8Array;
  private readonly states = new Map<number, TrackState>();
  private readonly video: TrackState | undefined;
  private shiftSeconds: number | undefined;
  private seq = 1;
  /** The fragment being built: per carried track, samples in decode order. */
  private current = new Map<number, Pending[]>();
  private currentVideo = 0;
  private currentStartSec = Infinity;
  private currentEndSec = -Infinity;

  constructor(tracks: Track[], private readonly opts: Fmp4MuxerOptions) {
    this.tracks = tracks.filter(fmp4Supports);
    this.init = writeInitSegment(this.tracks.map((t) => ({ id: t.id + 1, track: t, timescale: t.clockRate })));
    this.shiftSeconds = opts.shiftSeconds;
    for (const t of this.tracks) {
      this.states.set(t.id, { track: t, shift: 0, held: undefined, lastDts: -Infinity });
      this.current.set(t.id, []);
    }
    this.video = [...this.states.values()].find((s) => s.track.kind === 'video');
  }

  carries(trackId: number): boolean {
    return this.states.has(trackId);
  }

  /** Adds one unit (decode order per track); returns the fragments completed by it. */
  push(trackId: number, au: AccessUnit): MuxChunk[] {
    const st = this.states.get(trackId);
    if (!st) return [];
    const clock = st.track.clockRate;
    if (this.shiftSeconds === undefined) this.shiftSeconds = Math.max(0, -Math.min(au.dts, au.pts) / clock) + 0.5;
    if (st.shift === 0) st.shift = Math.round(this.shiftSeconds * clock);
    // Never negative, strictly increasing per track (tfdt is unsigned; players want monotonic dts).
    let dts = au.dts + st.shift;
    if (dts < 0) dts = 0;
    if (dts <= st.lastDts) dts = st.lastDts + 1;
    st.lastDts = dts;
    const sample: Pending = { dts, pts: au.pts + st.shift, duration: au.duration, key: au.key, data: au.data };
    const out: MuxChunk[] = [];
    if (st === this.video) {
      const prev = st.held;
      st.held = sample;
      if (prev) {
        prev.duration = dts - prev.dts;
        this.addVideo(prev, out);
      }
    } else {
      this.add(st, sample);
      if (!this.video && this.currentEndSec - this.currentStartSec >= Math.max(AUDIO_ALONE_SECONDS, this.opts.fragmentSeconds)) this.emit(out);
      else if (this.video && this.currentVideo === 0 && this.currentEndSec - this.currentStartSec >= 5 * AUDIO_ALONE_SECONDS) this.emit(out);
    }
    return out;
  }

  /** The end: what is held goes out with its own duration. */
  flush(): MuxChunk[] {
    const out: MuxChunk[] = [];
    const held = this.video?.held;
    if (held) {
      this.video!.held = undefined;
      this.addVideo(held, out);
    }
    this.emit(out);
    return out;
  }

  private addVideo(s: Pending, out: MuxChunk[]): void {
    const st = this.video!;
    // Key frames start fragments, so a reader can join at any key frame.
    if (s.key && this.currentVideo > 0) this.emit(out);
    this.add(st, s);
    this.currentVideo++;
    if (this.opts.fragmentSeconds <= 0 || this.currentEndSec - this.currentStartSec >= this.opts.fragmentSeconds) this.emit(out);
  }

  private add(st: TrackState, s: Pending): void {
    this.current.get(st.track.id)!.push(s);
    const clock = st.track.clockRate;
    this.currentStartSec = Math.min(this.currentStartSec, s.dts / clock);
    this.currentEndSec = Math.max(this.currentEndSec, (s.dts + s.duration) / clock);
  }

  private emit(out: MuxChunk[]): void {
    const runs: Fmp4Run[] = [];
    let firstVideoKey: boolean | undefined;
    for (const st of this.states.values()) {
      const samples = this.current.get(st.track.id)!;
      if (samples.length === 0) continue;
      if (st === this.video) firstVideoKey = samples[0]!.key;
      const video = st.track.kind === 'video';
      runs.push({
        trackId: st.track.id + 1,
        baseDecodeTime: samples[0]!.dts,
        samples: samples.map((p) => ({ duration: p.duration, cto: p.pts - p.dts, key: video ? p.key : true, data: p.data, nal: nalSamples(st.track) })),
      });
      this.current.set(st.track.id, []);
    }
    if (runs.length === 0) return;
    this.currentVideo = 0;
    this.currentStartSec = Infinity;
    this.currentEndSec = -Infinity;
    out.push({ bytes: writeFragment(this.seq++, runs), joinable: this.video ? firstVideoKey === true : true });
  }
}
