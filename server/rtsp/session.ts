// One RTSP session: its state, the transport of each set-up track, and the playback it drives.
import type { MediaFile } from '../sources/file/demux.js';
import type { FilePlayback, PacketSink } from '../sources/file/playback.js';
import type { SessionState } from './state-table.js';
import type { UdpPortPair } from './udp-ports.js';

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

export type TrackTransport = UdpTrackTransport | TcpTrackTransport;

/** What a session needs of the TCP connection it was set up on. */
export interface ConnectionInfo {
  readonly id: number;
  readonly remoteAddress: string;
  readonly localAddress: string;
  /** Interleaved channels already taken by sessions on this connection. */
  readonly usedChannels: Set<number>;
  /** Sessions set up on this connection. */
  readonly sessions: Set<RtspSession>;
  readonly closed: boolean;
  /** Writes a packet whose first 4 bytes are free for the `$` header; false when the queue is over its bound. */
  writeInterleaved(channel: number, framed: Uint8Array): boolean;
}

export interface SetupTrack {
  trackId: number;
  transport: TrackTransport;
  /** The URL the client used in SETUP, echoed as RTP-Info url= (ffmpeg matches it to the track). */
  controlUrl: string;
  /** Receiver-report figures for this track (RFC 3550 §6.4.1). */
  rr?: { fractionLost: number; cumulativeLost: number; jitter: number; at: number };
}

const INTERLEAVED_HEADER = 4;

export class RtspSession implements PacketSink {
  state: Exclude<SessionState, 'none'> = 'init';
  readonly tracks = new Map<number, SetupTrack>();
  playback: FilePlayback | undefined;
  lastActivity: number;
  readonly createdAt = Date.now();
  /** Undo functions for UDP routes (RTCP from the client). */
  readonly cleanups: (() => void)[] = [];
  /** Dropped RTP packets because a TCP reader's queue was full. */
  dropped = 0;
  private readonly byTrack: (SetupTrack | undefined)[] = [];

  constructor(
    readonly id: string,
    readonly path: string,
    readonly file: MediaFile,
    readonly peerAddress: string,
    /** The connection that set the session up; TCP tracks write through it. */
    public connection: ConnectionInfo,
    private readonly ports: UdpPortPair,
  ) {
    this.lastActivity = performance.now();
  }

  get headroom(): number {
    return INTERLEAVED_HEADER;
  }

  get transportKind(): 'udp' | 'tcp' | 'none' {
    const first = this.tracks.values().next().value;
    return first ? first.transport.kind : 'none';
  }

  addTrack(t: SetupTrack): void {
    this.tracks.set(t.trackId, t);
    this.byTrack[t.trackId] = t;
  }

  touch(): void {
    this.lastActivity = performance.now();
  }

  rtp(trackId: number, packet: Uint8Array): boolean {
    const t = this.byTrack[trackId];
    if (!t) return true;
    const tr = t.transport;
    if (tr.kind === 'udp') {
      this.ports.sendRtp(packet.subarray(INTERLEAVED_HEADER), tr.rtpPort, tr.address);
      return true;
    }
    if (this.connection.closed) return false;
    const ok = this.connection.writeInterleaved(tr.rtpChannel, packet);
    if (!ok) this.dropped++;
    return ok;
  }

  rtcp(trackId: number, data: Uint8Array): void {
    const t = this.byTrack[trackId];
    if (!t) return;
    const tr = t.transport;
    if (tr.kind === 'udp') {
      this.ports.sendRtcp(data, tr.rtcpPort, tr.address);
      return;
    }
    if (this.connection.closed) return;
    const framed = new Uint8Array(INTERLEAVED_HEADER + data.length);
    framed.set(data, INTERLEAVED_HEADER);
    this.connection.writeInterleaved(tr.rtcpChannel, framed);
  }

  /** Records receiver-report figures sent by the client about our SSRC on `trackId`. */
  noteReceiverReport(trackId: number, r: { fractionLost: number; cumulativeLost: number; jitter: number }): void {
    const t = this.byTrack[trackId];
    if (t) t.rr = { ...r, at: Date.now() };
  }

  /** The track whose RTCP channel is `channel` (TCP) — for RTCP arriving interleaved. */
  trackByRtcpChannel(channel: number): SetupTrack | undefined {
    for (const t of this.tracks.values()) if (t.transport.kind === 'tcp' && t.transport.rtcpChannel === channel) return t;
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
