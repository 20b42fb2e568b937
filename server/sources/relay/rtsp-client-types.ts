// Types shared by the relay's RTSP client and its callers: options, DESCRIBE/PLAY results, close reasons, the client error.

import type { ConnectionOptions } from 'node:tls';
import type { RtpInfoEntry, RtpInfoHeader } from '../../rtsp/headers/rtp-info.js';
import type { TransportHeader } from '../../rtsp/headers/transport.js';

export interface RtspClientOptions {
  /** Limit for connecting and for each request's answer; default 10 000 ms. */
  timeoutMs?: number;
  /** Default "Tidecast/0.1". */
  userAgent?: string;
  /** Default 'tcp' (interleaved): it crosses NAT and firewalls, and is what MediaMTX uses for relays. */
  transport?: 'tcp' | 'udp';
  /** After PLAY, close when no RTP arrives for this long; default 10 000 ms (ffmpeg's UDP timeout). */
  readTimeoutMs?: number;
  /** Extra options for rtsps:// (e.g. `rejectUnauthorized: false` for a camera's self-signed certificate). */
  tls?: ConnectionOptions;
  /** Send `Supported: org.tidecast.announce`: the caller listens for 'announce' and calls replay() (docs/drain.md). */
  acceptAnnounce?: boolean;
  onRtp?: (mediaIndex: number, packet: Uint8Array) => void;
  onRtcp?: (mediaIndex: number, data: Uint8Array) => void;
}

/** One m= section of the upstream SDP and the URL its SETUP goes to. */
export interface DescribedMedia {
  index: number;
  /** The m= media type: "video", "audio", "application"... */
  type: string;
  /** Absolute control URL, resolved as ffmpeg does (see resolveControl). */
  control: string;
}

export interface DescribeResult {
  /** The URL the DESCRIBE finally succeeded on (after redirects), without credentials. */
  url: string;
  /** The SDP exactly as received: codecs are parsed by server/sdp, not here. */
  sdp: string;
  /** Content-Base, else Content-Location, else the request URL (RFC 2326 §C.1.1). */
  baseUrl: string;
  /** Where PLAY, keepalives and TEARDOWN go: an absolute session-level a=control, else the base URL. */
  aggregateControl: string;
  medias: DescribedMedia[];
}

export interface PlayMedia extends DescribedMedia {
  /** The server's Transport reply to this media's SETUP. */
  transport: TransportHeader;
  /** TCP: the `$` channels carrying RTP and RTCP. */
  interleaved?: [number, number];
  /** UDP: our local RTP/RTCP ports. */
  clientPorts?: [number, number];
  /** This media's RTP-Info entry: the seq and rtptime of the first packet PLAY delivers. */
  rtpInfo?: RtpInfoEntry;
}

export interface PlaySession extends DescribeResult {
  transport: 'tcp' | 'udp';
  sessionId: string;
  /** Session timeout in seconds (default 60); keepalives go every half of it. */
  timeoutS: number;
  medias: PlayMedia[];
  /** The PLAY reply's RTP-Info, as parsed (undefined when absent or unreadable). */
  rtpInfo?: RtpInfoHeader;
  /** The PLAY reply's Range header, raw. */
  range?: string;
}

export type CloseKind = 'local' | 'socket' | 'read-timeout' | 'error';

export interface CloseReason {
  /** local: close() was called; socket: upstream closed; read-timeout: no RTP for readTimeoutMs; error: anything else. */
  kind: CloseKind;
  message: string;
  error?: Error;
}

/** A failed exchange with the upstream; `status` is the RTSP status when the upstream answered. */
export class RtspClientError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'RtspClientError';
    this.status = status;
  }
}
