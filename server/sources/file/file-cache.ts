// Shares one demuxed MediaFile per path among all readers, bounded in bytes with LRU eviction; remembers files that failed.
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SourceUnavailableError } from '../../core/on-demand.js';
import type { DemuxStats } from '../../core/seekable-media.js';
import { DEMUX_STALL_MS, loadMediaFile, type LoadOptions, type MediaFile } from './demux.js';
import { FailedLoads } from './failed-loads.js';
import { withTextTracks } from './t140-tracks.js';

export interface MediaFileCacheOptions {
  /** Upper bound on the AU payload bytes held by cached files together. */
  maxBytes: number;
  /** Demuxer; tests inject a counting one. */
  load?: (path: string, opts: LoadOptions) => Promise<MediaFile>;
  /** Milliseconds a demux may show no progress before the file is taken as damaged. */
  demuxStallMs?: number;
}

interface Entry {
  mtimeMs: number;
  size: number;
  promise: Promise<MediaFile>;
  /** Set once the load resolved; 0 while in flight. */
  bytes: number;
}

export class MediaFileCache {
  private readonly maxBytes: number;
  private readonly load: (path: string, opts: LoadOptions) => Promise<MediaFile>;
  /** Map order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry>();
  private total = 0;
  private readonly stallMs: number;
  /** A damaged file fails the same way every time: its error is answered until the file changes. */
  private readonly failed = new FailedLoads();
  readonly stats: DemuxStats = { demuxes: 0, failed: 0, remembered: 0 };

  constructor(opts: MediaFileCacheOptions) {
    this.maxBytes = opts.maxBytes;
    this.load = opts.load ?? loadMediaFile;
    this.stallMs = opts.demuxStallMs ?? DEMUX_STALL_MS;
  }

  /** Bytes held by completed entries. */
  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * The demuxed file, loading it at most once per (path, mtime, size). Concurrent callers share one
   * in-flight load. A file evicted while a reader holds it stays alive through that reference.
   */
  async get(path: string): Promise<MediaFile> {
    const key = resolve(path);
    const st = await stat(key);
    const hit = this.entries.get(key);
    if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.promise;
    }
    if (hit) this.remove(key, hit); // changed on disk
    const failure = this.failed.get(key, st.mtimeMs, st.size);
    if (failure) {
      this.stats.remembered++;
      throw failure;
    }

    const entry: Entry = { mtimeMs: st.mtimeMs, size: st.size, bytes: 0, promise: Promise.resolve(null as never) };
    this.stats.demuxes++;
    entry.promise = this.load(key, { maxBytes: this.maxBytes, stallMs: this.stallMs }).then(
      (loaded) => {
        // Subtitles (a sidecar's, a container's text tracks) are served as text tracks beside the A/V.
        const file = withTextTracks(loaded);
        if (file.bytes > this.maxBytes) {
          throw new Error(`${key}: ${file.bytes} bytes of media exceed the file cache limit of ${this.maxBytes} bytes`);
        }
        if (this.entries.get(key) === entry) {
          entry.bytes = file.bytes;
          this.total += file.bytes;
          this.evict(key);
        }
        return file;
      },
    );
    // A failed load is remembered for this version of the file only: a fixed file (new mtime or
    // size) is demuxed again.
    entry.promise.catch((e: unknown) => {
      const current = this.entries.get(key) === entry;
      if (current) this.remove(key, entry);
      // Every demux slot busy (maxConcurrentDemuxes) says nothing about the file: not remembered.
      if (e instanceof SourceUnavailableError) return;
      this.stats.failed++;
      if (!current) return;
      this.failed.set(key, entry.mtimeMs, entry.size, e instanceof Error ? e : new Error(String(e)));
    });
    this.entries.set(key, entry);
    return entry.promise;
  }

  /** Drops a path (e.g. the file was deleted); readers holding it keep their reference. */
  delete(path: string): void {
    const key = resolve(path);
    const e = this.entries.get(key);
    if (e) this.remove(key, e);
    this.failed.delete(key);
  }

  private remove(key: string, e: Entry): void {
    this.entries.delete(key);
    this.total -= e.bytes;
    e.bytes = 0;
  }

  /** Evicts least recently used completed entries until under the limit, sparing `keep`. */
  private evict(keep: string): void {
    for (const [key, e] of this.entries) {
      if (this.total <= this.maxBytes) return;
      if (key === keep || e.bytes === 0) continue; // in-flight loads are not counted yet
      this.remove(key, e);
    }
  }
}
