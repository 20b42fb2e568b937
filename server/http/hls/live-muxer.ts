// One live path's LL-HLS muxer: reads the stream's access units, keeps the last segments and their parts, answers blocking reloads.
import { randomBytes } from 'node:crypto';
import type { AuReader, TimedUnit } from '../../core/au-view.js';
import type { Stream } from '../../core/stream.js';
import type { Track } from '../../media/track.js';
import type { MediaPlaylist, PlaylistPart, PlaylistSegment } from './playlist.js';
import { Segmenter, hlsTracks, type CutPart } from './segmenter.js';

export interface LiveHlsOptions {
  partTarget: number;
  segmentMin: number;
  /** Complete segments kept. */
  segmentCount: number;
}

interface StoredPart {
  data: Uint8Array;
  duration: number;
  independent: boolean;
}

interface StoredSegment {
  msn: number;
  parts: StoredPart[];
  /** Seconds; the sum of the parts once complete. */
  duration: number;
  wallMs: number;
  complete: boolean;
}

interface Waiter {
  ready: () => boolean;
  done: (ok: boolean) => void;
}

/** Blocked requests per muxer; past this a request gets 503 at once (memory stays bounded). */
export const MAX_WAITERS = 2000;
/** A segment without a key frame after this many seconds stops the muxer. */
const SEGMENT_MAX_SECONDS = 30;

export class LiveHlsMuxer implements AuReader {
  /** In every URI: names are unique per muxer, so segments and parts can be cached as immutable. */
  readonly id = randomBytes(5).toString('hex');
  private readonly segmenter: Segmenter;
  private segments: StoredSegment[] = [];
  private nextMsn = 0;
  private readonly waiters = new Set<Waiter>();
  private maxPart = 0;
  private maxSegmentRounded = 0;
  private attached = false;
  /** The source left: the playlist gets EXT-X-ENDLIST. */
  ended = false;
  /** Why this muxer cannot go on (no key frames, stopped); requests then get 503. */
  failure: string | undefined;
  lastRequestMs = Date.now();

  constructor(
    readonly stream: Stream,
    private readonly opts: LiveHlsOptions,
    /** A rendition's tracks (the video alone, or one audio alternative); by default the first video and audio. */
    only?: Track[],
  ) {
    const tracks = only ?? hlsTracks(stream.tracks);
    this.segmenter = new Segmenter(tracks, { partTarget: opts.partTarget, segmentMin: opts.segmentMin, segmentMax: SEGMENT_MAX_SECONDS }, {
      part: (p) => this.onPart(p),
      segmentEnd: () => this.onSegmentEnd(),
      fail: (reason) => this.stop(reason),
    });
  }

  /** Starts reading: the stream's units since its last key frame first, so the first segment is ready soon. */
  start(): void {
    if (this.attached || this.failure) return;
    this.attached = true;
    for (const u of this.stream.attachAu(this)) this.deliverAu(u);
  }

  deliverAu(u: TimedUnit): void {
    this.segmenter.push(u);
  }

  end(_reason: string): void {
    if (this.ended) return;
    this.segmenter.flush();
    this.ended = true;
    this.attached = false;
    this.wake();
  }

  /** Stops reading (idle, replaced, or failed); blocked requests are answered at once. */
  stop(reason: string): void {
    this.failure ??= reason;
    if (this.attached) this.stream.detachAu(this);
    this.attached = false;
    this.wake();
  }

  get init(): Uint8Array | undefined {
    return this.segmenter.init;
  }

  /** A playlist can be served once one segment is complete (classic clients need a whole one). */
  get ready(): boolean {
    return this.segments.some((s) => s.complete);
  }

  /** EXT-X-TARGETDURATION: at least every rounded EXTINF so far (RFC 8216bis 4.4.3.1). */
  get targetDuration(): number {
    return Math.max(1, Math.ceil(this.opts.segmentMin), this.maxSegmentRounded);
  }

  get partTarget(): number {
    return Math.max(this.opts.partTarget, this.maxPart);
  }

  /** Highest complete segment's msn, or -1. */
  get lastCompleteMsn(): number {
    for (let i = this.segments.length - 1; i >= 0; i--) if (this.segments[i]!.complete) return this.segments[i]!.msn;
    return -1;
  }

  /** True once part `part` of segment `msn` (or anything after it) is listed; without `part`, once segment `msn` is complete. */
  has(msn: number, part?: number): boolean {
    const last = this.segments[this.segments.length - 1];
    if (!last) return false;
    if (part === undefined) return this.lastCompleteMsn >= msn;
    return last.msn > msn || (last.msn === msn && last.parts.length > part);
  }

  /**
   * Resolves true when `ready()` holds, false after `timeoutMs`, when the muxer ends or fails
   * first, or when `signal` aborts (the client went away: its waiter is freed at once).
   */
  waitUntil(ready: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    if (this.ended || this.failure || signal?.aborted) return Promise.resolve(false);
    if (this.waiters.size >= MAX_WAITERS) return Promise.resolve(false);
    return new Promise((resolve) => {
      const abort = (): void => w.done(false);
      const w: Waiter = {
        ready,
        done: (ok) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', abort);
          this.waiters.delete(w);
          resolve(ok);
        },
      };
      const timer = setTimeout(abort, timeoutMs);
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.add(w);
    });
  }

  get waiting(): number {
    return this.waiters.size;
  }

  part(msn: number, index: number): Uint8Array | undefined {
    return this.segments.find((s) => s.msn === msn)?.parts[index]?.data;
  }

  /** True when part (msn, index) is the next one to be made: a client may block on it (preload hint). */
  isNextPart(msn: number, index: number): boolean {
    const last = this.segments[this.segments.length - 1];
    if (!last) return msn === 0 && index === 0;
    if (last.complete) return msn === last.msn + 1 && index === 0;
    return msn === last.msn && index === last.parts.length;
  }

  /** A complete segment's fragments (its parts, in order), or undefined. */
  segment(msn: number): Uint8Array[] | undefined {
    const s = this.segments.find((x) => x.msn === msn);
    return s?.complete ? s.parts.map((p) => p.data) : undefined;
  }

  /** Peak bits per second over the complete segments kept (0 before the first): the multivariant BANDWIDTH. */
  get peakBitrate(): number {
    let best = 0;
    for (const s of this.segments) {
      if (!s.complete || s.duration <= 0) continue;
      const bytes = s.parts.reduce((n, p) => n + p.data.byteLength, 0);
      best = Math.max(best, (bytes * 8) / s.duration);
    }
    return best;
  }

  playlist(): MediaPlaylist {
    const td = this.targetDuration;
    const partTarget = this.partTarget;
    const complete = this.segments.filter((s) => s.complete);
    const open = this.segments.find((s) => !s.complete);
    // Parts are listed for segments within three target durations of the live edge (RFC 8216bis
    // 4.4.4.9 allows removing older ones); the parts themselves stay downloadable while kept.
    let fromEnd = open ? open.duration : 0;
    let partsFrom = complete.length;
    for (let i = complete.length - 1; i >= 0 && fromEnd < 3 * td; i--) {
      fromEnd += complete[i]!.duration;
      partsFrom = i;
    }
    const segments: PlaylistSegment[] = complete.map((s, i) => ({
      msn: s.msn,
      duration: s.duration,
      uri: `seg-${this.id}-${s.msn}.mp4`,
      programDateTime: s.wallMs,
      parts: i >= partsFrom ? this.partsOf(s) : undefined,
    }));
    let hint: string | undefined;
    if (!this.ended && !this.failure) {
      const last = this.segments[this.segments.length - 1];
      const next = !last ? [0, 0] : last.complete ? [last.msn + 1, 0] : [last.msn, last.parts.length];
      hint = `part-${this.id}-${next[0]}-${next[1]}.mp4`;
    }
    return {
      version: 9,
      targetDuration: td,
      mediaSequence: complete[0]?.msn ?? open?.msn ?? 0,
      map: `init-${this.id}.mp4`,
      endList: this.ended,
      // PART-HOLD-BACK three part targets (the spec's minimum is two), HOLD-BACK three target durations.
      lowLatency: { partTarget, partHoldBack: 3 * partTarget, holdBack: 3 * td },
      segments,
      open: open ? { programDateTime: open.wallMs, parts: this.partsOf(open) } : undefined,
      preloadHint: hint,
    };
  }

  private partsOf(s: StoredSegment): PlaylistPart[] {
    return s.parts.map((p, i) => ({ duration: p.duration, uri: `part-${this.id}-${s.msn}-${i}.mp4`, independent: p.independent }));
  }

  private onPart(p: CutPart): void {
    let seg = this.segments[this.segments.length - 1];
    if (!seg || seg.complete) {
      seg = { msn: this.nextMsn++, parts: [], duration: 0, wallMs: p.wallMs, complete: false };
      this.segments.push(seg);
    }
    seg.parts.push({ data: p.data, duration: p.duration, independent: p.independent });
    seg.duration += p.duration;
    // PART-TARGET must be at least every part's duration (RFC 8216bis 4.4.3.7): parts are whole
    // frames, so the target is the configured one or the longest part made, whichever is larger.
    this.maxPart = Math.max(this.maxPart, p.duration);
    this.wake();
  }

  private onSegmentEnd(): void {
    const seg = this.segments[this.segments.length - 1];
    if (!seg || seg.complete) return;
    seg.complete = true;
    this.maxSegmentRounded = Math.max(this.maxSegmentRounded, Math.round(seg.duration));
    const complete = this.segments.filter((s) => s.complete).length;
    if (complete > this.opts.segmentCount) this.segments.splice(0, complete - this.opts.segmentCount);
    this.wake();
  }

  private wake(): void {
    const over = this.ended || this.failure !== undefined;
    for (const w of [...this.waiters]) {
      if (w.ready()) w.done(true);
      else if (over) w.done(false);
    }
  }
}
