// What a relay feeds its path through: the path's publisher, the continuity of its RTP across upstream switches, and its byte count.
import type { PathManager } from '../../core/path-manager.js';
import type { Publisher } from '../../core/publisher.js';
import type { Track } from '../../media/track.js';
import { RtpContinuity } from './continuity.js';

export class RelayFeed {
  private publisher!: Publisher;
  private continuity!: RtpContinuity;
  tracks!: Track[];
  /** Bytes of RTP and RTCP received from upstreams (the registry's record). */
  readonly count = { bytes: 0 };

  constructor(
    private readonly paths: PathManager,
    private readonly name: string,
    tracks: Track[],
    private readonly reorder: boolean,
  ) {
    this.publish(tracks);
  }

  /** A new stream on the path (first connection, or an upstream whose tracks differ): its readers start over. */
  publish(tracks: Track[]): void {
    this.tracks = tracks;
    this.publisher = this.paths.publish(this.name, tracks, tracks.map((t) => ({ trackId: t.id, reorder: this.reorder })));
    this.continuity = new RtpContinuity(tracks.map((t) => t.clockRate));
  }

  /** The same tracks from another upstream: the stream goes on, its RTP continued where it was. */
  rebase(): void {
    this.continuity.rebase();
  }

  /** True when `tracks` can go on in the current stream: the same codecs and clocks in the same order. */
  sameTracks(tracks: Track[]): boolean {
    return tracks.length === this.tracks.length && tracks.every((t, i) => t.codec === this.tracks[i]!.codec && t.clockRate === this.tracks[i]!.clockRate);
  }

  // TCP frames are views into the socket's chunk and UDP buffers may be pooled: the stream keeps
  // packets (GOP cache, reader queues), so each is copied once here (and rewritten in the copy).
  rtp(i: number, data: Uint8Array): void {
    this.count.bytes += data.length;
    const now = performance.now();
    this.publisher.pushRtp(i, this.continuity.rtp(i, data.slice(), now), now);
  }

  rtcp(i: number, data: Uint8Array): void {
    this.count.bytes += data.length;
    const own = this.continuity.rtcp(i, data.slice());
    if (own) this.publisher.pushRtcp(i, own);
  }

  flush(): void {
    this.publisher.flush(performance.now());
  }
}
