// One muxer per live stream and format, shared by every progressive reader: chunks made once, readers join at a key frame.
import type { AuReader, TimedUnit } from '../../core/au-view.js';
import type { Stream } from '../../core/stream.js';
import type { Logger } from '../../log.js';
import type { MuxChunk } from '../../mux/fmp4-muxer.js';
import { StreamClient } from './client.js';
import { createMuxer, type ProgressiveFormat, type ProgressiveMuxer } from './formats.js';

/** Per stream, by format, and by format + audio track for `?audio=` readers ("mp4", "mp4:a2"). */
const feeds = new WeakMap<Stream, Map<string, LiveFeed>>();

/**
 * A stream's muxer for one format. It reads the stream's access-unit view while it has readers,
 * keeps the chunks since the last join point (a key frame) so a new reader's first picture
 * decodes at once, and hands every reader the same bytes.
 */
export class LiveFeed implements AuReader {
  readonly clients = new Set<StreamClient>();
  private muxer: ProgressiveMuxer | undefined;
  /** Chunks since the last joinable one (bounded by gopCacheBytes; invalid after an overflow). */
  private joinCache: MuxChunk[] = [];
  private joinBytes = 0;
  private joinValid = false;
  private ended = false;
  private endReason = '';

  static for(stream: Stream, format: ProgressiveFormat, log: Logger, gopCacheBytes: number, audioId?: number): LiveFeed {
    let byFormat = feeds.get(stream);
    if (!byFormat) feeds.set(stream, (byFormat = new Map()));
    const key = audioId === undefined ? format : `${format}:a${audioId}`;
    let f = byFormat.get(key);
    if (!f || f.ended) {
      f = new LiveFeed(stream, format, log, gopCacheBytes, key, audioId);
      byFormat.set(key, f);
      f.start();
    }
    return f;
  }

  /** The running feed of a stream for a format, if any (the API and tests look at its readers). */
  static existing(stream: Stream, format: ProgressiveFormat): LiveFeed | undefined {
    return feeds.get(stream)?.get(format);
  }

  private constructor(
    readonly stream: Stream,
    readonly format: ProgressiveFormat,
    private readonly log: Logger,
    private readonly gopCacheBytes: number,
    private readonly key: string = format,
    /** `?audio=`: the one audio track this feed carries; all of them when undefined. */
    private readonly audioId?: number,
  ) {}

  private start(): void {
    // The view replays the units since the last key frame; they arrive before any reader joins.
    const backlog = this.stream.attachAu(this);
    for (const u of backlog) this.deliverAu(u);
  }

  /** The tracks this format carries, once the muxer exists (after the first key frame). */
  get tracks(): readonly { codec: string }[] {
    return this.muxer?.tracks ?? [];
  }

  deliverAu(u: TimedUnit): void {
    if (this.ended) return;
    if (!this.muxer) {
      // Made at the first video key frame (or first unit without video): by then a publisher's
      // in-band parameter sets are known, which the fMP4 init segment needs.
      const video = this.stream.tracks.find((t) => t.kind === 'video');
      if (video && (u.trackId !== video.id || !u.au.key)) return;
      const tracks = this.audioId === undefined ? this.stream.tracks : this.stream.tracks.filter((t) => t.kind !== 'audio' || t.id === this.audioId);
      this.muxer = createMuxer(this.format, tracks, { live: true });
      if (this.muxer.tracks.length === 0) {
        this.finish(`none of the stream's tracks (${this.stream.tracks.map((t) => t.codec).join(', ')}) fits stream.${this.format}`);
        return;
      }
      for (const c of this.clients) if (this.muxer.head) c.write(this.muxer.head);
    }
    for (const chunk of this.muxer.push(u.trackId, u.au)) {
      this.remember(chunk);
      for (const c of this.clients) c.send(chunk);
    }
  }

  /** A new reader: the init segment and the chunks since the last key frame at once, then live chunks. */
  add(client: StreamClient): void {
    if (this.ended) {
      client.end();
      return;
    }
    this.clients.add(client);
    client.res.once('close', () => this.remove(client));
    if (!this.muxer) return; // the head goes out with the first key frame
    if (this.muxer.head) client.write(this.muxer.head);
    if (this.joinValid) for (const c of this.joinCache) client.write(c.bytes);
    else client.skipUntilJoinable();
  }

  remove(client: StreamClient): void {
    if (!this.clients.delete(client)) return;
    if (this.clients.size === 0 && !this.ended) this.finish('no progressive reader left', false);
  }

  /** The source left: readers' responses end. */
  end(reason: string): void {
    this.finish(reason);
  }

  private finish(reason: string, endClients = true): void {
    if (this.ended) return;
    this.ended = true;
    this.endReason = reason;
    if (feeds.get(this.stream)?.get(this.key) === this) feeds.get(this.stream)!.delete(this.key);
    this.stream.detachAu(this);
    if (endClients) for (const c of [...this.clients]) c.end();
    this.clients.clear();
    this.joinCache = [];
    this.log.debug({ path: this.stream.name, format: this.format, reason }, `/${this.stream.name}: ${this.format.toUpperCase()} muxer stopped: ${reason}`);
  }

  get reason(): string {
    return this.endReason;
  }

  private remember(chunk: MuxChunk): void {
    if (chunk.joinable) {
      this.joinCache = [];
      this.joinBytes = 0;
      this.joinValid = true;
    }
    if (!this.joinValid) return;
    this.joinCache.push(chunk);
    this.joinBytes += chunk.bytes.length;
    if (this.joinBytes > this.gopCacheBytes) {
      this.joinCache = [];
      this.joinBytes = 0;
      this.joinValid = false;
    }
  }
}
