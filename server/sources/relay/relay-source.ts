// Relay source: pulls an upstream RTSP stream with our client and publishes it on a path, reconnecting with backoff.
import type { SourceDriver } from '../../core/on-demand.js';
import type { PathManager } from '../../core/path-manager.js';
import type { Logger } from '../../log.js';
import { parseSdpTracks } from '../../sdp/parse.js';
import { RtspClient } from './rtsp-client.js';
import { stripUserinfo } from './rtsp-url.js';
import { Backoff } from '../../core/backoff.js';
import { registerRelay } from './relay-client.js';

/** How often UDP reorder buffers release what they held past their delay (as for UDP publishers). */
const FLUSH_MS = 20;

export interface RelayOptions {
  /** rtsp:// or rtsps:// URL, credentials allowed (never logged). */
  url: string;
  transport: 'tcp' | 'udp';
  /** Connect/answer and no-RTP limits of the client; defaults are the client's (10 s). */
  timeoutMs?: number;
  readTimeoutMs?: number;
}

let relayIds = 0;

export class RelaySource implements SourceDriver {
  readonly description: string;
  problem: string | undefined;
  private wanted = false;
  private client: RtspClient | undefined;
  private loop: Promise<void> | undefined;
  private readonly backoff = new Backoff();
  private wake: (() => void) | undefined;
  /** Last state logged, so each change is logged once. */
  private state = 'stopped';

  constructor(
    private readonly paths: PathManager,
    /** The path this relay publishes on. */
    private readonly name: string,
    private readonly opts: RelayOptions,
    private readonly log: Logger,
  ) {
    this.description = `relay from ${stripUserinfo(opts.url)}`;
  }

  start(): void {
    if (this.wanted) return;
    this.wanted = true;
    this.loop = this.run();
  }

  async stop(reason: string): Promise<void> {
    if (!this.wanted) return;
    this.wanted = false;
    this.wake?.();
    const c = this.client;
    if (c) await c.close();
    await this.loop;
    this.setState('stopped', { reason });
  }

  private async run(): Promise<void> {
    while (this.wanted) {
      const upstream = stripUserinfo(this.opts.url);
      let why: string;
      let playingSince: number | undefined;
      this.setState('connecting', { upstream, transport: this.opts.transport });
      try {
        const closed = await this.session((since) => (playingSince = since));
        why = closed;
      } catch (e) {
        why = (e as Error).message;
      }
      this.client = undefined;
      if (!this.wanted) return;
      this.problem = `upstream ${upstream} is unavailable: ${why}`;
      // A relay that played for a stable minute starts over at 1 s.
      if (playingSince !== undefined && performance.now() - playingSince >= 60_000) this.backoff.reset();
      const delay = this.backoff.next();
      this.setState('retrying', { upstream, error: why, retryInS: delay / 1000 });
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, delay);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** One upstream session: connect, describe, go live, play until the upstream drops. Resolves with why it ended. */
  private async session(onPlaying: (since: number) => void): Promise<string> {
    const client = await RtspClient.connect(this.opts.url, {
      transport: this.opts.transport,
      ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}),
      ...(this.opts.readTimeoutMs !== undefined ? { readTimeoutMs: this.opts.readTimeoutMs } : {}),
    });
    this.client = client;
    if (!this.wanted) {
      await client.close();
      return 'stopped';
    }
    const sessionId = `relay-${++relayIds}`;
    let flush: ReturnType<typeof setInterval> | undefined;
    let unregister: (() => void) | undefined;
    try {
      const described = await client.describe();
      const { tracks } = parseSdpTracks(described.sdp);
      if (!this.wanted) return 'stopped';
      this.paths.livePath(this.name).claim({ sessionId, address: stripUserinfo(described.url), since: new Date(), type: 'relay' }, true, true);
      const reorder = this.opts.transport === 'udp';
      const publisher = this.paths.publish(this.name, tracks, tracks.map((t) => ({ trackId: t.id, reorder })));
      const record = registerRelay(this.paths.clients, sessionId, this.name, described.url, () => void client.close());
      unregister = record.remove;
      // TCP frames are views into the socket's chunk and UDP buffers may be pooled: the stream
      // keeps packets (GOP cache, reader queues), so each is copied once here.
      client.onRtp = (i, data) => {
        record.count.bytes += data.length;
        publisher.pushRtp(i, data.slice(), performance.now());
      };
      client.onRtcp = (i, data) => {
        record.count.bytes += data.length;
        publisher.pushRtcp(i, data.slice());
      };
      if (reorder) flush = setInterval(() => publisher.flush(performance.now()), FLUSH_MS);
      const session = await client.play();
      onPlaying(performance.now());
      this.problem = undefined;
      this.setState('playing', { upstream: stripUserinfo(described.url), transport: session.transport, tracks: tracks.map((t) => t.codec) });
      const reason = await client.closed;
      return reason.message;
    } finally {
      if (flush) clearInterval(flush);
      unregister?.();
      // Readers get BYE; new readers wait for the next connection (or fail with the reason).
      this.paths.livePath(this.name).release(sessionId, `relay upstream ${stripUserinfo(this.opts.url)} is gone`);
      await client.close();
    }
  }

  private setState(state: string, fields: Record<string, unknown>): void {
    if (state === this.state && state !== 'retrying') return;
    this.state = state;
    const msg = `relay /${this.name} ${state}`;
    if (state === 'retrying') this.log.warn({ path: this.name, ...fields }, msg);
    else if (state === 'connecting') this.log.debug({ path: this.name, ...fields }, msg);
    else this.log.info({ path: this.name, ...fields }, msg);
  }
}
