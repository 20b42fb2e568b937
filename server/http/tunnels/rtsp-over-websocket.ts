// RTSP over WebSocket on the HTTP port: the same RTSP connection and sessions, with RTP/RTCP as `$` frames in binary messages.
//
// The protocol (the web player relies on it; README "RTSP over WebSocket and HTTP" says the same):
// - URL: ws://HOST:HTTP_PORT/rtsp (wss:// behind a TLS proxy). Any query string is ignored.
// - Subprotocol: `rtsp` when offered, else `binary` (what the Axis media-stream-library offers), and the
//   server echoes the one it picked; without one the connection works the same. Offering only other
//   subprotocols is accepted without one too. The bytes are the same whichever is picked.
// - Client -> server: RTSP requests as binary or text messages, and `$`-framed RTCP (receiver
//   reports) as binary messages. The bytes of all messages form one stream, so a message may hold
//   several requests or a part of one; one request per message is what a browser naturally sends.
// - Server -> client: every RTSP response is one binary message, and every `$` interleaved frame
//   (4-byte header: 0x24, channel, 16-bit big-endian length; then the RTP or RTCP packet) is its own
//   binary message. A message never holds a part of a response or frame, nor two of them.
// - Request URLs are ordinary: rtsp://host[:port]/<path>; the host part is not checked.
// - Transport: only RTP/AVP/TCP;interleaved=N-M (a SETUP asking for UDP gets 461).
// - Closing the WebSocket tears down its sessions, as closing a TCP connection does. A reader whose
//   bufferedAmount stays over tcpQueueBytes skips to the next key frame and is dropped after
//   slowReaderTimeout. A message larger than the limit closes with 1009, a malformed frame with
//   1002; a peer that stops answering pings (every 30 s) is cut off.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { fromHttp, NONE, type Presented } from '../../auth/credentials.js';
import { isTls, normalizeAddress, type ByteChannel, type ChannelAcceptor } from '../../rtsp/channel.js';
import type { HttpContext } from '../context.js';
import type { UpgradeHandler } from '../server.js';
import { refusalOf } from '../../limits/port-guard.js';

export const RTSP_WEBSOCKET_PATH = '/rtsp';
export const RTSP_SUBPROTOCOL = 'rtsp';
/** Subprotocols accepted, in order of preference: `binary` is what the Axis media-stream-library offers. */
export const RTSP_SUBPROTOCOLS = [RTSP_SUBPROTOCOL, 'binary'] as const;

/** The subprotocol answered to what a client offered: the first known one, or none. */
export function pickSubprotocol(offered: ReadonlySet<string>): string | false {
  return RTSP_SUBPROTOCOLS.find((p) => offered.has(p)) ?? false;
}
/** A peer that has not answered one ping by the next is gone (a browser tab put to sleep, a dead NAT). */
const PING_INTERVAL_MS = 30_000;

/** A WebSocket as a byte channel: each write is one binary message. */
export class WebSocketChannel implements ByteChannel {
  readonly tunnel = 'websocket' as const;
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  readonly localAddress: string;
  /** Upgraded from HTTPS (wss://). */
  readonly secure: boolean;
  private alive = true;
  private readonly pinger: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    /** The upgraded TCP socket under `ws`: corking it batches one turn's frames into one writev. */
    private readonly socket: Socket,
    /** What the upgrade request presented (?token=, the login cookie): the RTSP inside runs as that user. */
    readonly credentials: Presented = NONE,
  ) {
    this.remoteAddress = normalizeAddress(socket.remoteAddress);
    this.remotePort = socket.remotePort;
    this.localAddress = normalizeAddress(socket.localAddress);
    this.secure = isTls(socket);
    socket.setNoDelay(true);
    ws.on('pong', () => (this.alive = true));
    this.pinger = setInterval(() => {
      if (!this.alive) return this.destroy();
      this.alive = false;
      ws.ping();
    }, PING_INTERVAL_MS);
    this.pinger.unref();
    ws.on('close', () => clearInterval(this.pinger));
  }

  /** What ws has not yet handed to the kernel: the same measure as a TCP socket's writableLength. */
  get queuedBytes(): number {
    return this.ws.bufferedAmount;
  }

  get closed(): boolean {
    return this.ws.readyState !== this.ws.OPEN;
  }

  write(bytes: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(bytes, { binary: true });
  }

  cork(): void {
    this.socket.cork();
  }

  uncork(): void {
    if (!this.socket.destroyed) this.socket.uncork();
  }

  end(why?: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // 1008: the RTSP bytes broke the rules (framing lost); 1001: going away. A close reason is at most 123 bytes.
    if (why) this.ws.close(1008, closeReason(why));
    else this.ws.close(1001, 'server shutting down');
  }

  destroy(): void {
    clearInterval(this.pinger);
    this.ws.terminate();
  }

  onData(cb: (chunk: Uint8Array) => void): void {
    // binaryType is nodebuffer: text and binary messages both arrive as one Buffer.
    this.ws.on('message', (data) => cb(data as Buffer));
  }

  onClose(cb: () => void): void {
    // ws emits 'close' after an 'error' (bad frame, too large) once it has sent its close frame.
    this.ws.on('close', cb);
  }
}

/** A close reason within the 123 bytes RFC 6455 §5.5 leaves, cut on a character boundary. */
export function closeReason(why: string): string {
  let r = why;
  while (Buffer.byteLength(r) > 123) r = r.slice(0, -1);
  return r;
}

/** Largest client message: one request (head + body) or one `$` frame, with room to spare. */
export function maxMessageBytes(ctx: HttpContext): number {
  const l = ctx.config.limits;
  return l.maxHeaderBytes + l.maxBodyBytes + 4 + 0xffff;
}

/** The upgrade handler for ws://HOST/rtsp; other paths are left to other handlers. */
export function rtspOverWebSocket(ctx: HttpContext, acceptor: ChannelAcceptor): UpgradeHandler {
  const wss = new WebSocketServer({
    noServer: true,
    // RTP is compressed media: deflate would cost CPU per reader and gain nothing.
    perMessageDeflate: false,
    maxPayload: maxMessageBytes(ctx),
    handleProtocols: pickSubprotocol,
  });
  return (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== RTSP_WEBSOCKET_PATH) return false;
    wss.handleUpgrade(req, socket, head, (ws) => {
      // Refused at the HTTP port (too many connections, or too many from this address): the
      // handshake completes so that the page can read why in the close frame.
      const refused = refusalOf(socket);
      if (refused !== undefined) {
        ws.on('error', () => ws.terminate());
        ws.close(1013, closeReason(refused));
        return;
      }
      // A browser cannot add headers to a WebSocket: the player's token rides in ?token= or the login cookie.
      const channel = new WebSocketChannel(ws, socket as Socket, fromHttp(req.headers, req.url ?? '/', 'GET'));
      ws.on('error', (err) => ctx.log.info({ peer: channel.remoteAddress, err: err.message }, `${channel.remoteAddress}: RTSP WebSocket closed on a protocol error: ${err.message}`));
      if (!acceptor.acceptChannel(channel)) {
        ws.close(1013, closeReason(`the server is at its limit of ${ctx.config.maxConnections} connections; try again later`));
        return;
      }
      ctx.log.debug({ peer: channel.remoteAddress, protocol: ws.protocol || undefined }, `${channel.remoteAddress}: RTSP over WebSocket connected`);
    });
    return true;
  };
}
