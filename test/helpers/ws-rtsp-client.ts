// An RTSP client over WebSocket (the `ws` package) for tests: one request per message, and a check that every server message is exactly one response or one `$` frame.
import WebSocket from 'ws';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { RtspParser } from '../../server/rtsp/parser.js';
import { parseRtpPacket, type RtpPacket } from '../../server/rtp/packet.js';
import type { Interleaved } from './rtsp-client.js';

export class WsRtspClient {
  readonly frames: Interleaved[] = [];
  /** Server messages that were not exactly one RTSP response or one `$` frame (must stay empty). */
  readonly badMessages: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly responses: RtspResponse[] = [];
  private readonly waiting: ((r: RtspResponse) => void)[] = [];
  cseq = 0;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => {
      // A fresh parser per message: a browser parses each message on its own.
      const parser = new RtspParser();
      const items = parser.push(new Uint8Array(data));
      if (items.length !== 1 || parser.bufferedBytes !== 0 || items[0]!.type === 'error') {
        this.badMessages.push(data.toString('latin1', 0, 200));
        return;
      }
      const item = items[0]!;
      if (item.type === 'response') {
        const w = this.waiting.shift();
        if (w) w(item.message);
        else this.responses.push(item.message);
      } else if (item.type === 'interleaved') {
        this.frames.push({ channel: item.channel, data: item.data, at: performance.now() });
      }
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** `headers` go on the upgrade request (a Cookie, as a browser sends it); `ca` is the certificate a wss:// server is trusted by. */
  static open(url: string, protocols?: string | string[], headers?: Record<string, string>, ca?: string): Promise<WsRtspClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocols, { ...(headers ? { headers } : {}), ...(ca ? { ca } : {}) });
      ws.once('open', () => resolve(new WsRtspClient(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
    });
  }

  next(timeoutMs = 20_000): Promise<RtspResponse> {
    const ready = this.responses.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no RTSP response over the WebSocket in time')), timeoutMs);
      this.waiting.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  /** Sends raw bytes or text as one message and waits for the next response. */
  raw(data: string | Uint8Array, binary = true): Promise<RtspResponse> {
    const p = this.next();
    this.ws.send(data, { binary });
    return p;
  }

  request(method: string, url: string, headers: Record<string, string> = {}, binary = true): Promise<RtspResponse> {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    return this.raw(lines.join('\r\n') + '\r\n\r\n', binary);
  }

  rtpOn(channel: number): RtpPacket[] {
    return this.frames.filter((f) => f.channel === channel).map((f) => parseRtpPacket(f.data));
  }

  close(): void {
    this.ws.close();
  }
}
