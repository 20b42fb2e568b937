// One RTSP control connection to an upstream: TCP or TLS connect, requests matched to answers by CSeq, interleaved frames handed on.

import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { STATUS_REASONS } from '../../rtsp/errors.js';
import { RtspHeaders } from '../../rtsp/headers-map.js';
import { serializeRequest, serializeResponse, type RtspRequest, type RtspResponse } from '../../rtsp/message.js';
import { RtspParser } from '../../rtsp/parser.js';
import { RtspClientError } from './rtsp-client-types.js';
import { isIp, type Target } from './rtsp-url.js';

/** What the connection reports to its client; the client ignores reports from a connection it has replaced (redirect). */
export interface ConnectionEvents {
  /** The upstream URL for messages: it changes on a redirect to the same server, which keeps the connection. */
  url(): string;
  onInterleaved(channel: number, data: Uint8Array): void;
  /** Handling a chunk threw (e.g. a throwing onRtp): the rest of that chunk is dropped. */
  onDataError(err: Error): void;
  /** An unreadable answer the parser cannot resynchronise after. */
  onFatal(message: string, err: Error): void;
  /** The socket closed after connecting; `err` is its last error, if any. */
  onClose(err: Error | undefined): void;
  /** A request from the server (ANNOUNCE, REDIRECT): the status to answer it with (501 when absent). */
  onRequest?(req: RtspRequest): number;
}

interface Pending {
  cseq: number;
  method: string;
  uri: string;
  resolve: (r: RtspResponse) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class RtspConnection {
  readonly socket: Socket;
  /** Resolves once connected; rejects when the connection fails or takes longer than the timeout. */
  readonly ready: Promise<void>;
  private readonly parser = new RtspParser();
  private readonly pending = new Map<number, Pending>();
  private socketError: Error | undefined;

  constructor(t: Target, tlsOptions: ConnectionOptions | undefined, timeoutMs: number, private readonly events: ConnectionEvents) {
    const socket = t.secure
      ? tlsConnect({ host: t.host, port: t.port, servername: isIp(t.host) ? undefined : t.host, ...tlsOptions })
      : netConnect({ host: t.host, port: t.port });
    this.socket = socket;
    socket.setNoDelay(true);
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new RtspClientError(`upstream ${t.clean} did not accept a connection within ${seconds(timeoutMs)}`));
      }, timeoutMs);
      const onConnectError = (err: Error) => {
        clearTimeout(timer);
        reject(new RtspClientError(`could not connect to upstream ${t.clean}: ${err.message}`));
      };
      socket.once('error', onConnectError);
      socket.once(t.secure ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onConnectError);
        socket.on('error', (err) => (this.socketError = err));
        socket.on('close', () => this.events.onClose(this.socketError));
        socket.on('data', (chunk: Buffer) => this.onData(chunk));
        resolve();
      });
    });
  }

  /** Writes a request whose headers already carry its CSeq, and waits up to timeoutMs for the answer with that CSeq. */
  send(cseq: number, method: string, uri: string, headers: RtspHeaders, body: Uint8Array | undefined, timeoutMs: number): Promise<RtspResponse> {
    const bytes = serializeRequest({ method, uri, version: 'RTSP/1.0', headers, body: body ?? new Uint8Array(0) });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cseq);
        reject(new RtspClientError(`upstream ${uri} did not answer ${method} within ${seconds(timeoutMs)}`));
      }, timeoutMs);
      this.pending.set(cseq, { cseq, method, uri, resolve, reject, timer });
      this.write(bytes);
    });
  }

  /** Rejects every request still waiting, saying why. */
  failAll(message: string): void {
    for (const p of [...this.pending.values()]) {
      this.settle(p);
      p.reject(new RtspClientError(`${message} while waiting for the answer to ${p.method}`));
    }
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Uint8Array): void {
    try {
      this.dispatch(chunk);
    } catch (err) {
      // A throwing onRtp/onRtcp must end this relay, not the process (it runs in a socket callback).
      this.events.onDataError(err as Error);
    }
  }

  private dispatch(chunk: Uint8Array): void {
    for (const item of this.parser.push(chunk)) {
      switch (item.type) {
        case 'interleaved':
          this.events.onInterleaved(item.channel, item.data);
          break;
        case 'response': {
          const raw = item.message.headers.get('CSeq')?.trim();
          // Answers come in order on one connection, so one without a usable CSeq goes to the oldest
          // request; one with an unknown CSeq is a late answer to a request that timed out: dropped.
          const p = raw !== undefined && /^\d+$/.test(raw) ? this.pending.get(Number(raw)) : this.pending.values().next().value;
          if (p === undefined) break;
          this.settle(p);
          p.resolve(item.message);
          break;
        }
        case 'request': {
          // RFC 2326 §10: a server may send requests (ANNOUNCE, REDIRECT); the client says which it takes.
          const status = this.events.onRequest?.(item.message) ?? 501;
          const headers = new RtspHeaders();
          const cseq = item.message.headers.get('CSeq');
          if (cseq !== undefined && /^\s*\d{1,10}\s*$/.test(cseq)) headers.set('CSeq', cseq.trim());
          this.write(serializeResponse({ version: 'RTSP/1.0', status, reason: STATUS_REASONS[status] ?? 'OK', headers, body: new Uint8Array(0) }));
          break;
        }
        case 'error': {
          const p = (item.cseq !== undefined ? this.pending.get(Number(item.cseq)) : undefined) ?? this.pending.values().next().value;
          const message = `upstream ${this.events.url()} sent an unreadable answer: ${item.error.reason}`;
          if (p) {
            this.settle(p);
            p.reject(new RtspClientError(`${message} (to ${p.method})`));
          }
          if (this.parser.closed) this.events.onFatal(message, item.error);
          break;
        }
      }
    }
  }

  private settle(p: Pending): void {
    clearTimeout(p.timer);
    this.pending.delete(p.cseq);
  }

  private write(bytes: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(bytes);
  }
}

/** 300 -> "0.3 s", for messages. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))} s`;
}
