// Maps a request path to what serves it: a redirect, a configured source (relay, ffmpeg), a publisher's stream, or a media file.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { LivePath, type LivePathSettings } from './live-path.js';
import { ClientRegistry } from './clients.js';
import { Counters } from './counters.js';
import { Observations } from './observations.js';
import { OnDemandSource, SourceUnavailableError, type OnDemandOptions, type SourceDriver } from './on-demand.js';
import { realInside, withoutMediaDir } from './media-dir.js';
import type { Track } from '../media/track.js';
import type { PacketSink, Playback, PlaybackOptions } from './playback.js';
import type { Ingest, Publisher, PublishInput } from './publisher.js';
import type { DemuxStats, MediaFiles, SeekableMedia } from './seekable-media.js';
import type { Stream, StreamOptions } from './stream.js';

/** What the config says about one named path (the parts PathManager acts on). */
export interface PathRule extends LivePathSettings {
  /** 302 to this URL instead of serving (RFC 2326 §11.3.3). */
  redirect?: string;
}

/** What serves a path: a file every reader plays on its own cursor, or a live stream they share. */
export type Resolved = { kind: 'file'; file: SeekableMedia } | { kind: 'live'; stream: Stream };

/** What the sources register with the PathManager (app.ts wires them): the core never names a concrete source. */
export interface PathSources {
  /** Serves every path that names a file under the media directory. */
  files: MediaFiles;
  /** Turns a publisher's RTP into its stream's packets (RTSP RECORD, relays). */
  ingest: Ingest;
}

export class PathNotFoundError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'PathNotFoundError';
  }
}

/** The path is configured to redirect: answer 302 with Location. */
export class PathRedirectError extends Error {
  constructor(
    readonly path: string,
    readonly location: string,
  ) {
    super(`/${path} has moved to ${location}`);
    this.name = 'PathRedirectError';
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
  /** Every reader and publisher, whatever its protocol (the API, metrics, hooks and dashboard read it). */
  readonly clients = new ClientRegistry();
  /** Event counters any layer adds to (hook runs, auth failures...); /metrics exports them. */
  readonly counters = new Counters();
  /** Measured values (receiver-report loss and jitter, blocked-reload waits); /metrics makes histograms of them. */
  readonly observations = new Observations();
  private readonly live = new Map<string, LivePath>();
  private readonly rules = new Map<string, PathRule>();
  private readonly sources = new Map<string, OnDemandSource>();

  constructor(
    mediaDir: string,
    private readonly registered: PathSources,
    private readonly streamOptions: StreamOptions = { gopCacheBytes: 16 * 1024 * 1024 },
  ) {
    this.mediaDir = resolve(mediaDir);
  }

  /** Rules for configured paths (redirects, publisher takeover, locks); set before serving. */
  configure(path: string, rule: PathRule): void {
    if (this.live.has(path)) throw new Error(`/${path} is already in use; configure paths before serving`);
    this.rules.set(path, rule);
  }

  /** Attaches a source (relay, ffmpeg) to a path; readers of the path then start it on demand. */
  addSource(path: string, driver: SourceDriver, opts: OnDemandOptions): OnDemandSource {
    if (this.sources.has(path)) throw new Error(`/${path} already has a source`);
    const src = new OnDemandSource(this.livePath(path), driver, opts);
    this.sources.set(path, src);
    return src;
  }

  sourceOf(path: string): OnDemandSource | undefined {
    return this.sources.get(path);
  }

  /** Where a path redirects to, if it does. */
  redirectOf(path: string): string | undefined {
    return this.rules.get(path)?.redirect;
  }

  /** Starts the sources that are always on (sourceOnDemand: false). */
  async startAlwaysOn(): Promise<void> {
    await Promise.all([...this.sources.values()].filter((s) => !s.opts.onDemand).map((s) => s.start()));
  }

  /** Stops every source and waits for each to let go (children reaped, sockets closed). */
  async stopSources(reason: string): Promise<void> {
    await Promise.all([...this.sources.values()].map((s) => s.stop(reason)));
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
      const { redirect, ...settings } = this.rules.get(path) ?? {};
      if (redirect !== undefined) settings.lockedBy ??= `it redirects to ${redirect}`;
      p = new LivePath(path, this.streamOptions, settings);
      this.live.set(path, p);
    }
    return p;
  }

  /** True when a live path of that name exists (configured, published to, or relayed). */
  hasLivePath(path: string): boolean {
    return this.live.has(path);
  }

  /** Live paths that exist only because a client announced them: no rule or source in the config keeps them. */
  get announcedPaths(): number {
    let n = 0;
    for (const name of this.live.keys()) if (!this.rules.has(name) && !this.sources.has(name)) n++;
    return n;
  }

  /**
   * The publisher `sessionId` left (TEARDOWN, disconnect, timeout): readers get BYE, and a name
   * nothing configures is forgotten once nobody publishes or waits there (ANNOUNCE used to keep
   * every name it was given for ever).
   */
  release(path: string, sessionId: string, reason: string): void {
    const p = this.live.get(path);
    if (!p) return;
    p.release(sessionId, reason);
    if (!p.publisher && !p.stream && p.waiting === 0 && !this.rules.has(path) && !this.sources.has(path)) this.live.delete(path);
  }

  /**
   * RECORD, or a relay going live: the path's stream starts with `tracks` (readers waiting for it
   * get it) and is fed through the returned Publisher. The caller has claimed the path.
   */
  publish(path: string, tracks: Track[], inputs: PublishInput[]): Publisher {
    return this.registered.ingest(this.livePath(path).start(tracks), inputs);
  }

  /**
   * Every named live path (configured, published to, or relayed) with what feeds it, for the API:
   * configured paths are listed even while nothing runs.
   */
  livePaths(): { name: string; path: LivePath | undefined; redirect?: string; source?: string; running: boolean; problem?: string }[] {
    const names = new Set([...this.rules.keys(), ...this.live.keys(), ...this.sources.keys()]);
    return [...names].sort().map((name) => {
      const path = this.live.get(name);
      const src = this.sources.get(name);
      const redirect = this.rules.get(name)?.redirect;
      return {
        name,
        path,
        ...(redirect !== undefined ? { redirect } : {}),
        ...(src ? { source: src.driver.description } : {}),
        running: path?.stream !== undefined,
        ...(src?.driver.problem ? { problem: src.driver.problem } : {}),
      };
    });
  }

  /** Live paths with a stream, for listings. */
  liveStreams(): Stream[] {
    return [...this.live.values()].flatMap((p) => (p.stream ? [p.stream] : []));
  }

  /** A file or a live stream for a reader; PathNotFoundError names what exists. */
  async resolve(path: string): Promise<Resolved> {
    const rule = this.rules.get(path);
    if (rule?.redirect !== undefined) throw new PathRedirectError(path, rule.redirect);
    const source = this.sources.get(path);
    if (source) return { kind: 'live', stream: await source.acquire() };
    const stream = this.live.get(path)?.stream;
    if (stream) return { kind: 'live', stream };
    if (path && (rule || (!this.isFile(path) && this.live.has(path)))) {
      throw new PathNotFoundError(path, `nobody is publishing /${path} right now`);
    }
    return { kind: 'file', file: await this.open(path) };
  }

  /**
   * Absolute file path for a request path (its real path when it exists), refusing anything that
   * escapes the media directory: by name (`..`) or through a symbolic link.
   */
  filePath(path: string): string {
    const full = resolve(this.mediaDir, path);
    const rel = relative(this.mediaDir, full);
    if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
      throw new PathNotFoundError(path, `no stream at /${path}`);
    }
    const real = realInside(this.mediaDir, full);
    if (real === undefined) throw new PathNotFoundError(path, `no stream at /${path}: it links to a file outside the media directory, which is not served`);
    return real;
  }

  async open(path: string): Promise<SeekableMedia> {
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
      return await this.registered.files.get(full);
    } catch (e) {
      if (e instanceof SourceUnavailableError) throw e; // busy (maxConcurrentDemuxes), not broken
      throw new UnsupportedMediaError(`/${path} cannot be streamed: ${withoutMediaDir((e as Error).message, this.mediaDir, full, path)}`);
    }
  }

  /** Demuxes of media files so far, failed ones, and requests a remembered failure answered. */
  get fileStats(): DemuxStats {
    return this.registered.files.stats;
  }

  /** A new reader's own cursor over a file `open` or `resolve` gave (RTSP PLAY of a file). */
  playback(file: SeekableMedia, sink: PacketSink, opts: PlaybackOptions): Playback {
    return this.registered.files.playback(file, sink, opts);
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
        if (e.isSymbolicLink() && realInside(this.mediaDir, full) === undefined) continue;
        if (e.isDirectory()) walk(full, depth + 1);
        else if (/\.(mp4|m4v|mov|mkv|webm|ts|m2ts)$/i.test(e.name)) out.push(relative(this.mediaDir, full).split(sep).join('/'));
        if (out.length >= limit) return;
      }
    };
    walk(this.mediaDir, 0);
    return out;
  }
}
