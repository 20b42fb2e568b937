// The live HLS muxers, one per live path (and per rendition when it has audio alternatives): made on a playlist request, replaced when the path's stream changes, stopped when idle.
import type { Stream } from '../../core/stream.js';
import type { Track } from '../../media/track.js';
import type { Logger } from '../../log.js';
import type { ClientRegistry } from '../../core/clients.js';
import { HlsAudience } from './hls-client.js';
import { LiveHlsMuxer, type LiveHlsOptions } from './live-muxer.js';

/** The map key of a path's muxer: "" is the plain playlist, "video" and "t<id>" the renditions of audio alternatives. */
const keyOf = (path: string, rendition: string): string => (rendition === '' ? path : `${path}\0${rendition}`);
const pathOf = (key: string): string => key.split('\0')[0]!;

export class HlsMuxers {
  private readonly byPath = new Map<string, LiveHlsMuxer>();
  /** Each running muxer's record in the client registry. */
  private readonly audiences = new Map<LiveHlsMuxer, HlsAudience>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly opts: LiveHlsOptions & { idleMs: number },
    private readonly log: Logger,
    private readonly clients?: ClientRegistry,
  ) {}

  /** The registry record of a muxer, for counting what its requests were served. */
  audience(m: LiveHlsMuxer): HlsAudience | undefined {
    return this.audiences.get(m);
  }

  /** Stops a muxer and drops its record (idle, replaced, kicked, shutdown). */
  private stopMuxer(key: string, m: LiveHlsMuxer, reason: string): void {
    m.stop(reason);
    if (this.byPath.get(key) === m) this.byPath.delete(key);
    this.audiences.get(m)?.close();
    this.audiences.delete(m);
  }

  get(path: string, rendition = ''): LiveHlsMuxer | undefined {
    return this.byPath.get(keyOf(path, rendition));
  }

  /** The muxer of `path` (any rendition) whose files are named with `id`. */
  byId(path: string, id: string): LiveHlsMuxer | undefined {
    for (const [key, m] of this.byPath) if (m.id === id && pathOf(key) === path) return m;
    return undefined;
  }

  /**
   * The muxer of `path` for this stream; a new one when there is none or the path has a new stream.
   * A rendition ("video", "t<id>") muxes `tracks` alone.
   */
  forStream(path: string, stream: Stream, rendition = '', tracks?: Track[]): LiveHlsMuxer {
    const key = keyOf(path, rendition);
    let m = this.byPath.get(key);
    if (m && m.stream === stream && !m.failure) return m;
    if (m) this.stopMuxer(key, m, 'the path has a new stream');
    const mux = (m = new LiveHlsMuxer(stream, this.opts, tracks));
    this.byPath.set(key, m);
    if (this.clients) {
      this.audiences.set(m, new HlsAudience(this.clients, path, m, (why) => {
        this.stopMuxer(key, mux, `kicked: ${why}`);
        this.log.info({ path, muxer: mux.id, why }, `/${path}: HLS muxer ${mux.id} stopped: kicked (${why})`);
      }));
    }
    m.start();
    this.log.info({ path, muxer: m.id }, `/${path}: HLS muxer ${m.id} started`);
    this.timer ??= setInterval(() => this.reap(), Math.min(1000, this.opts.idleMs / 2));
    this.timer.unref();
    return m;
  }

  get size(): number {
    return this.byPath.size;
  }

  /** Stops muxers nobody requested from for the idle time; they release the stream (on-demand sources may stop). */
  private reap(): void {
    const now = Date.now();
    for (const [key, m] of this.byPath) {
      if (now - m.lastRequestMs < this.opts.idleMs && !(m.failure && m.waiting === 0 && now - m.lastRequestMs > 5000)) continue;
      const path = pathOf(key);
      this.stopMuxer(key, m, `no HLS request for ${Math.round(this.opts.idleMs / 1000)} s`);
      this.log.info({ path, muxer: m.id }, `/${path}: HLS muxer ${m.id} stopped: no request for ${Math.round(this.opts.idleMs / 1000)} s`);
    }
    if (this.byPath.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stopAll(reason: string): void {
    for (const [key, m] of [...this.byPath]) this.stopMuxer(key, m, reason);
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
