// Relay source: pulls an upstream RTSP stream with our client and publishes it on a path, reconnecting with backoff.
import type { SourceDriver } from '../../core/on-demand.js';
import type { PathManager } from '../../core/path-manager.js';
import type { Logger } from '../../log.js';
import { parseSdpTracks } from '../../sdp/parse.js';
import { RtspClient } from './rtsp-client.js';
import { stripUserinfo } from './rtsp-url.js';
import { Backoff } from '../../core/backoff.js';
import { registerRelay, type RelayRecord } from './relay-client.js';
import type { RtspHeaders } from '../../rtsp/headers-map.js';
import { RelayFeed } from './feed.js';
import { absoluteLocation, feedFrom, nextServerRequest } from './follow.js';

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
  /** Where the relay connects: the configured URL, or where a REDIRECT sent it. */
  private upstream: string;
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
    this.upstream = opts.url;
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
      const upstream = stripUserinfo(this.upstream);
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
    let client = await this.connectTo(this.upstream);
    this.client = client;
    if (!this.wanted) {
      await client.close();
      return 'stopped';
    }
    const sessionId = `relay-${++relayIds}`;
    let flush: ReturnType<typeof setInterval> | undefined;
    let record: RelayRecord | undefined;
    try {
      const described = await client.describe();
      const { tracks } = parseSdpTracks(described.sdp);
      if (!this.wanted) return 'stopped';
      this.paths.livePath(this.name).claim({ sessionId, address: stripUserinfo(described.url), since: new Date(), type: 'relay' }, true, true);
      const reorder = this.opts.transport === 'udp';
      const feed = new RelayFeed(this.paths, this.name, tracks, reorder);
      const register = (url: string): void => {
        record?.remove();
        record = registerRelay(this.paths.clients, sessionId, this.name, url, feed.count, () => void this.client?.close());
      };
      register(described.url);
      feedFrom(client, feed);
      if (reorder) flush = setInterval(() => feed.flush(), FLUSH_MS);
      const session = await client.play();
      onPlaying(performance.now());
      this.problem = undefined;
      this.setState('playing', { upstream: stripUserinfo(described.url), transport: session.transport, tracks: tracks.map((t) => t.codec) });
      for (;;) {
        const ev = await nextServerRequest(client);
        if (ev.kind === 'closed') return ev.message;
        if (ev.kind === 'announce') await this.followAnnounce(client, feed, ev.sdp, ev.headers);
        else {
          const next = await this.followRedirect(client, feed, ev.location);
          if (next) {
            client = this.client = next;
            register(next.url);
          }
        }
      }
    } finally {
      if (flush) clearInterval(flush);
      record?.remove();
      // Readers get BYE; new readers wait for the next connection (or fail with the reason).
      this.paths.livePath(this.name).release(sessionId, `relay upstream ${stripUserinfo(this.upstream)} is gone`);
      await client.close();
    }
  }

  private connectTo(url: string): Promise<RtspClient> {
    return RtspClient.connect(url, {
      transport: this.opts.transport,
      acceptAnnounce: true,
      ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}),
      ...(this.opts.readTimeoutMs !== undefined ? { readTimeoutMs: this.opts.readTimeoutMs } : {}),
    });
  }

  /** A server ANNOUNCE: the upstream's stream was replaced; the path gets a new stream with its tracks, set up on the same connection. */
  private async followAnnounce(client: RtspClient, feed: RelayFeed, sdp: string, headers: RtspHeaders): Promise<void> {
    const { tracks } = parseSdpTracks(sdp);
    feed.publish(tracks);
    const session = await client.replay(sdp, headers);
    this.log.info({ path: this.name, upstream: client.url, tracks: tracks.map((t) => t.codec), transport: session.transport }, `relay /${this.name} follows the upstream's ANNOUNCE: new stream`);
  }

  /**
   * A server REDIRECT (RFC 2326 §10.10): plays the stream at `location` while the old session still
   * feeds, then switches at the new one's first packet (its RTP continued where the old stopped, or
   * a new stream when its tracks differ) and tears the old session down. Undefined when the new
   * upstream fails: the old one goes on until it ends, and the reconnect goes through its 302.
   */
  private async followRedirect(old: RtspClient, feed: RelayFeed, location: string): Promise<RtspClient | undefined> {
    let next: RtspClient | undefined;
    try {
      next = await this.connectTo(absoluteLocation(location, old.url));
      const { tracks } = parseSdpTracks((await next.describe()).sdp);
      const same = feed.sameTracks(tracks);
      let switched = false;
      const switchNow = (): void => {
        if (switched) return;
        switched = true;
        old.onRtp = undefined;
        old.onRtcp = undefined;
        if (same) feed.rebase();
        else feed.publish(tracks);
      };
      next.onRtp = (i, d) => {
        switchNow();
        feed.rtp(i, d);
      };
      next.onRtcp = (i, d) => {
        if (switched) feed.rtcp(i, d);
      };
      await next.play();
      switchNow();
      this.upstream = absoluteLocation(location, old.url);
      this.log.info({ path: this.name, from: old.url, to: next.url, sameTracks: same }, `relay /${this.name} follows the upstream's REDIRECT to ${next.url}`);
      void old.close();
      return next;
    } catch (e) {
      this.log.warn({ path: this.name, location: stripUserinfo(location), error: (e as Error).message }, `relay /${this.name}: could not follow the REDIRECT to ${stripUserinfo(location)}`);
      void next?.close();
      return undefined;
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
