// RTSP over HTTP (Apple's QuickTime tunnelling, as live555 and MediaMTX implement it), on the RTSP port and on the HTTP port.
//
// The protocol:
// - The client opens a GET with `x-sessioncookie: <cookie>` and `Accept: application/x-rtsp-tunnelled`.
//   The answer is `HTTP/1.0 200 OK` with `Content-Type: application/x-rtsp-tunnelled`, no length,
//   and stays open: it carries every RTSP response and `$` interleaved frame, as plain bytes.
// - The client then opens a POST with the same cookie (`Content-Type: application/x-rtsp-tunnelled`,
//   a dummy Content-Length such as 32767). Its body is base64 of RTSP requests (and `$` RTCP), split
//   anywhere, each request usually encoded on its own. The POST gets no answer (Apple's note; ffmpeg
//   and live555 read none). A client may close its POST and open another with the same cookie.
// - The RTSP connection lives as long as the GET. A GET whose POST does not come within the pair
//   timeout is closed. A POST naming no open GET gets 400 saying so; a GET reusing an open cookie too.
// - Only interleaved transport (RTP/AVP/TCP) works through it; a UDP SETUP gets 461.
// On the RTSP port (where ffmpeg `-rtsp_transport http` and VLC `--rtsp-http` connect) a connection
// whose first bytes are `GET ` or `POST ` is read here. On the HTTP port the node server's requests
// are looked at before express: tunnel halves are not express routes (neither half ever ends). One
// registry serves both ports, so the halves may even arrive on different ports.
import type { IncomingMessage, RequestListener, Server as HttpNodeServer, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { isTls, normalizeAddress, type ByteChannel, type ChannelAcceptor } from '../../rtsp/channel.js';
import type { Logger } from '../../log.js';
import { fromHttp, NONE, type Presented } from '../../auth/credentials.js';
import { Base64StreamDecoder } from './base64-stream.js';
import { letThrough, refusalOf } from '../../limits/port-guard.js';
import { NoticeLog } from '../../limits/notice-log.js';
import { logRefusalLine } from '../refusal-log.js';

export const TUNNEL_CONTENT_TYPE = 'application/x-rtsp-tunnelled';
/** A GET waits this long for its POST: clients send the POST right after the GET's answer. */
export const TUNNEL_PAIR_TIMEOUT_MS = 10_000;

export interface HttpTunnelOptions {
  /** How long a GET waits for its POST. */
  pairTimeoutMs: number;
  /** Limit of a request head read on the RTSP port. */
  maxHeadBytes: number;
  /** Sockets of the RTSP port whose head is still being read: beyond it, 503 (a flood of idle halves stays bounded). */
  maxPendingHeads: number;
  /** The HTTP port, named in the answer to a plain HTTP request on the RTSP port (bound after the tunnel is made). */
  httpPort: () => number;
  /** A request head on the RTSP port must be complete this long after the connection opened (readTimeout; default 10 s). */
  readTimeoutMs?: number;
}

/** Apple's cookies are 22 characters; anything printable up to 128 is taken, nothing that could smuggle a header. */
const COOKIE = /^[\x21-\x7e]{1,128}$/;
/** A head must arrive this fast on the RTSP port (unless readTimeoutMs says otherwise); an idle socket must not hold a connection slot. */
const HEAD_TIMEOUT_MS = 10_000;

/** One POST body feeding a tunnel. */
interface PostHalf {
  source: Readable;
  /** Answers the POST with an error and closes it (bad base64). */
  reject(status: number, why: string): void;
}

/** The server->client direction is the GET's socket; the client->server direction is the POST's decoded body. */
class HttpTunnelChannel implements ByteChannel {
  readonly tunnel = 'http' as const;
  readonly remoteAddress: string;
  readonly remotePort: number | undefined;
  readonly localAddress: string;
  /** Its GET (what the server sends) is on HTTPS. */
  readonly secure: boolean;
  paired = false;
  private dataCb: ((chunk: Uint8Array) => void) | undefined;
  private post: { half: PostHalf; stop: () => void } | undefined;

  constructor(
    readonly cookie: string,
    private readonly out: Socket,
    /** What the GET presented (Authorization, ?token=, cookie): the RTSP inside runs as that user unless it says otherwise. */
    readonly credentials: Presented = NONE,
  ) {
    this.remoteAddress = normalizeAddress(out.remoteAddress);
    this.remotePort = out.remotePort;
    this.localAddress = normalizeAddress(out.localAddress);
    this.secure = isTls(out);
    out.setNoDelay(true);
  }

  get queuedBytes(): number {
    return this.out.writableLength;
  }

  get closed(): boolean {
    return this.out.destroyed;
  }

  write(bytes: Uint8Array): void {
    if (!this.out.destroyed) this.out.write(bytes);
  }

  cork(): void {
    this.out.cork();
  }

  uncork(): void {
    if (!this.out.destroyed) this.out.uncork();
  }

  end(): void {
    this.out.end();
    this.detachPost(true);
  }

  destroy(): void {
    this.out.destroy();
    this.detachPost(true);
  }

  onData(cb: (chunk: Uint8Array) => void): void {
    this.dataCb = cb;
  }

  onClose(cb: () => void): void {
    let done = false;
    const once = (): void => {
      if (done) return;
      done = true;
      this.detachPost(true);
      cb();
    };
    this.out.on('error', () => {
      this.out.destroy();
      once();
    });
    this.out.on('close', once);
  }

  /** A (new) POST for this tunnel: a later POST replaces an earlier one, as QuickTime reconnects its POST. */
  attachPost(half: PostHalf, head: Uint8Array): void {
    this.detachPost(true);
    this.paired = true;
    const decoder = new Base64StreamDecoder();
    const onChunk = (chunk: Uint8Array): void => {
      let bytes: Uint8Array;
      try {
        bytes = decoder.push(chunk);
      } catch (e) {
        this.detachPost(false);
        half.reject(400, `the POST body of an RTSP-over-HTTP tunnel must be base64: ${(e as Error).message}`);
        return;
      }
      if (bytes.length > 0) this.dataCb?.(bytes);
    };
    const onEnd = (): void => {
      if (this.post?.half === half) this.detachPost(false);
    };
    const stop = (): void => {
      half.source.off('data', onChunk);
      half.source.off('end', onEnd);
      half.source.off('close', onEnd);
    };
    this.post = { half, stop };
    half.source.on('data', onChunk);
    half.source.on('end', onEnd);
    half.source.on('close', onEnd);
    if (head.length > 0) onChunk(head);
    half.source.resume();
  }

  private detachPost(destroy: boolean): void {
    const p = this.post;
    if (!p) return;
    this.post = undefined;
    p.stop();
    if (destroy) p.half.source.destroy();
  }
}

interface Head {
  method: string;
  url: string;
  version: string;
  /** Lower-case names; the last value wins. */
  headers: Map<string, string>;
}

/** Parses an HTTP request head (request line and header lines, without the blank line). */
export function parseHead(text: string): Head | undefined {
  const lines = text.split(/\r?\n/);
  const m = /^([A-Z]+) (\S+) (HTTP\/1\.[01])$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { method: m[1]!, url: m[2]!, version: m[3]!, headers };
}

/** The tunnel registry: cookie -> open GET, shared by the RTSP port and the HTTP port. */
export class HttpTunnels {
  private readonly open = new Map<string, HttpTunnelChannel>();
  private readonly reading = new Set<Socket>();
  /** Refused tunnel halves: a line per address and status a minute. */
  private readonly notices: NoticeLog;

  constructor(
    private readonly acceptor: ChannelAcceptor,
    private readonly log: Logger,
    private readonly opts: HttpTunnelOptions,
  ) {
    this.notices = new NoticeLog(log);
  }

  /** Tunnels whose GET is open (paired or not). */
  get size(): number {
    return this.open.size;
  }

  /** Connections on the RTSP port whose HTTP request head is not complete yet. */
  get pendingHeads(): number {
    return this.reading.size;
  }

  /** RTSP port: a paused socket whose first bytes (pushed back) are `GET ` or `POST `. */
  acceptSocket(sock: Socket): void {
    // A socket the port refused is read (its POST may belong to an open tunnel) but takes no
    // place here: the port guard bounds those, and they must not crowd out admitted clients.
    const refused = refusalOf(sock);
    if (refused === undefined && this.reading.size >= this.opts.maxPendingHeads) {
      return rawError(sock, 503, 'too many connections are still sending their request head; try again later');
    }
    if (refused === undefined) this.reading.add(sock);
    let buf: Buffer = Buffer.alloc(0);
    const headMs = this.opts.readTimeoutMs ?? HEAD_TIMEOUT_MS;
    const timer = setTimeout(() => {
      this.reading.delete(sock);
      sock.off('data', onData);
      rawError(sock, 408, `the HTTP request head was not complete within ${headMs / 1000} s (readTimeout)`);
    }, headMs);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      this.reading.delete(sock);
      sock.off('data', onData);
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      // Only a POST is let through a refusal: a refused GET is answered at once, head or not.
      if (refused !== undefined && buf.toString('latin1', 0, 4) === 'GET ') {
        done();
        return rawError(sock, 503, refused);
      }
      const m = /\r?\n\r?\n/.exec(buf.toString('latin1', 0, Math.min(buf.length, this.opts.maxHeadBytes + 4)));
      if (!m) {
        if (buf.length > this.opts.maxHeadBytes) {
          done();
          rawError(sock, 431, `the HTTP request head is over ${this.opts.maxHeadBytes} bytes`);
        }
        return;
      }
      done();
      sock.pause();
      const head = parseHead(buf.toString('latin1', 0, m.index));
      const rest = buf.subarray(m.index + m[0].length);
      if (!head) return rawError(sock, 400, 'could not parse the HTTP request line and headers');
      this.handle(head, sock, rest, sock, (status, why) => rawError(sock, status, why));
      // A GET's input is read and dropped: only reading sees the client's FIN, which must end
      // the tunnel even when nothing is being written to it (a paused session).
      if (head.method === 'GET') sock.resume();
    };
    sock.on('data', onData);
    sock.on('error', () => sock.destroy());
    sock.once('close', () => {
      clearTimeout(timer);
      this.reading.delete(sock);
    });
    sock.resume();
  }

  /**
   * HTTP port: puts the tunnel ahead of the node server's request listeners (the express app).
   * A tunnel half is recognised by its x-sessioncookie header or its tunnelled content type.
   */
  interceptHttp(server: HttpNodeServer): void {
    const others = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (isTunnelRequest(req)) {
        const head: Head = { method: req.method ?? '', url: req.url ?? '/', version: `HTTP/${req.httpVersion}`, headers: new Map(Object.entries(req.headers).map(([k, v]) => [k, String(v)])) };
        this.handle(head, req.socket, new Uint8Array(0), req, (status, why) => {
          if (res.headersSent) return void req.socket.destroy();
          res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'close' });
          res.end(`${why}\r\n`);
        });
        return;
      }
      for (const l of others) l.call(server, req, res);
    });
  }

  /** Server shutdown: heads still being read on the RTSP port are dropped (open tunnels close with the RTSP server). */
  close(): void {
    for (const s of this.reading) s.destroy();
    this.reading.clear();
  }

  private handle(head: Head, socket: Socket, rest: Uint8Array, body: Readable, answer: (status: number, why: string) => void): void {
    // Every refusal of a tunnel half is logged once (a socket refused at its port was logged there).
    const fail = (status: number, why: string): void => {
      if (refusalOf(socket) === undefined) {
        logRefusalLine(this.notices, { socket, method: head.method, path: head.url.split('?')[0] ?? '/', authorization: head.headers.get('authorization') }, { status, reason: why });
      }
      answer(status, why);
    };
    const cookie = head.headers.get('x-sessioncookie');
    if (head.method !== 'GET' && head.method !== 'POST') return fail(405, `${head.method} is not part of an RTSP-over-HTTP tunnel: it is a GET (server to client) and a POST (client to server)`);
    if (cookie === undefined) {
      const tunnelled = (head.headers.get('accept') ?? head.headers.get('content-type') ?? '').includes(TUNNEL_CONTENT_TYPE);
      if (tunnelled) return fail(400, `an RTSP-over-HTTP ${head.method} needs an x-sessioncookie header naming its tunnel`);
      return fail(400, `this is the RTSP port: ${head.method} ${head.url} ${head.version} is a plain HTTP request; HTTP is served on port ${this.opts.httpPort()}. Only RTSP-over-HTTP tunnels (GET and POST with x-sessioncookie) are served here`);
    }
    if (!COOKIE.test(cookie)) return fail(400, 'x-sessioncookie must be 1-128 printable characters without spaces');
    // A socket refused at its port (too many connections, or from this address) may still carry
    // the POST of an open tunnel: that half belongs to its GET's connection, counted already.
    const refused = refusalOf(socket);
    if (head.method === 'GET') {
      if (refused !== undefined) return fail(503, refused);
      this.openGet(cookie, socket, fail, fromHttp({ authorization: head.headers.get('authorization'), cookie: head.headers.get('cookie') }, head.url, 'GET'));
    } else if (this.openPost(cookie, head, body, rest, fail) && refused !== undefined) {
      letThrough(socket);
    }
  }

  private openGet(cookie: string, socket: Socket, fail: (status: number, why: string) => void, credentials: Presented): void {
    if (this.open.has(cookie)) return fail(400, `x-sessioncookie ${cookie} is already used by an open RTSP-over-HTTP tunnel; each tunnel needs its own cookie`);
    const ch = new HttpTunnelChannel(cookie, socket, credentials);
    if (!this.acceptor.acceptChannel(ch)) return fail(503, 'the server is at its connection limit; try again later');
    this.open.set(cookie, ch);
    ch.onClose(() => {
      if (this.open.get(cookie) === ch) this.open.delete(cookie);
    });
    // Nothing can be written before this head: RTSP output answers requests, and they come by the POST.
    socket.write(
      'HTTP/1.0 200 OK\r\n' +
        `Date: ${new Date().toUTCString()}\r\n` +
        'Server: Tidecast\r\n' +
        'Cache-Control: no-cache, no-store\r\n' +
        'Pragma: no-cache\r\n' +
        `Content-Type: ${TUNNEL_CONTENT_TYPE}\r\n` +
        'Connection: close\r\n\r\n',
    );
    const timer = setTimeout(() => {
      if (ch.paired || ch.closed) return;
      this.log.info({ peer: ch.remoteAddress, cookie }, `${ch.remoteAddress}: RTSP-over-HTTP GET closed: no POST with its cookie within ${this.opts.pairTimeoutMs} ms`);
      ch.destroy();
    }, this.opts.pairTimeoutMs);
    timer.unref();
    this.log.debug({ peer: ch.remoteAddress, cookie }, `${ch.remoteAddress}: RTSP-over-HTTP tunnel opened`);
  }

  /** Attaches a POST to its open GET; false (and answered) when there is none or it is not tunnelled. */
  private openPost(cookie: string, head: Head, body: Readable, rest: Uint8Array, fail: (status: number, why: string) => void): boolean {
    const ch = this.open.get(cookie);
    if (!ch || ch.closed) {
      fail(400, `no RTSP-over-HTTP tunnel is open with x-sessioncookie ${cookie}: send the GET with that cookie first and keep it open`);
      return false;
    }
    const type = head.headers.get('content-type');
    if (type !== undefined && !type.includes(TUNNEL_CONTENT_TYPE)) {
      fail(415, `the POST of an RTSP-over-HTTP tunnel carries ${TUNNEL_CONTENT_TYPE}, not ${type}`);
      return false;
    }
    ch.attachPost({ source: body, reject: fail }, rest);
    return true;
  }
}

/** A request on the HTTP port that belongs to an RTSP-over-HTTP tunnel. */
function isTunnelRequest(req: IncomingMessage): boolean {
  if (req.headers['x-sessioncookie'] !== undefined) return true;
  const t = `${req.headers.accept ?? ''} ${req.headers['content-type'] ?? ''}`;
  return t.includes(TUNNEL_CONTENT_TYPE);
}

/** An HTTP error on a raw socket of the RTSP port, then close. */
function rawError(sock: Socket, status: number, why: string): void {
  const reason = { 400: 'Bad Request', 405: 'Method Not Allowed', 408: 'Request Timeout', 415: 'Unsupported Media Type', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' }[status] ?? 'Error';
  const body = `${why}\r\n`;
  sock.end(`HTTP/1.0 ${status} ${reason}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  // Drain the input so the peer's close is seen (an unread socket never sees EOF), and do not wait long for it.
  sock.resume();
  setTimeout(() => sock.destroy(), 2000).unref();
}
