// The byte channel an RTSP connection runs over (TCP socket, WebSocket, HTTP GET/POST tunnel), and the TCP adapter.
import type { Socket } from 'node:net';
import type { Presented } from '../auth/credentials.js';

/**
 * What RtspConnection needs of its transport. Every `write` carries one whole RTSP message or one
 * whole `$` frame: message-oriented transports (WebSocket) send each write as its own message, so a
 * browser can parse per message; stream transports just concatenate.
 */
export interface ByteChannel {
  /** The peer's address (IPv4-mapped prefix removed): UDP SETUP and logs use it. */
  readonly remoteAddress: string;
  /** The peer's port: logs name a client as address:port. */
  readonly remotePort?: number;
  readonly localAddress: string;
  /** What the tunnel is, when it is one: SETUP then accepts only interleaved transport. */
  readonly tunnel: 'websocket' | 'http' | undefined;
  /** Tunnels: what the opening HTTP request presented (a token, Basic): RTSP requests without Authorization use it. */
  readonly credentials?: Presented;
  /** TLS under it: RTSPS, or a tunnel over HTTPS/WSS (rtspEncryption and SRTP depend on it). */
  readonly secure?: boolean;
  /** Bytes accepted by `write` and not yet handed to the kernel: the slow-reader policy reads it. */
  readonly queuedBytes: number;
  readonly closed: boolean;
  write(bytes: Uint8Array): void;
  /** Writes between cork and uncork may leave in one system call (a pacer tick's packets). */
  cork(): void;
  uncork(): void;
  /** Flushes what is queued, then closes: server shutdown, or `why` the connection cannot go on. */
  end(why?: string): void;
  /** Closes at once; queued bytes are lost. */
  destroy(): void;
  /** Bytes from the peer, in order; a chunk may hold several messages or part of one. */
  onData(cb: (chunk: Uint8Array) => void): void;
  /** Called once when the channel is gone (peer closed, error, or destroy). */
  onClose(cb: () => void): void;
}

/** Where tunnels hand their channels: the RTSP server runs a connection over each. False when full. */
export interface ChannelAcceptor {
  acceptChannel(channel: ByteChannel): boolean;
}

export const normalizeAddress = (a: string | undefined): string => (a ?? '').replace(/^::ffff:/, '');

/** Whether a socket is a TLS one (tls.TLSSocket sets `encrypted`). */
export const isTls = (socket: object): boolean => (socket as { encrypted?: unknown }).encrypted === true;

/** An RTSP connection on a TCP socket, or a TLS one (RTSPS). */
export class SocketChannel implements ByteChannel {
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  readonly localAddress: string;
  readonly tunnel = undefined;
  readonly secure: boolean;

  constructor(private readonly socket: Socket) {
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort;
    this.localAddress = normalizeAddress(socket.localAddress);
    this.secure = isTls(socket);
    // Responses and RTP are small writes that must leave now, not wait for Nagle.
    socket.setNoDelay(true);
  }

  get queuedBytes(): number {
    return this.socket.writableLength;
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }

  write(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    if (!this.socket.destroyed) this.socket.uncork();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
  }

  onData(cb: (chunk: Uint8Array) => void): void {
    this.socket.on('data', cb);
  }

  onClose(cb: () => void): void {
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      cb();
    };
    this.socket.on('error', () => {
      this.socket.destroy();
      once();
    });
    this.socket.on('close', once);
  }
}
