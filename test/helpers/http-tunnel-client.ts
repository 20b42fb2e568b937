// A raw-socket RTSP-over-HTTP tunnel client for tests: the GET half reads responses and `$` frames, the POST half writes base64.
import { connect, type Socket } from 'node:net';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { RtspParser } from '../../server/rtsp/parser.js';
import { parseRtpPacket, type RtpPacket } from '../../server/rtp/packet.js';
import type { Interleaved } from './rtsp-client.js';

export interface HttpAnswer {
  status: number;
  head: string;
  /** Bytes after the head (for an error: the body). */
  body: string;
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends one raw HTTP request and returns the whole answer once the server closes (for refusals). */
export async function httpOnce(port: number, text: string, timeoutMs = 20_000): Promise<HttpAnswer> {
  const s = await openSocket(port);
  const chunks: Buffer[] = [];
  s.on('data', (c) => chunks.push(c));
  s.write(text);
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the server did not close after its answer')), timeoutMs);
    s.on('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
  return splitAnswer(Buffer.concat(chunks).toString('latin1'));
}

function splitAnswer(all: string): HttpAnswer {
  const end = all.indexOf('\r\n\r\n');
  const head = end < 0 ? all : all.slice(0, end);
  return { status: Number(/^HTTP\/1\.\d (\d{3})/.exec(head)?.[1] ?? 0), head, body: end < 0 ? '' : all.slice(end + 4) };
}

export class HttpTunnelClient {
  readonly frames: Interleaved[] = [];
  readonly closed: Promise<void>;
  post: Socket | undefined;
  cseq = 0;
  private readonly parser = new RtspParser();
  private readonly responses: RtspResponse[] = [];
  private readonly waiting: ((r: RtspResponse) => void)[] = [];

  private constructor(
    readonly port: number,
    readonly cookie: string,
    readonly get: Socket,
    readonly answer: HttpAnswer,
    rest: Buffer,
  ) {
    get.on('data', (c: Buffer) => this.feed(c));
    if (rest.length) this.feed(rest);
    this.closed = new Promise((r) => get.on('close', () => r()));
  }

  /** Opens the GET half and waits for its answer head. */
  static async open(port: number, cookie: string, path = '/'): Promise<HttpTunnelClient> {
    const get = await openSocket(port);
    get.write(`GET ${path} HTTP/1.0\r\nx-sessioncookie: ${cookie}\r\nAccept: application/x-rtsp-tunnelled\r\nPragma: no-cache\r\nCache-Control: no-cache\r\n\r\n`);
    let buf = Buffer.alloc(0);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no answer to the tunnel GET')), 20_000);
      const onData = (c: Buffer): void => {
        buf = Buffer.concat([buf, c]);
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        clearTimeout(t);
        get.off('data', onData);
        resolve(new HttpTunnelClient(port, cookie, get, splitAnswer(buf.toString('latin1', 0, end + 4)), buf.subarray(end + 4)));
      };
      get.on('data', onData);
      get.once('error', reject);
    });
  }

  /** Opens (or replaces) the POST half; `port` defaults to the GET's. */
  async openPost(port = this.port): Promise<Socket> {
    const post = await openSocket(port);
    post.on('error', () => {});
    post.write(`POST / HTTP/1.0\r\nx-sessioncookie: ${this.cookie}\r\nContent-Type: application/x-rtsp-tunnelled\r\nPragma: no-cache\r\nCache-Control: no-cache\r\nContent-Length: 32767\r\nExpires: Sun, 9 Jan 1972 00:00:00 GMT\r\n\r\n`);
    this.post = post;
    return post;
  }

  /** Writes base64 text on the POST, in pieces of the given sizes (the rest in one). */
  async sendBase64(b64: string, pieces: number[] = []): Promise<void> {
    let at = 0;
    for (const n of pieces) {
      this.post!.write(b64.slice(at, at + n));
      at += n;
      // Separate TCP segments: the server must not rely on a request arriving whole.
      await new Promise((r) => setTimeout(r, 5));
    }
    if (at < b64.length) this.post!.write(b64.slice(at));
  }

  requestText(method: string, url: string, headers: Record<string, string> = {}): string {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    return lines.join('\r\n') + '\r\n\r\n';
  }

  /** One request, base64 encoded on its own (as ffmpeg does), answered on the GET. */
  async request(method: string, url: string, headers: Record<string, string> = {}): Promise<RtspResponse> {
    const p = this.next();
    await this.sendBase64(Buffer.from(this.requestText(method, url, headers)).toString('base64'));
    return p;
  }

  next(timeoutMs = 20_000): Promise<RtspResponse> {
    const ready = this.responses.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no RTSP response on the tunnel GET in time')), timeoutMs);
      this.waiting.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  rtpOn(channel: number): RtpPacket[] {
    return this.frames.filter((f) => f.channel === channel).map((f) => parseRtpPacket(f.data));
  }

  close(): void {
    this.post?.destroy();
    this.get.destroy();
  }

  private feed(c: Buffer): void {
    for (const item of this.parser.push(new Uint8Array(c))) {
      if (item.type === 'response') {
        const w = this.waiting.shift();
        if (w) w(item.message);
        else this.responses.push(item.message);
      } else if (item.type === 'interleaved') {
        this.frames.push({ channel: item.channel, data: item.data.slice(), at: performance.now() });
      }
    }
  }
}
