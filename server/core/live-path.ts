// A live path: at most one publisher (a client's RECORD or a relay), the Stream it feeds, and readers waiting for it.
import type { Track } from '../media/track.js';
import { Stream, type StreamOptions } from './stream.js';
import { startCaptions, withCaptionTrack } from './caption-track.js';

export class PathBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathBusyError';
  }
}

export interface PublisherInfo {
  sessionId: string;
  address: string;
  since: Date;
  /** For hooks: 'relay' for the server's own feed (default 'rtspSession'), the client's port and its URL query. */
  type?: string;
  port?: number;
  query?: string;
}

export interface LivePathSettings {
  /** This path's takeover rule; when absent the caller's (server-wide) rule applies. */
  overridePublisher?: boolean;
  /** Set when the server itself feeds the path (a relay) or it redirects: clients cannot publish to it. Words for the 403. */
  lockedBy?: string;
  /** Its streams carry a T.140 caption track after the source's tracks, fed by the captions API (caption-track.ts). */
  captions?: boolean;
}

export class LivePath {
  stream: Stream | undefined;
  publisher: PublisherInfo | undefined;
  /** Called with every new stream (on-demand sources watch their readers through it). */
  onStart: ((s: Stream) => void) | undefined;
  /** Told when the path gets a stream and when it loses it (PathManager's ready/not-ready events). */
  watcher: { ready(p: LivePath): void; notReady(p: LivePath): void } | undefined;
  private waiters: ((s: Stream) => void)[] = [];

  constructor(
    readonly name: string,
    private readonly opts: StreamOptions,
    readonly settings: LivePathSettings = {},
  ) {}

  /**
   * Claims the path for a publisher (ANNOUNCE); a second one is refused unless takeover is allowed.
   * `internal` is the server's own feed (a relay), which a locked path accepts.
   */
  claim(p: PublisherInfo, takeover: boolean, internal = false): { evicted?: PublisherInfo } {
    if (!internal && this.settings.lockedBy) {
      throw new PathBusyError(`/${this.name} cannot be published to: ${this.settings.lockedBy}`);
    }
    if (this.publisher && !internal && !(this.settings.overridePublisher ?? takeover)) {
      throw new PathBusyError(
        // Neither the publisher's address nor its session id: the refused client may be anyone.
        `/${this.name} is already being published (since ${this.publisher.since.toISOString()}); ` +
          'stop that publisher first, or set overridePublisher: true for this path',
      );
    }
    const evicted = this.publisher;
    this.publisher = p;
    return evicted ? { evicted } : {};
  }

  /** RECORD: the publisher's stream goes live; readers waiting for it get it. */
  start(tracks: Track[]): Stream {
    if (this.stream) {
      this.stream.end('replaced by a new publisher');
      this.watcher?.notReady(this);
    }
    const s = new Stream(this.name, this.settings.captions ? withCaptionTrack(tracks) : tracks, this.opts);
    if (this.settings.captions) startCaptions(s);
    this.stream = s;
    this.onStart?.(s);
    this.watcher?.ready(this);
    for (const w of this.waiters.splice(0)) w(s);
    return s;
  }

  /** A source stopped: whoever publishes loses the slot (a later release by them is a no-op) and readers get BYE. */
  reset(reason: string): void {
    this.publisher = undefined;
    const s = this.stream;
    this.stream = undefined;
    s?.end(reason);
    if (s) this.watcher?.notReady(this);
  }

  /** The publisher left (TEARDOWN, disconnect, timeout): readers get BYE. */
  release(sessionId: string, reason: string): void {
    if (this.publisher?.sessionId !== sessionId) return;
    this.publisher = undefined;
    const s = this.stream;
    this.stream = undefined;
    s?.end(reason);
    if (s) this.watcher?.notReady(this);
  }

  /** Readers waiting for a stream to start (waitForStream). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Resolves when a stream is live (at once if it is), or rejects after `timeoutMs`. */
  waitForStream(timeoutMs: number): Promise<Stream> {
    if (this.stream) return Promise.resolve(this.stream);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`nothing started publishing /${this.name} within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const done = (s: Stream): void => {
        clearTimeout(t);
        resolve(s);
      };
      this.waiters.push(done);
    });
  }
}
