// A live stream: RTP from one source, serialized once, fanned out to every reader, with a GOP cache.
import { AuView, type AuReader, type TimedUnit } from './au-view.js';
import type { OutPacket } from './out-packet.js';
import type { Track } from '../media/track.js';

export interface StreamReader {
  deliver(p: OutPacket): void;
  /** A sender report of the source, forwarded as is (same SSRC and timeline as the packets). */
  deliverRtcp(trackId: number, data: Uint8Array): void;
  /** The source is gone; the reader sends BYE and closes. */
  end(reason: string): void;
}

export interface StartPoint {
  trackId: number;
  /** Seq and timestamp of the first packet this reader gets; absent before the track's first packet. */
  seq?: number;
  rtptime?: number;
}

export interface StreamOptions {
  /** Largest GOP kept for new readers; a longer one is not cached (readers wait for the next key frame). */
  gopCacheBytes: number;
}

export class Stream {
  readonly readers = new Set<StreamReader>();
  private readonly last: (OutPacket | undefined)[] = [];
  private readonly lastSr: (Uint8Array | undefined)[] = [];
  private gop: OutPacket[] = [];
  private gopBytes = 0;
  /** True while `gop` holds everything since the last key frame (false after an overflow). */
  private gopValid = false;
  private readonly videoTrack: number;
  /** Made on the first access-unit reader (muxers), dropped with the last: RTP-only streams never depacketize. */
  private auView: AuView | undefined;
  ended = false;
  packets = 0;
  bytes = 0;
  readonly createdAt = Date.now();
  /** Called when the last reader leaves (on-demand sources stop after a grace period). */
  onIdle: (() => void) | undefined;

  constructor(
    readonly name: string,
    readonly tracks: Track[],
    private readonly opts: StreamOptions,
  ) {
    this.videoTrack = tracks.find((t) => t.kind === 'video')?.id ?? -1;
  }

  publish(p: OutPacket): void {
    if (this.ended) return;
    this.packets++;
    this.bytes += p.data.length;
    p.arrivalMs ??= Date.now();
    this.cache(p);
    this.last[p.trackId] = p;
    for (const r of this.readers) r.deliver(p);
    this.auView?.push(p);
  }

  publishRtcp(trackId: number, data: Uint8Array, isSenderReport: boolean): void {
    if (this.ended) return;
    if (isSenderReport) this.lastSr[trackId] = data;
    for (const r of this.readers) r.deliverRtcp(trackId, data);
    if (isSenderReport) this.auView?.pushRtcp(trackId, data);
  }

  /**
   * Where a new reader starts: the cached GOP (so its first decodable frame comes at once) and,
   * per track, the seq/timestamp of the first packet it will get, for RTP-Info.
   */
  startPoint(): { backlog: OutPacket[]; start: StartPoint[]; waitForKey: boolean } {
    const backlog = this.videoTrack >= 0 && this.gopValid ? this.gop.slice() : [];
    // Without a cached GOP the reader's video starts at the next key frame, whose seq nobody
    // knows yet: RTP-Info then names only the URL for video (RFC 2326 §12.33 makes seq optional).
    const waitForKey = this.videoTrack >= 0 && !this.gopValid;
    const start = this.tracks.map((t): StartPoint => {
      const first = backlog.find((p) => p.trackId === t.id);
      if (first) return { trackId: t.id, seq: first.seq, rtptime: first.timestamp };
      const last = this.last[t.id];
      if (!last || (waitForKey && t.id === this.videoTrack)) return { trackId: t.id };
      return { trackId: t.id, seq: (last.seq + 1) & 0xffff, rtptime: last.timestamp };
    });
    return { backlog, start, waitForKey };
  }

  /** The video track readers must start at a key frame on, or -1 for audio-only streams. */
  get keyTrack(): number {
    return this.videoTrack;
  }

  /** The latest sender report per track, for a reader that just joined (lip sync before the next SR). */
  senderReports(): { trackId: number; data: Uint8Array }[] {
    const out: { trackId: number; data: Uint8Array }[] = [];
    this.lastSr.forEach((d, trackId) => d && out.push({ trackId, data: d }));
    return out;
  }

  /** The last packet published on a track (a reader that starts thinning picks up after it). */
  lastPacket(trackId: number): OutPacket | undefined {
    return this.last[trackId];
  }

  ssrcOf(trackId: number): number | undefined {
    return this.last[trackId]?.ssrc;
  }

  attach(r: StreamReader): void {
    this.readers.add(r);
  }

  detach(r: StreamReader): void {
    if (this.readers.delete(r) && this.readerCount === 0) this.onIdle?.();
  }

  /**
   * An access-unit reader (a muxer): returns the units since the last video key frame to start
   * with; live units follow through `deliverAu`. The first such reader starts depacketizing,
   * primed from the RTP GOP cache (and the latest SRs) so even it starts at a key frame at once.
   */
  attachAu(r: AuReader): TimedUnit[] {
    if (this.ended) {
      r.end('the stream has ended');
      return [];
    }
    if (!this.auView) {
      const view = new AuView(this.tracks, this.opts.gopCacheBytes);
      this.lastSr.forEach((d, trackId) => d && view.pushRtcp(trackId, d));
      if (this.gopValid) for (const p of this.gop) view.push(p);
      this.auView = view;
    }
    return this.auView.attach(r);
  }

  detachAu(r: AuReader): void {
    const view = this.auView;
    if (!view || !view.readers.has(r)) return;
    view.detach(r);
    if (view.readers.size === 0) this.auView = undefined;
    if (this.readerCount === 0) this.onIdle?.();
  }

  /** RTP readers plus access-unit readers: an on-demand source runs while this is above 0. */
  get readerCount(): number {
    return this.readers.size + (this.auView?.readers.size ?? 0);
  }

  /** The source left: every reader gets BYE. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const r of [...this.readers]) r.end(reason);
    this.readers.clear();
    this.auView?.end(reason);
    this.auView = undefined;
    this.gop = [];
    this.gopBytes = 0;
  }

  get gopCachedBytes(): number {
    return this.gopBytes;
  }

  private cache(p: OutPacket): void {
    if (this.videoTrack < 0) return; // audio-only: any packet is a starting point
    if (p.keyStart && p.trackId === this.videoTrack) {
      this.gop = [];
      this.gopBytes = 0;
      this.gopValid = true;
    }
    if (!this.gopValid) return;
    this.gop.push(p);
    this.gopBytes += p.data.length;
    if (this.gopBytes > this.opts.gopCacheBytes) {
      this.gop = [];
      this.gopBytes = 0;
      this.gopValid = false;
    }
  }
}
