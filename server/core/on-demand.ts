// Runs a path's source (relay, ffmpeg) on demand: started by the first reader, stopped a while after the last leaves.
import type { LivePath } from './live-path.js';
import type { Stream } from './stream.js';

/** A source that feeds a LivePath (implemented under server/sources; core only drives it). */
export interface SourceDriver {
  /** "relay from rtsp://cam/x", "ffmpeg": for logs and error messages. */
  readonly description: string;
  /** What hooks see as TIDECAST_SOURCE_TYPE ('relay', 'ffmpeg', 'runOnDemand'); default 'rtspSession'. */
  readonly kind?: string;
  /** Begin feeding the path (and keep retrying until stop()); returns at once. */
  start(): void;
  /** Stop feeding (logging why); resolves when everything is released (sockets closed, child process reaped). */
  stop(reason: string): Promise<void>;
  /** Why the stream is not up right now (last connect error, last exit), when known. */
  readonly problem: string | undefined;
}

export interface OnDemandOptions {
  /** false: started with the server and never stopped for idleness. */
  onDemand: boolean;
  closeAfterMs: number;
  startTimeoutMs: number;
}

/** The source is configured but its stream did not come up in time: 503, with the reason. */
export class SourceUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SourceUnavailableError';
  }
}

export class OnDemandSource {
  private running = false;
  private stopping: Promise<void> | undefined;
  private lastDemand = 0;
  /** Readers inside acquire(), waiting for the stream: the source is wanted while there are any. */
  private waiting = 0;
  /** When the stream last had no reader (undefined while it has some). */
  private idleSince: number | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** Called each time a stop has finished (driver let go); the path manager forgets a pattern's instance then. */
  onStopped: (() => void) | undefined;
  /** start() calls waiting for a stop to finish. */
  private restarts = 0;

  constructor(
    readonly path: LivePath,
    readonly driver: SourceDriver,
    readonly opts: OnDemandOptions,
    private readonly now: () => number = () => performance.now(),
  ) {
    path.onStart = (s: Stream) => {
      // The stream's readers come and go; the last one leaving starts the countdown at once.
      s.onIdle = () => (this.idleSince ??= this.now());
    };
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Running, or about to start again once the stop under way has finished. */
  get isWanted(): boolean {
    return this.running || this.restarts > 0;
  }

  /** Starts the source if it is not running (always-on sources: at server start). */
  async start(): Promise<void> {
    if (this.stopping) {
      this.restarts++;
      await this.stopping.finally(() => this.restarts--);
    }
    if (this.running) return;
    this.running = true;
    this.idleSince = undefined;
    this.driver.start();
    if (this.opts.onDemand) {
      // Polling the reader count also covers readers that DESCRIBE and never PLAY, and streams that
      // ended under their readers (no onIdle then).
      const every = Math.min(1000, Math.max(100, this.opts.closeAfterMs / 4));
      this.timer = setInterval(() => this.checkIdle(), every);
      this.timer.unref();
    }
  }

  /** A reader wants the stream (DESCRIBE, SETUP): start the source if needed and wait for it. */
  async acquire(): Promise<Stream> {
    this.lastDemand = this.now();
    await this.start();
    this.waiting++;
    try {
      return await this.path.waitForStream(this.opts.startTimeoutMs);
    } catch {
      const why = this.driver.problem;
      throw new SourceUnavailableError(
        `/${this.path.name} (${this.driver.description}) did not start within ${seconds(this.opts.startTimeoutMs)}` +
          (why ? `: ${why}` : '; try again shortly'),
      );
    } finally {
      this.waiting--;
      this.lastDemand = this.now();
    }
  }

  /** Stops the source (idle, or server shutdown) and waits until it has let go of everything. */
  stop(reason: string): Promise<void> {
    if (this.stopping) return this.stopping;
    if (!this.running) return Promise.resolve();
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // The slot is freed now, not when the feed's connection finally closes, so a reader arriving
    // meanwhile starts a fresh source instead of joining a stream about to end.
    this.path.reset(reason);
    this.stopping = this.driver.stop(reason).finally(() => {
      this.stopping = undefined;
      this.onStopped?.();
    });
    return this.stopping;
  }

  private checkIdle(): void {
    if (!this.running) return;
    const now = this.now();
    const readers = (this.path.stream?.readerCount ?? 0) + this.waiting;
    if (readers > 0) {
      this.idleSince = undefined;
      return;
    }
    this.idleSince ??= now;
    const since = Math.max(this.idleSince, this.lastDemand);
    if (now - since >= this.opts.closeAfterMs) void this.stop(`no reader for ${seconds(this.opts.closeAfterMs)}`);
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
