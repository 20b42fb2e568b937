// The soak's RTSP client: a TCP connection from a chosen local address, requests and answers in order, interleaved frames counted, and a UDP port pair for UDP readers.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { RtspParser } from '../../server/rtsp/parser.js';
import type { RtspResponse } from '../../server/rtsp/message.js';

export class SoakRtsp {
  private readonly parser = new RtspParser({ maxBodyBytes: 1 << 20 });
  private readonly waiting: { resolve: (r: RtspResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];
  private cseq = 0;
  frames = 0;
  closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const item of this.parser.push(chunk)) {
        if (item.type === 'interleaved') this.frames++;
        else if (item.type === 'response') {
          const w = this.waiting.shift();
          if (w) {
            clearTimeout(w.timer);
            w.resolve(item.message);
          }
        }
      }
    });
    const gone = (): void => {
      this.closed = true;
      for (const w of this.waiting.splice(0)) {
        clearTimeout(w.timer);
        w.reject(new Error('connection closed'));
      }
    };
    socket.on('close', gone);
    socket.on('error', gone);
  }

  static open(port: number, localAddress = '127.0.0.1'): Promise<SoakRtsp> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1', localAddress }, () => resolve(new SoakRtsp(s)));
      s.once('error', reject);
    });
  }

  request(method: string, url: string, headers: Record<string, string> = {}, body = ''): Promise<RtspResponse> {
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${++this.cseq}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('connection closed'));
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} in 20 s`)), 20_000);
      this.waiting.push({ resolve, reject, timer });
      this.socket.write(`${lines.join('\r\n')}\r\n\r\n${body}`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** An even/odd UDP pair on 127.0.0.1 counting the RTP that arrives (kept for the reader's life). */
export class UdpPair {
  packets = 0;
  private constructor(
    readonly rtpPort: number,
    private readonly sockets: UdpSocket[],
  ) {}

  static async bind(): Promise<UdpPair> {
    for (let i = 0; i < 100; i++) {
      const base = 30000 + 2 * Math.floor(Math.random() * 14000);
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
      const pair = new UdpPair(base, [a, b]);
      a.on('message', () => pair.packets++);
      return pair;
    }
    throw new Error('no free UDP port pair');
  }

  close(): void {
    for (const s of this.sockets) s.close();
  }
}

export const sessionOf = (r: RtspResponse): string | undefined => r.headers.get('Session')?.split(';')[0]?.trim();
