// RTSP over one WebSocket: requests out, responses matched by CSeq, `$` frames handed on per channel.
import { RtspParser } from '../../server/rtsp/parser.js';
import { RtspHeaders } from '../../server/rtsp/headers-map.js';
import { serializeRequest, serializeResponse, type RtspRequest, type RtspResponse } from '../../server/rtsp/message.js';
import { redirectTarget, type RedirectTarget } from './redirect.js';

/** A non-2xx answer, kept whole so the page can say what the server said (404: no such path). */
export class RtspStatusError extends Error {
  override readonly name = 'RtspStatusError';
  constructor(
    readonly method: string,
    readonly status: number,
    readonly reason: string,
    readonly body: string,
    /** The answer's headers (a 302's Location). */
    readonly headers?: RtspHeaders,
  ) {
    super(`${method} answered ${status} ${reason}${body ? `: ${body.trim()}` : ''}`);
  }
}

/** The socket closed or failed; `everOpen` tells a refused connection from a dropped one. */
export class ConnectionClosedError extends Error {
  override readonly name = 'ConnectionClosedError';
  constructor(message: string, readonly everOpen: boolean) {
    super(message);
  }
}

interface Pending {
  method: string;
  resolve(res: RtspResponse): void;
  reject(e: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

const decoder = new TextDecoder();
/** A server that does not answer within this is as good as gone: the session reconnects. */
const REQUEST_TIMEOUT_MS = 10_000;

export class RtspWsConnection {
  private readonly ws: WebSocket;
  // The server sends one message per RTSP message or `$` frame, but the parser does not rely on
  // it: the same parser as the TCP server, fed per message, is right for any split.
  private readonly parser = new RtspParser({ maxBodyBytes: 1 << 20 });
  private readonly pending = new Map<number, Pending>();
  private cseq = 0;
  private closedError: ConnectionClosedError | undefined;
  private opened = false;
  /** Interleaved frame on a channel; RTP and RTCP of track n arrive on 2n and 2n+1. */
  onFrame: (channel: number, data: Uint8Array) => void = () => {};
  /** Called once when the socket is gone for any reason other than close(). */
  onClose: (e: ConnectionClosedError) => void = () => {};
  /** The server sent REDIRECT with somewhere to go; unset, REDIRECT is refused (501). */
  onRedirect: ((to: RedirectTarget) => void) | undefined;
  /** Bytes received, for the stats overlay. */
  bytesIn = 0;

  private constructor(readonly url: string) {
    this.ws = new WebSocket(url, 'rtsp');
    this.ws.binaryType = 'arraybuffer';
    this.ws.onmessage = (ev) => this.onMessage(ev.data);
    this.ws.onclose = (ev) => this.fail(new ConnectionClosedError(this.opened ? `the connection to the server dropped (WebSocket close ${ev.code}${ev.reason ? `: ${ev.reason}` : ''})` : `could not connect to ${url}`, this.opened));
    this.ws.onerror = () => {
      // The close event that follows carries the code; onerror alone says nothing useful.
    };
  }

  /** Opens the socket; rejects if it cannot be opened. */
  static open(url: string): Promise<RtspWsConnection> {
    const c = new RtspWsConnection(url);
    return new Promise((resolve, reject) => {
      c.ws.onopen = () => {
        c.opened = true;
        resolve(c);
      };
      c.onClose = reject;
    });
  }

  get isOpen(): boolean {
    return this.closedError === undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends a request and resolves with its 2xx response; any other status rejects with RtspStatusError. */
  request(method: string, uri: string, headers: Record<string, string> = {}): Promise<RtspResponse> {
    if (this.closedError) return Promise.reject(this.closedError);
    const cseq = ++this.cseq;
    const h = new RtspHeaders({ CSeq: String(cseq), 'User-Agent': 'Tidecast-Player/0.1', ...headers });
    const bytes = serializeRequest({ method, uri, version: 'RTSP/1.0', headers: h, body: new Uint8Array(0) });
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cseq);
        reject(new ConnectionClosedError(`${method} got no answer within ${REQUEST_TIMEOUT_MS / 1000} s`, true));
        this.close();
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(cseq, { method, resolve, reject, timer });
      this.ws.send(bytes);
    }).then((res) => {
      if (res.status >= 200 && res.status < 300) return res;
      throw new RtspStatusError(method, res.status, res.reason, decoder.decode(res.body), res.headers);
    });
  }

  /** Sends one interleaved frame (RTCP receiver reports). */
  sendFrame(channel: number, payload: Uint8Array): void {
    if (!this.isOpen) return;
    const out = new Uint8Array(4 + payload.length);
    out[0] = 0x24;
    out[1] = channel;
    out[2] = payload.length >>> 8;
    out[3] = payload.length & 0xff;
    out.set(payload, 4);
    this.ws.send(out);
  }

  close(): void {
    if (!this.closedError) this.closedError = new ConnectionClosedError('closed by the player', this.opened);
    this.onClose = () => {};
    this.rejectAll(this.closedError);
    try {
      this.ws.close();
    } catch {
      // Already closing.
    }
  }

  private onMessage(data: unknown): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : new Uint8Array(data as ArrayBuffer);
    this.bytesIn += bytes.length;
    for (const item of this.parser.push(bytes)) {
      if (item.type === 'interleaved') {
        this.onFrame(item.channel, item.data);
      } else if (item.type === 'response') {
        const cseq = Number(item.message.headers.get('CSeq'));
        const p = this.pending.get(cseq);
        if (!p) continue;
        this.pending.delete(cseq);
        clearTimeout(p.timer);
        p.resolve(item.message);
      } else if (item.type === 'error') {
        this.fail(new ConnectionClosedError(`the server sent something that is not RTSP: ${item.error.message}`, true));
        this.ws.close();
      }
      else if (item.type === 'request') this.onServerRequest(item.message);
    }
  }

  /** A server's request: REDIRECT is answered 200 and followed when it says where; anything else 501 (RFC 2326 §10). */
  private onServerRequest(req: RtspRequest): void {
    const to = req.method === 'REDIRECT' ? redirectTarget(req.headers) : undefined;
    const status = to && this.onRedirect ? 200 : req.method === 'REDIRECT' ? 400 : 501;
    const headers = new RtspHeaders({ CSeq: (req.headers.get('CSeq') ?? '0').trim().replace(/\D/g, '') || '0' });
    if (this.isOpen) this.ws.send(serializeResponse({ version: 'RTSP/1.0', status, reason: status === 200 ? 'OK' : status === 400 ? 'Bad Request' : 'Not Implemented', headers, body: new Uint8Array(0) }));
    if (to && status === 200) this.onRedirect!(to);
  }

  private fail(e: ConnectionClosedError): void {
    if (this.closedError) return;
    this.closedError = e;
    this.rejectAll(e);
    this.onClose(e);
  }

  private rejectAll(e: Error): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    this.pending.clear();
  }
}
