// A scriptable fake RTSP server for the relay client's tests: auth challenges, redirects, silence, keepalive, refused UDP.

import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { RtspHeaders } from '../../../server/rtsp/headers-map.js';
import { encodeInterleaved, serializeResponse, type RtspRequest } from '../../../server/rtsp/message.js';
import { RtspParser } from '../../../server/rtsp/parser.js';
import { buildRtpPacket } from '../../../server/rtp/packet.js';

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

interface FakeOptions {
  auth?: { scheme: 'Basic' | 'Digest'; qop: boolean; user: string; pass: string };
  /** Answers a request itself; undefined falls through to the defaults. */
  handle?: (req: RtspRequest) => Reply | undefined;
  sessionTimeout?: number;
  public?: string;
  refuseUdp?: boolean;
  /** After PLAY: 5 packets at once, then, when set, one packet every so many ms. */
  rtpEveryMs?: number;
}

/** `name=value` pairs of an Authorization header, read with a regex, independently of the code under test. */
export function params(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) out[m[1]!] = m[2] ?? m[3]!;
  return out;
}

export class FakeRtsp {
  readonly requests: RtspRequest[] = [];
  readonly authFailures: string[] = [];
  readonly realm = 'tidecast-test';
  private readonly nonce = randomBytes(8).toString('hex');
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<ReturnType<typeof setInterval>>();

  private constructor(private readonly server: Server, readonly port: number, private readonly opts: FakeOptions) {}

  static async start(opts: FakeOptions = {}): Promise<FakeRtsp> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const fake = new FakeRtsp(server, (server.address() as { port: number }).port, opts);
    server.on('connection', (s) => fake.serve(s));
    return fake;
  }

  url(path: string): string {
    return `rtsp://127.0.0.1:${this.port}/${path}`;
  }

  dropClients(): void {
    for (const s of this.sockets) s.destroy();
  }

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.dropClients();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private serve(sock: Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => {});
    const parser = new RtspParser();
    sock.on('data', (chunk) => {
      for (const item of parser.push(chunk)) {
        if (item.type !== 'request') continue;
        const req = item.message;
        this.requests.push(req);
        const reply = this.answer(req);
        const headers = new RtspHeaders({ CSeq: req.headers.get('CSeq') ?? '0', ...reply.headers });
        const body = new TextEncoder().encode(reply.body ?? '');
        sock.write(serializeResponse({ version: 'RTSP/1.0', status: reply.status, reason: reply.status === 200 ? 'OK' : reply.status === 401 ? 'Unauthorized' : 'Other', headers, body }));
        if (req.method === 'PLAY' && reply.status === 200) this.sendRtp(sock);
      }
    });
  }

  private sendRtp(sock: Socket): void {
    let seq = 1000;
    const one = () => sock.write(encodeInterleaved(0, buildRtpPacket({ payloadType: 96, marker: true, sequenceNumber: seq++, timestamp: seq * 3000, ssrc: 0x1234 }, new Uint8Array([0x65, 1, 2, 3]))));
    for (let i = 0; i < 5; i++) one();
    if (this.opts.rtpEveryMs !== undefined) {
      const t = setInterval(() => (sock.destroyed ? clearInterval(t) : one()), this.opts.rtpEveryMs);
      this.timers.add(t);
    }
  }

  private answer(req: RtspRequest): Reply {
    const denied = this.checkAuth(req);
    if (denied) return denied;
    const custom = this.opts.handle?.(req);
    if (custom) return custom;
    const session = { Session: `fakesession;timeout=${this.opts.sessionTimeout ?? 60}` };
    switch (req.method) {
      case 'OPTIONS':
        return { status: 200, headers: { Public: this.opts.public ?? 'OPTIONS, DESCRIBE, SETUP, PLAY, GET_PARAMETER, TEARDOWN' } };
      case 'DESCRIBE':
        return {
          status: 200,
          headers: { 'Content-Type': 'application/sdp', 'Content-Base': `${req.uri}/` },
          body: 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=fake\r\nt=0 0\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n',
        };
      case 'SETUP': {
        const t = req.headers.get('Transport') ?? '';
        if (!t.startsWith('RTP/AVP/TCP')) {
          if (this.opts.refuseUdp) return { status: 461 };
          return { status: 200, headers: { Transport: `${t};server_port=9000-9001`, ...session } };
        }
        return { status: 200, headers: { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', ...session } };
      }
      case 'PLAY':
        return { status: 200, headers: { 'RTP-Info': `url=${req.uri}trackID=0;seq=1000;rtptime=3003000`, ...session } };
      default:
        return { status: 200, headers: session };
    }
  }

  /** Undefined when the request may pass; the 401 otherwise. The digest is recomputed here with node:crypto. */
  private checkAuth(req: RtspRequest): Reply | undefined {
    const a = this.opts.auth;
    if (!a) return undefined;
    const challenge: Reply = {
      status: 401,
      headers: {
        'WWW-Authenticate': a.scheme === 'Basic'
          ? `Basic realm="${this.realm}"`
          : `Digest realm="${this.realm}", nonce="${this.nonce}"${a.qop ? ', qop="auth"' : ''}, opaque="op4que"`,
      },
    };
    const got = req.headers.get('Authorization');
    if (got === undefined) return challenge;
    const fail = (why: string): Reply => {
      this.authFailures.push(`${req.method}: ${why}`);
      return challenge;
    };
    if (a.scheme === 'Basic') {
      return got === `Basic ${Buffer.from(`${a.user}:${a.pass}`).toString('base64')}` ? undefined : fail(`bad Basic ${got}`);
    }
    const p = params(got);
    if (p['uri'] !== req.uri) return fail(`uri ${p['uri']} is not the request URI ${req.uri}`);
    if (p['username'] !== a.user || p['realm'] !== this.realm || p['nonce'] !== this.nonce || p['opaque'] !== 'op4que') return fail(`fields ${got}`);
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    const ha1 = md5(`${a.user}:${this.realm}:${a.pass}`);
    const ha2 = md5(`${req.method}:${req.uri}`);
    const want = a.qop ? md5(`${ha1}:${this.nonce}:${p['nc']}:${p['cnonce']}:auth:${ha2}`) : md5(`${ha1}:${this.nonce}:${ha2}`);
    if (a.qop && p['qop'] !== 'auth') return fail('qop missing');
    if (p['response'] !== want) {
      // A wrong password is expected in one test; not counted as a client bug there.
      if (a.pass === 'p') return challenge;
      return fail(`response ${p['response']} != ${want}`);
    }
    return undefined;
  }
}
