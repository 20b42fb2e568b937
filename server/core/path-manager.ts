// Maps a request path to what serves it: for now, a media file under the media directory.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import type { MediaFile } from '../sources/file/demux.js';
import type { MediaFileCache } from '../sources/file/file-cache.js';
import { LivePath } from './live-path.js';
import type { Stream, StreamOptions } from './stream.js';

/** What serves a path: a file every reader plays on its own cursor, or a live stream they share. */
export type Resolved = { kind: 'file'; file: MediaFile } | { kind: 'live'; stream: Stream };

export class PathNotFoundError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'PathNotFoundError';
  }
}

/** The file exists but cannot be served (unknown container, no supported track). */
export class UnsupportedMediaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedMediaError';
  }
}

export class PathManager {
  readonly mediaDir: string;
  private readonly live = new Map<string, LivePath>();

  constructor(
    mediaDir: string,
    private readonly files: MediaFileCache,
    private readonly streamOptions: StreamOptions = { gopCacheBytes: 16 * 1024 * 1024 },
  ) {
    this.mediaDir = resolve(mediaDir);
  }

  /** True when `path` names a file under the media directory (files cannot be published to). */
  isFile(path: string): boolean {
    try {
      return statSync(this.filePath(path)).isFile();
    } catch {
      return false;
    }
  }

  /** The live path for a name, created on first use (any name that is not a file may be published). */
  livePath(path: string): LivePath {
    let p = this.live.get(path);
    if (!p) {
      p = new LivePath(path, this.streamOptions);
      this.live.set(path, p);
    }
    return p;
  }

  /** Live paths with a stream, for listings. */
  liveStreams(): Stream[] {
    return [...this.live.values()].flatMap((p) => (p.stream ? [p.stream] : []));
  }

  /** A file or a live stream for a reader; PathNotFoundError names what exists. */
  async resolve(path: string): Promise<Resolved> {
    const stream = this.live.get(path)?.stream;
    if (stream) return { kind: 'live', stream };
    if (path && !this.isFile(path) && this.live.has(path)) {
      throw new PathNotFoundError(path, `nobody is publishing /${path} right now`);
    }
    return { kind: 'file', file: await this.open(path) };
  }

  /** Absolute file path for a request path, refusing anything that escapes the media directory. */
  filePath(path: string): string {
    const full = resolve(this.mediaDir, path);
    const rel = relative(this.mediaDir, full);
    if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
      throw new PathNotFoundError(path, `no stream at /${path}`);
    }
    return full;
  }

  async open(path: string): Promise<MediaFile> {
    if (!path) throw new PathNotFoundError(path, `no stream at /: name a file, e.g. /${this.list()[0] ?? 'sample.mp4'}`);
    const full = this.filePath(path);
    let isFile = false;
    try {
      isFile = statSync(full).isFile();
    } catch {
      /* missing */
    }
    if (!isFile) {
      const known = this.list();
      const hint = known.length ? `; available: ${known.slice(0, 8).map((k) => `/${k}`).join(', ')}` : '';
      throw new PathNotFoundError(path, `no stream at /${path}: there is no such file in the media directory${hint}`);
    }
    try {
      return await this.files.get(full);
    } catch (e) {
      throw new UnsupportedMediaError(`/${path} cannot be streamed: ${(e as Error).message}`);
    }
  }

  /** Media files under the media directory, relative paths with '/' separators (for hints and the API). */
  list(limit = 200): string[] {
    const out: string[] = [];
    const walk = (dir: string, depth: number): void => {
      if (depth > 4 || out.length >= limit) return;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith('.')) continue;
        const full = join(dir, e.name);
        if (e.isDirectory()) walk(full, depth + 1);
        else if (/\.(mp4|m4v|mov|mkv|webm|ts|m2ts)$/i.test(e.name)) out.push(relative(this.mediaDir, full).split(sep).join('/'));
        if (out.length >= limit) return;
      }
    };
    walk(this.mediaDir, 0);
    return out;
  }
}
