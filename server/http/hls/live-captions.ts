// Live captions of a live stream: cues posted through the API, placed at the stream's current media time, served as WebVTT to HLS viewers.
import type { AuReader, TimedUnit } from '../../core/au-view.js';
import type { Stream } from '../../core/stream.js';
import { cleanText, formatWebVtt, type Cue } from '../../media/subtitles.js';

/** Cues kept per stream (oldest dropped). */
const MAX_CUES = 200;
/** Seconds behind the live edge a cue is still served (older ones have scrolled past every viewer). */
const KEEP_SECONDS = 120;
/**
 * The live fMP4 segments present each frame at the stream's media time plus 10 s (segmenter.ts
 * BASE_SECONDS), so local WebVTT time (stream seconds) 0 is 90 kHz media time 900000.
 */
export const LIVE_MPEGTS = 10 * 90_000;
/**
 * Ms without a new caption after which the captions of a stream are dropped: it stops reading the
 * stream (an on-demand source may stop) and the playlist loses its subtitles rendition.
 */
export const CAPTIONS_IDLE_MS = 10 * 60_000;

export class LiveCaptions implements AuReader {
  private cues: Cue[] = [];
  /** Seconds on the stream's timeline of the latest frame seen. */
  private now = Number.NaN;
  private over = false;
  private lastPostMs = Date.now();
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(readonly stream: Stream, idleMs = CAPTIONS_IDLE_MS) {
    this.timer = setInterval(() => {
      if (Date.now() - this.lastPostMs > idleMs) this.stop();
    }, Math.min(10_000, idleMs));
    this.timer.unref();
    // Reading the access units keeps this on the same timeline as the HLS muxers (one view per stream).
    for (const u of stream.attachAu(this)) this.deliverAu(u);
  }

  deliverAu(u: TimedUnit): void {
    const t = this.stream.tracks.find((x) => x.id === u.trackId);
    if (!t || !(t.clockRate > 0)) return;
    const s = u.au.pts / t.clockRate;
    if (!(s <= this.now)) this.now = s;
  }

  end(_reason: string): void {
    this.over = true;
    clearInterval(this.timer);
    if (byStream.get(this.stream) === this) byStream.delete(this.stream);
  }

  /** The stream ended (or ended before this attached). */
  get ended(): boolean {
    return this.over;
  }

  /** The stream's current media time in seconds, or undefined before its first frame. */
  get mediaTime(): number | undefined {
    return Number.isFinite(this.now) ? this.now : undefined;
  }

  /** A cue from now for `duration` seconds, or undefined when the stream has carried no frame yet. */
  add(text: string, duration: number): Cue | undefined {
    const start = this.mediaTime;
    if (start === undefined || this.over) return undefined;
    this.lastPostMs = Date.now();
    const cue = { start, end: start + duration, text: cleanText(text) };
    this.cues.push(cue);
    if (this.cues.length > MAX_CUES) this.cues.splice(0, this.cues.length - MAX_CUES);
    return cue;
  }

  /** A WebVTT segment of the recent cues (a viewer's player drops the repeats: same times, same text). */
  segment(): string {
    const from = (this.mediaTime ?? 0) - KEEP_SECONDS;
    return formatWebVtt(this.cues.filter((c) => c.end > from), LIVE_MPEGTS);
  }

  stop(): void {
    if (!this.over) this.stream.detachAu(this);
    this.end('stopped');
    if (byStream.get(this.stream) === this) byStream.delete(this.stream);
  }
}

const byStream = new WeakMap<Stream, LiveCaptions>();

/** The captions of a stream once one was posted to it: its HLS playlist then lists a subtitles rendition. */
export function captionsOf(stream: Stream): LiveCaptions | undefined {
  return byStream.get(stream);
}

export function captionsFor(stream: Stream): LiveCaptions {
  let c = byStream.get(stream);
  if (!c) {
    c = new LiveCaptions(stream);
    if (!c.ended) byStream.set(stream, c);
  }
  return c;
}
