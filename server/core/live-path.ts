// A live path: at most one publisher, the Stream it feeds, and readers waiting for it to start.
import type { Track } from './media.js';
import { Stream, type StreamOptions } from './stream.js';

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
}

export class LivePath {
  stream: Stream | undefined;
  publisher: PublisherInfo | undefined;
  private waiters: ((s: Stream) => void)[] = [];

  constructor(
    readonly name: string,
    private readonly opts: StreamOptions,
  ) {}

  /** Claims the path for a publisher (ANNOUNCE); a second one is refused unless takeover is allowed. */
  claim(p: PublisherInfo, takeover: boolean): { evicted?: PublisherInfo } {
    if (this.publisher && !takeover) {
      throw new PathBusyError(
        `/${this.name} is already being published by ${this.publisher.address} (session ${this.publisher.sessionId}) since ${this.publisher.since.toISOString()}; ` +
          'stop that publisher first, or set overridePublisher: true for this path',
      );
    }
    const evicted = this.publisher;
    this.publisher = p;
    return evicted ? { evicted } : {};
  }

  /** RECORD: the publisher's stream goes live; readers waiting for it get it. */
  start(tracks: Track[]): Stream {
    this.stream?.end('replaced by a new publisher');
    const s = new Stream(this.name, tracks, this.opts);
    this.stream = s;
    for (const w of this.waiters.splice(0)) w(s);
    return s;
  }

  /** The publisher left (TEARDOWN, disconnect, timeout): readers get BYE. */
  release(sessionId: string, reason: string): void {
    if (this.publisher?.sessionId !== sessionId) return;
    this.publisher = undefined;
    const s = this.stream;
    this.stream = undefined;
    s?.end(reason);
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
