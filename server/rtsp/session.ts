// One RTSP session: its state, the transport of each set-up track, and what it plays or publishes.
import { framedFor, type OutPacket } from '../core/out-packet.js';
import type { Stream, StreamReader } from '../core/stream.js';
import type { Track } from '../media/track.js';
import { buildBye, parseRtcpCompound, type RtcpReportBlock } from '../rtp/rtcp.js';
import type { Thinner } from '../core/thinner.js';
import type { QosRecord } from '../core/qos.js';
import type { PacketSink, Playback } from '../core/playback.js';
import type { Publisher } from '../core/publisher.js';
import type { SeekableMedia } from '../core/seekable-media.js';
import type { SessionState } from './state-table.js';
import type { UdpPortPair } from './udp-ports.js';
import type { UdpDestination } from './udp/sender.js';
import type { StreamMulticast } from './multicast-sender.js';
import type { TrackSrtp } from './srtp/track-srtp.js';
import type { RecordedState } from './recorded/state.js';

export interface UdpTrackTransport {
  kind: 'udp';
  address: string;
  rtpPort: number;
  rtcpPort: number;
}

export interface TcpTrackTransport {
  kind: 'tcp';
  rtpChannel: number;
  rtcpChannel: number;
}

/** RTP/AVP;multicast: the track's group, shared by every multicast reader of the stream. */
export interface MulticastTrackTransport {
  kind: 'multicast';
  group: string;
  rtpPort: number;
  rtcpPort: number;
  ttl: number;
}

export type TrackTransport = UdpTrackTransport | TcpTrackTransport | MulticastTrackTransport;

/** What a session needs of the TCP connection it was set up on. */
export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** The peer's port, when the transport has one (the API shows address:port). */
  readonly remotePort?: number | undefined;
  /** WebSocket or HTTP tunnel, when it is one (the API's protocol: rtsp-ws, rtsp-http). */
  readonly tunnel?: 'websocket' | 'http' | undefined;
  /** TLS under the connection (the API's protocol: rtsps-udp, rtsps-tcp). */
  readonly secure?: boolean;
  /** Interleaved channels already taken by sessions on this connection. */
  readonly usedChannels: Set<number>;
  /** Sessions set up on this connection. */
  readonly sessions: Set<RtspSession>;
  readonly closed: boolean;
  /** What ANNOUNCE described on this connection, waiting for SETUP mode=record (RFC 2326 §10.3). */
  announced?: { path: string; sessionId: string };
  /** The query of the last DESCRIBE here: SETUP URLs built on Content-Base lose it (hooks' TIDECAST_QUERY). */
  described?: { path: string; query: string | undefined };
  /** Writes a packet whose first 4 bytes are free for the `$` header; false when the queue is over its bound. */
  writeInterleaved(channel: number, framed: Uint8Array): boolean;
  /** Writes an already framed packet shared with other readers; false when the queue is over its bound. */
  writeShared(framed: Uint8Array): boolean;
  /** Closes the connection (a slow reader, or the end of a live stream). */
  close(): void;
  /** Flushes what is queued (a BYE), then closes. */
  end(why?: string): void;
  /** The client takes ANNOUNCE from us (its requests listed the option tag). */
  readonly acceptsAnnounce?: boolean;
  /** Live paths whose source ended under a session of this connection, to ANNOUNCE their next stream (path -> URL). */
  readonly watching?: Map<string, string>;
  /** Sends a server request (ANNOUNCE, REDIRECT) on the connection; false when it cannot. */
  sendRequest?(method: string, uri: string, headers: Record<string, string>, body?: Uint8Array): boolean;
}

export interface SetupTrack {
  trackId: number;
  transport: TrackTransport;
  /** The URL the client used in SETUP, echoed as RTP-Info url= (ffmpeg matches it to the track). */
  controlUrl: string;
  /** Receiver-report figures for this track (RFC 3550 §6.4.1). */
  rr?: { fractionLost: number; cumulativeLost: number; jitter: number; at: number };
  /** Set up as RTP/SAVP (RTSPS): what we send is SRTP/SRTCP, what the peer sends is opened with its key. */
  srtp?: TrackSrtp;
}

/** A session plays a file (own cursor), reads a live stream, or publishes one. */
export type SessionMedia =
  | { kind: 'file'; file: SeekableMedia; playback: Playback }
  | { kind: 'live'; stream: Stream }
  | { kind: 'publish'; tracks: Track[]; controls: string[]; publisher: Publisher | undefined };

const INTERLEAVED_HEADER = 4;

/** What a reader's QoS (reader-qos.ts) is told: the SRs it was sent (for round-trip times) and its report blocks. */
export interface SessionQos {
  noteSent(trackId: number, rtcp: Uint8Array): void;
  noteReport(trackId: number, block: RtcpReportBlock): void;
  /** For the API (never per packet). */
  record(): QosRecord;
  /** The reader stopped playing (PAUSE, session end): a rendition switch lets go of its streams. */
  stop?(): void;
}

export class RtspSession implements PacketSink, StreamReader {
  private current: Exclude<SessionState, 'none'> = 'init';
  /** Set once the session has played or recorded: one that never does is closed after setupTimeout. */
  started = false;
  /** performance.now() at creation (the setup timeout counts from it). */
  readonly openedAt = performance.now();
  readonly tracks = new Map<number, SetupTrack>();
  lastActivity: number;
  readonly createdAt = Date.now();
  /** Undo functions for UDP routes (RTCP from the client). */
  readonly cleanups: (() => void)[] = [];
  /** RTP packets not sent because the reader's TCP queue was full. */
  dropped = 0;
  /** Bytes sent to a reader, or received from a publisher (the API's bytes and bitrate). */
  bytes = 0;
  /** RTP packets sent to a reader (the API and /metrics). */
  packets = 0;
  /** Live readers: send no video until the next key frame (at join without a GOP, or after a drop). */
  waitKey = false;
  private readonly byTrack: (SetupTrack | undefined)[] = [];
  /** UDP tracks: the client's RTP address, packed once here so that a send parses nothing. */
  private readonly udpDest: (UdpDestination | undefined)[] = [];
  /** Set by the server: ends this session when its live source goes away. */
  onSourceEnd: ((reason: string) => void) | undefined;
  /** The stream's multicast sender, when this session's tracks are multicast: it sends for us. */
  multicast: StreamMulticast | undefined;
  /** Who made it ('' anonymous; set by the request that created it): requests as anyone else get 454. */
  owner: string | undefined;
  /** Told of each receiver report the client sends about us (metrics observe loss and jitter). */
  onReceiverReport: ((trackId: number, r: { fractionLost: number; jitter: number }) => void) | undefined;
  /** The URL query the client read or published with (hooks' TIDECAST_QUERY). */
  query: string | undefined;
  /** Playing the path's recording by time (Range: clock=, ?start=): the window loaded and how it was asked. */
  recorded: RecordedState | undefined;
  /** RTP packets sent per track (the API's qos record compares video and audio). */
  readonly trackPackets: number[] = [];
  /** The reader's QoS from its receiver reports, set by SETUP for readers. */
  qos: SessionQos | undefined;
  /** Set only while the reader is thinned (or was, live: its seq numbers are its own since): the hot path checks nothing else. */
  thin: Thinner | undefined;

  constructor(
    readonly id: string,
    readonly path: string,
    /** Changes once at most: a live session PLAYed with a clock= range turns to the recording (recorded/play-recorded.ts). */
    public media: SessionMedia,
    readonly peerAddress: string,
    /** The connection that set the session up; TCP tracks write through it. */
    public connection: ConnectionInfo,
    private readonly ports: UdpPortPair,
  ) {
    this.lastActivity = performance.now();
  }

  get state(): Exclude<SessionState, 'none'> {
    return this.current;
  }

  set state(v: Exclude<SessionState, 'none'>) {
    this.current = v;
    if (v === 'playing' || v === 'recording') this.started = true;
  }

  get mediaTracks(): Track[] {
    const m = this.media;
    return m.kind === 'file' ? m.file.tracks : m.kind === 'live' ? m.stream.tracks : m.tracks;
  }

  get playback(): Playback | undefined {
    return this.media.kind === 'file' ? this.media.playback : undefined;
  }

  get headroom(): number {
    return INTERLEAVED_HEADER;
  }

  /** File playback asks per video frame whether this reader gets it (core/thinner.ts). */
  get thinning(): Thinner | undefined {
    return this.thin;
  }

  /** Multicast counts as UDP: it outlives its connection and times out without requests, as UDP does. */
  get transportKind(): 'udp' | 'tcp' | 'none' {
    const first = this.tracks.values().next().value;
    if (!first) return 'none';
    return first.transport.kind === 'tcp' ? 'tcp' : 'udp';
  }

  addTrack(t: SetupTrack): void {
    this.tracks.set(t.trackId, t);
    this.byTrack[t.trackId] = t;
    this.trackPackets[t.trackId] ??= 0;
    const tr = t.transport;
    this.udpDest[t.trackId] = tr.kind === 'udp' ? this.ports.rtpDestination(tr.address, tr.rtpPort, this) : undefined;
  }

  touch(): void {
    this.lastActivity = performance.now();
  }

  /** File playback: a packet built for this reader, with room for the interleaved header. */
  rtp(trackId: number, packet: Uint8Array): boolean {
    const t = this.byTrack[trackId];
    if (!t) return true;
    const tr = t.transport;
    if (tr.kind === 'multicast') return true;
    if (t.srtp) {
      const sealed = t.srtp.own(packet.subarray(INTERLEAVED_HEADER), INTERLEAVED_HEADER);
      if (!sealed) return true;
      packet = sealed;
    }
    if (tr.kind === 'udp') {
      this.ports.sendRtp(packet.subarray(INTERLEAVED_HEADER), this.udpDest[trackId]!);
      this.bytes += packet.length - INTERLEAVED_HEADER;
      this.packets++;
      this.trackPackets[trackId]!++;
      return true;
    }
    if (this.connection.closed) return false;
    const ok = this.connection.writeInterleaved(tr.rtpChannel, packet);
    if (ok) {
      this.bytes += packet.length;
      this.packets++;
      this.trackPackets[trackId]!++;
    } else this.dropped++;
    return ok;
  }

  rtcp(trackId: number, data: Uint8Array): void {
    const t = this.byTrack[trackId];
    if (!t) return;
    const tr = t.transport;
    // The group's RTCP (SRs, the one BYE) is the sender's: one reader's BYE would end everyone's.
    if (tr.kind === 'multicast') return;
    this.qos?.noteSent(trackId, data);
    if (t.srtp) {
      const sealed = t.srtp.rtcp(data);
      if (!sealed) return;
      data = sealed;
    }
    if (tr.kind === 'udp') {
      this.ports.sendRtcp(data, tr.rtcpPort, tr.address);
      return;
    }
    if (this.connection.closed) return;
    const framed = new Uint8Array(INTERLEAVED_HEADER + data.length);
    framed.set(data, INTERLEAVED_HEADER);
    this.connection.writeInterleaved(tr.rtcpChannel, framed);
  }

  /** Live fan-out: the same packet object every reader gets; nothing is copied here. */
  deliver(p: OutPacket): void {
    const t = this.byTrack[p.trackId];
    if (!t) return;
    const isKeyTrack = this.media.kind === 'live' && p.trackId === this.media.stream.keyTrack;
    if (this.waitKey && isKeyTrack) {
      if (!p.keyStart) return;
      this.waitKey = false;
    }
    const tr = t.transport;
    if (tr.kind === 'multicast') return;
    // SRTP readers share the stream's one sealed copy of the packet (srtp/stream-srtp.ts).
    const q = t.srtp ? t.srtp.live(p) : p;
    if (!q) return;
    if (tr.kind === 'udp') {
      let data = q.data;
      // Thinning is UDP-only and never SRTP (reader-qos.ts): a thinned reader's own bytes, or none.
      if (this.thin !== undefined && p.trackId === this.thin.trackId) {
        const own = this.thin.pass(p);
        if (own === undefined) return;
        data = own;
      }
      // Queued with the other readers' sends of this turn: one sendmmsg for all (udp/sender.ts).
      this.ports.sendRtp(data, this.udpDest[p.trackId]!);
      this.bytes += data.length;
      this.packets++;
      this.trackPackets[p.trackId]!++;
      return;
    }
    const framed = framedFor(q, tr.rtpChannel);
    if (this.connection.writeShared(framed)) {
      this.bytes += framed.length;
      this.packets++;
      this.trackPackets[p.trackId]!++;
    } else {
      this.dropped++;
      // Never a broken GOP: after a lost video packet, skip to the next key frame.
      if (isKeyTrack) this.waitKey = true;
    }
  }

  deliverRtcp(trackId: number, data: Uint8Array): void {
    // A thinned reader's SR counts only what it got (RFC 3550 §6.4.1 sender's packet and octet counts).
    if (this.thin !== undefined && trackId === this.thin.trackId) data = this.thin.senderReport(data);
    this.rtcp(trackId, data);
  }

  /**
   * The live source ended: BYE on every track, then the owner closes us. The BYE carries the
   * source's SSRC; a source that ended before its first packet has none, and the BYE names SSRC 0:
   * ffmpeg ends on any BYE, and without one a UDP reader waits for packets for ever.
   */
  end(reason: string): void {
    if (this.media.kind === 'live') {
      for (const t of this.tracks.values()) this.rtcp(t.trackId, buildBye([this.media.stream.ssrcOf(t.trackId) ?? 0], reason));
    }
    this.onSourceEnd?.(reason);
  }

  /** Records receiver-report figures sent by the client about our SSRC on `trackId`. */
  noteReceiverReport(trackId: number, r: RtcpReportBlock): void {
    const t = this.byTrack[trackId];
    if (!t) return;
    t.rr = { fractionLost: r.fractionLost, cumulativeLost: r.cumulativeLost, jitter: r.jitter, at: Date.now() };
    this.onReceiverReport?.(trackId, r);
    this.qos?.noteReport(trackId, r);
  }

  /**
   * A reader's RTCP on `trackId`: its report blocks about our SSRC are recorded; malformed RTCP loses
   * only itself. False when it was SRTCP that failed authentication (it then proves nothing).
   */
  noteRtcp(trackId: number, data: Uint8Array): boolean {
    const srtp = this.byTrack[trackId]?.srtp;
    const plain = srtp ? srtp.opener.openRtcp(data) : data;
    if (!plain) return false;
    const ssrc = this.ssrcOf(trackId);
    try {
      for (const p of parseRtcpCompound(plain)) {
        if (p.type !== 'rr' && p.type !== 'sr') continue;
        for (const b of p.reports) if (b.ssrc === ssrc) this.noteReceiverReport(trackId, b);
      }
    } catch {
      /* a client's malformed RTCP costs only that report */
    }
    return true;
  }

  /** A publisher's RTP or RTCP on `trackId` as it can be ingested: opened when SRTP, undefined when it fails authentication. */
  openIn(trackId: number, data: Uint8Array, rtcp: boolean): Uint8Array | undefined {
    const srtp = this.byTrack[trackId]?.srtp;
    if (!srtp) return data;
    return rtcp ? srtp.opener.openRtcp(data) : srtp.opener.openRtp(data);
  }

  /** The SSRC we send on a track (file playback) or the live source's. */
  ssrcOf(trackId: number): number | undefined {
    const m = this.media;
    if (m.kind === 'file') return m.playback.ssrcOf(trackId);
    if (m.kind === 'live') return m.stream.ssrcOf(trackId);
    return undefined;
  }

  /** The track whose interleaved channel is `channel` (RTP or RTCP), for data arriving on TCP. */
  trackByChannel(channel: number): { track: SetupTrack; rtcp: boolean } | undefined {
    for (const t of this.tracks.values()) {
      if (t.transport.kind !== 'tcp') continue;
      if (t.transport.rtcpChannel === channel) return { track: t, rtcp: true };
      if (t.transport.rtpChannel === channel) return { track: t, rtcp: false };
    }
    return undefined;
  }

  /** Frees UDP routes and the interleaved channels this session held on its connection. */
  dispose(): void {
    for (const c of this.cleanups.splice(0)) c();
    this.connection.sessions.delete(this);
    for (const t of this.tracks.values()) {
      if (t.transport.kind === 'tcp') {
        this.connection.usedChannels.delete(t.transport.rtpChannel);
        this.connection.usedChannels.delete(t.transport.rtcpChannel);
      }
    }
  }
}
