// Maps a request path to what serves it: a redirect, a configured source (relay, ffmpeg), a publisher's stream, or a media file.
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { LivePath } from './live-path.js';
import { ClientRegistry } from './clients.js';
import { Counters } from './counters.js';
import type { ClusterNode, ClusterView } from './cluster-view.js';
import { Observations } from './observations.js';
import { PathEvents } from './path-events.js';
import { DrainState } from './drain.js';
import { OnDemandSource, SourceUnavailableError, type OnDemandOptions, type SourceDriver } from './on-demand.js';
import { realInside, withoutMediaDir } from './media-dir.js';
import { MAX_PATTERN_INSTANCES, PathPatterns, type PathPattern, type PathRule } from './path-patterns.js';
import type { Track } from '../media/track.js';
import type { PacketSink, Playback, PlaybackOptions } from './playback.js';
import type { Ingest, Publisher, PublishInput } from './publisher.js';
import type { DemuxStats, MediaFiles, SeekableMedia } from './seekable-media.js';
import type { Stream, StreamOptions } from './stream.js';

export type { PathPattern, PathRule } from './path-patterns.js';

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
  /** Set with a `cluster` config (server/cluster) or `--workers` (server/workers): placeReader uses it, the API lists its nodes. */
  cluster: ClusterView | undefined;
  /** Measured values (receiver-report loss and jitter, blocked-reload waits); /metrics makes histograms of them. */
  readonly observations = new Observations();
  /** Paths becoming ready and not ready (hooks: runOnReady/runOnNotReady). */
  readonly events = new PathEvents();
  /** Set while the server drains (core/drain.ts): new readers are sent to the other server. */
  readonly drain = new DrainState();
  private readonly live = new Map<string, LivePath>();
  private readonly rules = new Map<string, PathRule>();
  private readonly sources = new Map<string, OnDemandSource>();
  /** "~regex" paths, and the concrete paths with a source of their own made from them (name -> pattern name). */
  private readonly patterns = new PathPatterns();
  private readonly instances = new Map<string, string>();

  constructor(
    mediaDir: string,
    private readonly registered: PathSources,
    private readonly streamOptions: StreamOptions = { gopCacheBytes: 16 * 1024 * 1024 },
  ) {
    this.mediaDir = resolve(mediaDir);
  }

  /**
   * Rules for a configured path (redirects, publisher takeover, locks). A live path of that name
   * (a client published there before the config named it) ends first: it was made under other rules.
   */
  configure(path: string, rule: PathRule): void {
    if (this.rules.has(path) || this.sources.has(path)) throw new Error(`/${path} is already configured; unconfigure it first`);
    this.dropLive(path, 'the path is now configured');
    this.rules.set(path, rule);
  }

  /** A "~regex" path: request paths no name matches are served as it says (one source instance per concrete path). */
  configurePattern(name: string, pattern: PathPattern): void {
    if (this.patterns.has(name)) throw new Error(`${name} is already configured; unconfigure it first`);
    this.patterns.set(name, pattern);
  }

  /**
   * Removes a configured path or pattern (a config reload, the config API): its source stops and
   * every reader gets BYE, its publisher is kicked, and the name is free again. Resolves once the
   * source has let go (ffmpeg reaped, relay closed), so the same name may be configured anew.
   */
  async unconfigure(path: string, reason: string): Promise<void> {
    const pattern = this.patterns.delete(path);
    if (pattern) {
      const matched = [...this.live.keys()].filter((n) => !this.rules.has(n) && pattern.match(n) !== undefined);
      const made = [...this.instances].filter(([, from]) => from === path).map(([n]) => n);
      await Promise.all([...made.map((n) => this.unconfigure(n, reason)), ...matched.map(async (n) => this.dropLive(n, reason))]);
      return;
    }
    const src = this.sources.get(path);
    this.rules.delete(path);
    this.sources.delete(path);
    this.instances.delete(path);
    if (src) {
      src.onStopped = undefined;
      await src.stop(reason);
    }
    this.dropLive(path, reason);
  }

  /** Patterns are tried in this order (the config's), whatever order they were configured in. */
  orderPatterns(names: readonly string[]): void {
    this.patterns.reorder(names);
  }

  /** Ends a live path: its readers get BYE and its publisher (if the registry knows it) is kicked. */
  private dropLive(path: string, reason: string): void {
    const p = this.live.get(path);
    if (!p) return;
    this.live.delete(path);
    for (const c of this.clients.list()) if (c.role === 'publisher' && c.path === path) this.clients.kick(c.id, reason);
    p.reset(reason);
  }

  /** The rule of a named path, else of the first pattern that matches it. */
  private ruleOf(path: string): PathRule | undefined {
    return this.rules.get(path) ?? (this.sources.has(path) ? undefined : this.patterns.find(path)?.rule);
  }

  /**
   * A request for a path no name matches but a pattern with a source does: the path gets a source
   * of its own (one upstream pull however many readers), forgotten once it has stopped.
   */
  private instantiate(path: string): void {
    if (this.rules.has(path) || this.sources.has(path) || this.live.get(path)?.publisher) return;
    const hit = this.patterns.find(path);
    const made = hit?.pattern.source(path);
    if (!hit || !made) return;
    if (this.instances.size >= MAX_PATTERN_INSTANCES) {
      throw new SourceUnavailableError(`/${path} matches ${hit.name}, but ${MAX_PATTERN_INSTANCES} paths made from patterns are running already; try again later`);
    }
    this.dropLive(path, 'the path is now served by a pattern');
    this.rules.set(path, hit.rule);
    const src = this.addSource(path, made.driver, made.opts);
    this.instances.set(path, hit.name);
    src.onStopped = () => {
      if (src.isWanted || this.sources.get(path) !== src) return;
      this.sources.delete(path);
      this.rules.delete(path);
      this.instances.delete(path);
      const p = this.live.get(path);
      if (p && !p.publisher && !p.stream) this.live.delete(path);
    };
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

  /**
   * Where a new reader of `path` goes (docs/deploy.md): another node, 'here', or 'none' (a front with no edge alive).
   * A front places every stream; a placing origin (`--workers`) only its live paths, itself a candidate.
   */
  placeReader(path: string, host: string, sticky?: string): ClusterNode | 'here' | 'none' {
    const c = this.cluster;
    if (!c || c.placing === 'none' || (c.placing === 'origin' && !this.live.get(path)?.stream)) return 'here';
    const node = c.place(path, host, sticky);
    if (!node) return c.placing === 'front' ? 'none' : 'here';
    return node.id === c.id ? 'here' : node;
  }

  /** Where a path redirects to, if it does. */
  redirectOf(path: string): string | undefined {
    return this.ruleOf(path)?.redirect ?? this.drain.rtspLocation(path);
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
      const { redirect, ...settings } = this.ruleOf(path) ?? {};
      if (redirect !== undefined) settings.lockedBy ??= `it redirects to ${redirect}`;
      p = new LivePath(path, this.streamOptions, settings);
      p.watcher = this.watcher;
      this.live.set(path, p);
    }
    return p;
  }

  private readonly watcher = {
    ready: (p: LivePath): void => {
      const pub = p.publisher;
      const type = pub?.type ?? this.sources.get(p.name)?.driver.kind ?? 'rtspSession';
      const { address, port, query } = pub ?? {};
      this.events.emitReady({ path: p.name, source: { type, id: pub?.sessionId ?? '', ...(address ? { address } : {}), ...(port !== undefined ? { port } : {}), ...(query ? { query } : {}) } });
    },
    notReady: (p: LivePath): void => this.events.emitNotReady(p.name),
  };

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
    this.instantiate(path);
    const rule = this.ruleOf(path);
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
