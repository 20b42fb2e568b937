// The live HLS muxers, one per live path: made on a playlist request, replaced when the path's stream changes, stopped when idle.
import type { Stream } from '../../core/stream.js';
import type { Logger } from '../../log.js';
import { LiveHlsMuxer, type LiveHlsOptions } from './live-muxer.js';

export class HlsMuxers {
  private readonly byPath = new Map<string, LiveHlsMuxer>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly opts: LiveHlsOptions & { idleMs: number },
    private readonly log: Logger,
  ) {}

  get(path: string): LiveHlsMuxer | undefined {
    return this.byPath.get(path);
  }

  /** The muxer of `path` for this stream; a new one when there is none or the path has a new stream. */
  forStream(path: string, stream: Stream): LiveHlsMuxer {
    let m = this.byPath.get(path);
    if (m && m.stream === stream && !m.failure) return m;
    if (m) m.stop('the path has a new stream');
    m = new LiveHlsMuxer(stream, this.opts);
    this.byPath.set(path, m);
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
    for (const [path, m] of this.byPath) {
      if (now - m.lastRequestMs < this.opts.idleMs && !(m.failure && m.waiting === 0 && now - m.lastRequestMs > 5000)) continue;
      m.stop(`no HLS request for ${Math.round(this.opts.idleMs / 1000)} s`);
      this.byPath.delete(path);
      this.log.info({ path, muxer: m.id }, `/${path}: HLS muxer ${m.id} stopped: no request for ${Math.round(this.opts.idleMs / 1000)} s`);
    }
    if (this.byPath.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  stopAll(reason: string): void {
    for (const m of this.byPath.values()) m.stop(reason);
    this.byPath.clear();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
