// Recordings read back by time: the one entry point playback uses (HTTP clips, HLS playlists, RTSP playback). It finds a
// path's segments (listing.ts), indexes the ones a clip needs (cached per file version, bounded by samples held) and cuts
// the clip.
import { stat } from 'node:fs/promises';
import type { RecordingIndex } from '../index-api.js';
import { pathRecordings, type SpanRecord } from '../listing.js';
import { buildClip, type Clip } from './clip.js';
import { indexSegment, type SegmentIndex } from './segment-index.js';

/** Index bytes (the fragments' moofs, all files together) kept cached: about 30 hours of 30 fps video with AAC in 1 s parts. */
const MAX_CACHED_BYTES = 64 * 1024 * 1024;

interface Cached {
  size: number;
  mtimeMs: number;
  bytes: number;
  index: Promise<SegmentIndex | undefined>;
}

export interface PathSegments {
  segments: { file: string; startMs: number; duration: number; size: number }[];
  spans: SpanRecord[];
}

export class RecordingReader {
  private readonly cache = new Map<string, Cached>();
  private cachedBytes = 0;

  constructor(private readonly index: RecordingIndex) {}

  /** The path's segments oldest first, and its spans. */
  async segments(path: string): Promise<PathSegments> {
    const r = await pathRecordings(this.index.templates().map((t) => t.template), path, this.joinGapSec(path));
    return { segments: r.segments.map((s) => ({ file: s.file, startMs: Date.parse(s.start), duration: s.duration, size: s.size })), spans: r.spans };
  }

  /** From the key frame at or before `startMs`, `duration` seconds (or to the end of its span); undefined when nothing is recorded there. */
  async clip(path: string, startMs: number, duration?: number): Promise<Clip | undefined> {
    // Clips are cut from fMP4 segments (their prft boxes give the wall clock of every fragment).
    const segments = (await this.segments(path)).segments.filter((s) => s.file.endsWith('.mp4'));
    return buildClip({ segments, startMs, ...(duration !== undefined ? { duration } : {}), joinGapMs: this.joinGapSec(path) * 1000 }, (f) => this.indexOf(f));
  }

  private joinGapSec(path: string): number {
    return this.index.partDurationOf(path) + 0.1;
  }

  private async indexOf(file: string): Promise<SegmentIndex | undefined> {
    const st = await stat(file).catch(() => undefined);
    if (!st) return undefined;
    const hit = this.cache.get(file);
    if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) {
      this.cache.delete(file);
      this.cache.set(file, hit);
      return hit.index;
    }
    if (hit) this.forget(file, hit);
    const entry: Cached = { size: st.size, mtimeMs: st.mtimeMs, bytes: 0, index: indexSegment(file).catch(() => undefined) };
    this.cache.set(file, entry);
    const ix = await entry.index;
    if (this.cache.get(file) === entry) {
      entry.bytes = ix?.bytes ?? 0;
      this.cachedBytes += entry.bytes;
      for (const [f, c] of this.cache) {
        if (this.cachedBytes <= MAX_CACHED_BYTES || c === entry) break;
        this.forget(f, c);
      }
    }
    return ix;
  }

  private forget(file: string, c: Cached): void {
    this.cache.delete(file);
    this.cachedBytes -= c.bytes;
  }
}
