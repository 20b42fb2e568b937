// A raw-socket RTSP client for tests: sends requests as text, reads responses and interleaved frames.
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { RtspParser } from '../../server/rtsp/parser.js';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { parseRtpPacket, type RtpPacket } from '../../server/rtp/packet.js';

export interface Interleaved {
  channel: number;
  data: Uint8Array;
  at: number;
}

export class RawRtspClient {
  private readonly parser = new RtspParser();
  private readonly waiting: ((r: RtspResponse) => void)[] = [];
  /** How many interleaved frames came before each response on the connection (see framesBefore). */
  private readonly framesAt = new WeakMap<RtspResponse, number>();
  readonly responses: RtspResponse[] = [];
  readonly frames: Interleaved[] = [];
  readonly text: string[] = [];
  cseq = 0;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk) => {
      this.text.push(chunk.toString('latin1'));
      for (const item of this.parser.push(chunk)) {
        if (item.type === 'response') {
          this.framesAt.set(item.message, this.frames.length);
          const w = this.waiting.shift();
          if (w) w(item.message);
          else this.responses.push(item.message);
        } else if (item.type === 'interleaved') {
          this.frames.push({ channel: item.channel, data: item.data, at: performance.now() });
        }
      }
    });
    socket.on('close', () => (this.closed = true));
    socket.on('error', () => (this.closed = true));
  }

  /** A client over a socket already connected (e.g. bound to a second loopback address). */
  static over(socket: Socket): RawRtspClient {
    return new RawRtspClient(socket);
  }

  /** `localAddress` 127.0.0.2 makes a second client address on loopback. */
  static open(port: number, host = '127.0.0.1', localAddress?: string): Promise<RawRtspClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, ...(localAddress ? { localAddress } : {}) }, () => resolve(new RawRtspClient(s)));
      s.once('error', reject);
    });
  }

  /** Over TLS (RTSPS), the server's certificate not verified (the tests' is self-signed). */
  static openTls(port: number, host = '127.0.0.1'): Promise<RawRtspClient> {
    return new Promise((resolve, reject) => {
      const s = connectTls({ port, host, rejectUnauthorized: false }, () => resolve(new RawRtspClient(s)));
      s.once('error', reject);
    });
  }

  /** Writes raw text and waits for the next response. */
  raw(text: string | Uint8Array, timeoutMs = 20_000): Promise<RtspResponse> {
    const p = this.next(timeoutMs);
    this.socket.write(text);
    return p;
  }

  next(timeoutMs = 20_000): Promise<RtspResponse> {
    const ready = this.responses.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no RTSP response in time')), timeoutMs);
      this.waiting.push((r) => {
        clearTimeout(t);
        resolve(r);
      });
    });
  }

  request(method: string, url: string, headers: Record<string, string> = {}, body = ''): Promise<RtspResponse> {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    return this.raw(lines.join('\r\n') + '\r\n\r\n' + body);
  }

  /**
   * The number of interleaved frames that arrived before response `r`. One TCP connection keeps the
   * server's order: frames[0 .. framesBefore(r)) were sent before the answer, the rest after it.
   */
  framesBefore(r: RtspResponse): number {
    const n = this.framesAt.get(r);
    if (n === undefined) throw new Error('not a response read by this client');
    return n;
  }

  /** RTP packets on `channel` among frames[from .. to). */
  rtpOn(channel: number, from = 0, to = this.frames.length): RtpPacket[] {
    return this.frames.slice(from, to).filter((f) => f.channel === channel).map((f) => parseRtpPacket(f.data));
  }

  close(): void {
    this.socket.destroy();
  }
}

export const bodyText = (r: RtspResponse): string => new TextDecoder().decode(r.body);

export interface UdpReceiver {
  rtpPort: number;
  rtcpPort: number;
  rtp: { pkt: RtpPacket; at: number }[];
  rtcp: { data: Uint8Array; at: number }[];
  rtcpSocket: UdpSocket;
  close(): void;
}

/** Binds an even/odd UDP pair on loopback and records what arrives. */
export async function udpReceiver(): Promise<UdpReceiver> {
  for (let i = 0; i < 50; i++) {
    const base = 30000 + 2 * Math.floor(Math.random() * 15000);
    const a = createSocket('udp4');
    const b = createSocket('udp4');
    try {
      await new Promise<void>((res, rej) => { a.once('error', rej); a.bind(base, '127.0.0.1', () => res()); });
      await new Promise<void>((res, rej) => { b.once('error', rej); b.bind(base + 1, '127.0.0.1', () => res()); });
    } catch {
      a.close();
      try { b.close(); } catch { /* not bound */ }
      continue;
    }
    const r: UdpReceiver = {
      rtpPort: base,
      rtcpPort: base + 1,
      rtp: [],
      rtcp: [],
      rtcpSocket: b,
      close: () => { a.close(); b.close(); },
    };
    // 4 MB: more than any test reads, so a test process busy elsewhere reads late but loses nothing.
    a.setRecvBufferSize(4 * 1024 * 1024);
    b.setRecvBufferSize(1024 * 1024);
    a.on('message', (m) => r.rtp.push({ pkt: parseRtpPacket(new Uint8Array(m)), at: performance.now() }));
    b.on('message', (m) => r.rtcp.push({ data: new Uint8Array(m), at: performance.now() }));
    return r;
  }
  throw new Error('no free UDP port pair');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
