// UDP multicast for live paths: per stream, one sender whose packets go once to each track's group, whatever the number of readers.
import type { Socket } from 'node:dgram';
import { bindMulticastSender } from './multicast-socket.js';
import type { OutPacket } from '../core/out-packet.js';
import type { StartPoint, Stream, StreamReader } from '../core/stream.js';
import type { Logger } from '../log.js';
import { buildBye } from '../rtp/rtcp.js';
import { inRange, parseMulticastRange, type Ipv4Range } from '../util/multicast-range.js';
import { GroupPool } from './multicast-groups.js';

export interface MulticastSettings {
  multicastIPRange: string;
  multicastRTPPort: number;
  multicastRTCPPort: number;
  multicastTTL: number;
}

/** A reader of the group: told when the source ends, as a unicast reader is by the Stream. */
export interface MulticastMember {
  end(reason: string): void;
}

/** The server's multicast side: the group pool, the two sending sockets, a sender per live stream. */
export class MulticastHub {
  readonly range: Ipv4Range;
  readonly pool: GroupPool;
  readonly rtpPort: number;
  readonly rtcpPort: number;
  readonly ttl: number;
  private readonly senders = new Map<Stream, StreamMulticast>();
  private rtpSock: Socket | undefined;
  private rtcpSock: Socket | undefined;
  private opening: Promise<void> | undefined;
  sendErrors = 0;

  constructor(
    settings: MulticastSettings,
    readonly log: Logger,
  ) {
    this.range = parseMulticastRange(settings.multicastIPRange);
    this.pool = new GroupPool(this.range);
    this.rtpPort = settings.multicastRTPPort;
    this.rtcpPort = settings.multicastRTCPPort;
    this.ttl = settings.multicastTTL;
  }

  /** Binds the sending sockets on first use: a server nobody asks for multicast opens none. */
  open(): Promise<void> {
    this.opening ??= (async () => {
      // Ephemeral source ports: binding the group ports themselves would collide with receivers on
      // this host (ffmpeg binds group:port), and we never need to receive on them.
      this.rtpSock = await bindMulticastSender(this.ttl, 4 * 1024 * 1024);
      this.rtcpSock = await bindMulticastSender(this.ttl, 4 * 1024 * 1024);
    })();
    return this.opening;
  }

  contains(address: string): boolean {
    return inRange(this.range, address);
  }

  /** The sender of `stream`, made on first need. */
  senderOf(stream: Stream): StreamMulticast {
    let s = this.senders.get(stream);
    if (!s) {
      s = new StreamMulticast(this, stream);
      this.senders.set(stream, s);
    }
    return s;
  }

  /** Senders that hold groups (for stats and tests). */
  get active(): StreamMulticast[] {
    return [...this.senders.values()];
  }

  sendRtp(data: Uint8Array, group: string): void {
    this.rtpSock?.send(data, this.rtpPort, group, this.onSent);
  }

  sendRtcp(data: Uint8Array, group: string): void {
    this.rtcpSock?.send(data, this.rtcpPort, group, this.onSent);
  }

  /** Called by a sender whose last reader left: its groups go back to the pool. */
  forget(s: StreamMulticast): void {
    if (this.senders.get(s.stream) === s) this.senders.delete(s.stream);
  }

  /** Server shutdown, before sessions go: one BYE per group, so multicast readers stop at once too. */
  endAll(reason: string): void {
    for (const s of [...this.senders.values()]) s.shutdown(reason);
  }

  /** Closes the sockets; after endAll, once its BYEs have left. */
  close(): void {
    for (const s of [...this.senders.values()]) s.stop('server shutting down');
    this.rtpSock?.close();
    this.rtcpSock?.close();
    this.rtpSock = this.rtcpSock = undefined;
    this.opening = undefined;
  }

  private readonly onSent = (err: Error | null): void => {
    if (err) this.sendErrors++;
  };
}

/**
 * One live stream's multicast delivery. Readers that SETUP hold its groups; readers that PLAY make
 * it send. It is a single StreamReader, so each packet costs one send however many readers there are.
 */
export class StreamMulticast implements StreamReader {
  /** The group of each track, taken at the first multicast SETUP of that track. */
  readonly groups: (string | undefined)[] = [];
  private readonly holders = new Set<MulticastMember>();
  private readonly playing = new Map<MulticastMember, number[]>();
  /** Playing readers per track: a track nobody plays is not sent. */
  private readonly flowing: number[] = [];
  /** Per track: send nothing until a key frame (a track that starts mid-GOP). */
  private readonly waitKey: boolean[] = [];
  private attached = false;
  /** RTP packets sent to the groups, each once: the figure tests compare with what a receiver got. */
  packets = 0;
  rtcpPackets = 0;
  startedAt = 0;

  constructor(
    private readonly hub: MulticastHub,
    readonly stream: Stream,
  ) {}

  get sending(): boolean {
    return this.attached;
  }

  get readers(): number {
    return this.playing.size;
  }

  /** The group for `trackId` (taken now if this is its first reader), or undefined when the range is full. */
  groupFor(trackId: number): string | undefined {
    const g = (this.groups[trackId] ??= this.hub.pool.take());
    return g;
  }

  hold(m: MulticastMember): void {
    this.holders.add(m);
  }

  /**
   * Where a reader playing `tracks` starts (for RTP-Info), and the change to make once the PLAY
   * answer is out. The first reader starts the sender at the cached GOP, exactly as a unicast
   * reader would; later readers share the groups from the next packet on.
   */
  join(m: MulticastMember, tracks: number[]): { start: StartPoint[]; commit: () => void } {
    if (!this.attached) {
      const { backlog, start, waitForKey } = this.stream.startPoint();
      return {
        start: start.filter((p) => tracks.includes(p.trackId)),
        commit: () => {
          if (this.attached) return this.addPlaying(m, tracks);
          this.addPlaying(m, tracks);
          if (this.stream.keyTrack >= 0) this.waitKey[this.stream.keyTrack] = waitForKey;
          this.attached = true;
          this.startedAt = Date.now();
          for (const sr of this.stream.senderReports()) this.deliverRtcp(sr.trackId, sr.data);
          for (const p of backlog) this.deliver(p);
          this.stream.attach(this);
          this.hub.log.info({ path: this.stream.name, groups: this.groups, port: this.hub.rtpPort, backlogPackets: backlog.length }, `/${this.stream.name}: multicast sender started`);
        },
      };
    }
    // RTP-Info names only the URL (seq and rtptime are optional, RFC 2326 §12.33): the reader's
    // socket joined the group at SETUP, so its first packet is older than anything we could name
    // now, and ffmpeg would place those packets before its rtptime base (non-monotonic DTS).
    // Without them it takes seq and time from the first packet it reads.
    return {
      start: tracks.map((trackId): StartPoint => ({ trackId })),
      commit: () => {
        for (const t of tracks) if (!this.flowing[t] && t === this.stream.keyTrack) this.waitKey[t] = true;
        this.addPlaying(m, tracks);
      },
    };
  }

  /** A reader paused or left: the sender stops when nobody plays. */
  leave(m: MulticastMember): void {
    const tracks = this.playing.get(m);
    if (!tracks) return;
    this.playing.delete(m);
    for (const t of tracks) this.flowing[t] = Math.max(0, (this.flowing[t] ?? 0) - 1);
    if (this.playing.size === 0) this.detach('last multicast reader left');
  }

  /** A reader's session ended: it no longer holds the groups, which return to the pool with the last holder. */
  release(m: MulticastMember): void {
    this.leave(m);
    this.holders.delete(m);
    if (this.holders.size === 0) this.stop('no multicast reader left');
  }

  /** Frees everything (last holder gone, or server shutdown). */
  stop(why: string): void {
    this.detach(why);
    for (const g of this.groups) if (g) this.hub.pool.release(g);
    this.groups.length = 0;
    this.holders.clear();
    this.playing.clear();
    this.hub.forget(this);
  }

  deliver(p: OutPacket): void {
    const group = this.groups[p.trackId];
    if (!group || !this.flowing[p.trackId]) return;
    if (this.waitKey[p.trackId]) {
      if (!p.keyStart) return;
      this.waitKey[p.trackId] = false;
    }
    this.hub.sendRtp(p.data, group);
    this.packets++;
  }

  /** The source's sender reports go to the group's RTCP port: the readers' only lip-sync anchor. */
  deliverRtcp(trackId: number, data: Uint8Array): void {
    const group = this.groups[trackId];
    if (!group || !this.flowing[trackId]) return;
    this.hub.sendRtcp(data, group);
    this.rtcpPackets++;
  }

  /** The source is gone: one BYE per group, then each playing reader's session ends. */
  end(reason: string): void {
    this.sendByes(reason);
    this.attached = false; // the stream already dropped its readers
    const members = [...this.playing.keys()];
    this.stop(`source ended: ${reason}`);
    for (const m of members) m.end(reason);
  }

  /** The server stops: BYE to the groups; the sessions are closed by the server itself. */
  shutdown(reason: string): void {
    this.sendByes(reason);
    this.stop(reason);
  }

  private sendByes(reason: string): void {
    if (!this.attached) return;
    this.groups.forEach((g, trackId) => {
      const ssrc = this.stream.ssrcOf(trackId);
      if (g && ssrc !== undefined && this.flowing[trackId]) this.hub.sendRtcp(buildBye([ssrc], reason), g);
    });
  }

  private addPlaying(m: MulticastMember, tracks: number[]): void {
    if (this.playing.has(m)) return;
    this.playing.set(m, tracks);
    for (const t of tracks) this.flowing[t] = (this.flowing[t] ?? 0) + 1;
  }

  private detach(why: string): void {
    if (!this.attached) return;
    this.attached = false;
    this.stream.detach(this);
    this.waitKey.length = 0;
    this.hub.log.info({ path: this.stream.name, groups: this.groups, packets: this.packets, rtcpPackets: this.rtcpPackets, seconds: Math.round((Date.now() - this.startedAt) / 1000), why }, `/${this.stream.name}: multicast sender stopped: ${why}`);
  }
}
