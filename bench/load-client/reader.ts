// One RTSP reader of the load client: OPTIONS, DESCRIBE, SETUP per track, PLAY, then it counts RTP
// per SSRC (received, extended-seq span, gaps) until TEARDOWN.
import type { Socket as UdpSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import { formatKeyMgmt } from '../../server/rtsp/headers/key-mgmt.js';
import { srtpMikey } from '../../server/rtsp/mikey/srtp-policy.js';
import { RtspParser } from '../../server/rtsp/parser.js';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { parseRtpInfo, type RtpInfoEntry } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { isRtcpPacket, parseRtpPacket } from '../../server/rtp/packet.js';
import type { LoadOptions, ReaderResult, SsrcStat } from './types.js';
import type { UdpPairAllocator } from './udp.js';
import type { NativePair, UdpSink } from './native-sink.js';


interface TrackState {
  control: string;
  url: string;
  /** RTP clock rate from the SDP rtpmap (0 if absent): for the real-time factor. */
  clock: number;
  /** The rtpmap names H264: its packets are checked for the first key frame. */
  h264: boolean;
  /** First SSRC only: first timestamp, highest timestamp offset from it, first/last arrival (ms). */
  firstTs: number;
  maxTsOffset: number;
  firstAt: number;
  lastAt: number;
  rtpInfo?: RtpInfoEntry;
  ssrcs: Map<number, SsrcStat>;
  /** The SSRC of the first packet, checked against RTP-Info. */
  first?: SsrcStat;
  rtcpPackets: number;
  udp?: { rtp: UdpSocket; rtcp: UdpSocket; rtpPort: number };
  /** The native receive path's sockets (native-sink.ts): counted there, read back at stop. */
  native?: NativePair;
}

function resolveControl(base: string, control: string): string {
  if (/^rtsp:\/\//i.test(control)) return control;
  if (control === '*' || control === '') return base;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}

/** Per media section: its a=control (session-level control is ignored: we use Content-Base), RTP clock rate and whether it is H.264. */
function sdpMedia(sdp: string): { control: string; clock: number; h264: boolean }[] {
  const out: { control: string; clock: number; h264: boolean }[] = [];
  let current: { control: string; clock: number; h264: boolean } | undefined;
  for (const raw of sdp.split(/\r?\n/)) {
    if (raw.startsWith('m=')) {
      current = { control: '', clock: 0, h264: false };
      out.push(current);
    } else if (current && raw.startsWith('a=control:')) {
      current.control = raw.slice('a=control:'.length).trim();
    } else if (current && raw.startsWith('a=rtpmap:')) {
      const m = /^a=rtpmap:\d+\s+([^/]+)\/(\d+)/.exec(raw);
      if (m) {
        current.clock = Number(m[2]);
        current.h264 = m[1]!.toUpperCase() === 'H264';
      }
    }
  }
  return out;
}

/** A KeyMgmt header with a fresh SRTP key of the reader's own (MIKEY, RFC 3830). */
function clientKeyMgmt(url: string): string {
  const message = srtpMikey({ key: new Uint8Array(randomBytes(30)), ssrcs: [] }, 0n, new Uint8Array(randomBytes(16)), randomBytes(4).readUInt32BE(0));
  return formatKeyMgmt({ uri: url, message });
}

export class Reader {
  private socket: Socket | undefined;
  private readonly parser = new RtspParser({ maxBodyBytes: 1 << 20 });
  private readonly pending = new Map<number, { resolve: (r: RtspResponse) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private cseq = 0;
  private sessionId: string | undefined;
  private readonly tracks: TrackState[] = [];
  /** RTP on interleaved channel 2i belongs to tracks[i]. */
  private counting = false;
  private playSentAt = 0;
  private firstRtpAt = 0;
  private firstKeyAt = 0;
  private connectAt = 0;
  /** The stream URL: the one given, or where a DESCRIBE's 302 sent the reader (tidecast serve --workers, a front). */
  private url = '';
  result: ReaderResult;

  constructor(
    readonly index: number,
    private readonly opts: LoadOptions,
    private readonly ports: UdpPairAllocator,
    private readonly counter: { packets: number },
    /** UDP readers receive through it when given (otherwise with dgram). */
    private readonly sink?: UdpSink,
  ) {
    this.result = { index, ok: false, received: 0, expected: 0, lost: 0, gaps: 0, rtpInfoMismatches: 0, rtpInfoNoSeq: 0, silentTracks: 0, ssrcs: 0 };
  }

  async start(): Promise<void> {
    this.url = this.opts.url;
    this.connectAt = performance.now();
    let desc: RtspResponse | undefined;
    for (let hops = 0; !desc; hops++) {
      await this.connect();
      await this.request('OPTIONS', this.url);
      const r = await this.request('DESCRIBE', this.url, { Accept: 'application/sdp' });
      const location = r.status === 302 ? r.headers.get('Location') : undefined;
      if (!location) desc = r;
      else if (hops >= 3) throw new Error(`DESCRIBE: more than 3 redirects (last to ${location})`);
      else {
        this.socket!.destroy();
        this.url = location;
        this.result.redirectedTo = location;
      }
    }
    const secure = this.url.startsWith('rtsps:');
    const base = desc.headers.get('Content-Base') ?? desc.headers.get('Content-Location') ?? this.url;
    const sdp = new TextDecoder().decode(desc.body);
    const media = sdpMedia(sdp);
    if (media.length === 0) throw new Error('DESCRIBE: the SDP has no media');
    for (const { control, clock, h264 } of media) {
      this.tracks.push({ control, url: resolveControl(base, control), clock, h264, firstTs: 0, maxTsOffset: 0, firstAt: 0, lastAt: 0, ssrcs: new Map(), rtcpPackets: 0 });
    }
    for (let i = 0; i < this.tracks.length; i++) {
      const t = this.tracks[i]!;
      let transport: string;
      if (this.opts.transport === 'udp' && this.sink) {
        t.native = this.ports.takeNative(this.sink, t.h264);
        transport = `RTP/AVP;unicast;client_port=${t.native.rtpPort}-${t.native.rtpPort + 1}`;
      } else if (this.opts.transport === 'udp') {
        t.udp = await this.ports.take();
        transport = `RTP/AVP;unicast;client_port=${t.udp.rtpPort}-${t.udp.rtpPort + 1}`;
        t.udp.rtp.on('message', (m: Buffer) => this.onRtp(t, m));
        t.udp.rtcp.on('message', () => t.rtcpPackets++);
      } else {
        transport = `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`;
      }
      const headers: Record<string, string> = { Transport: transport };
      // Over RTSPS, UDP is SRTP: RTP/SAVP with our key for the SRTCP we would send (RFC 4567).
      // The counters read only RTP headers, which SRTP leaves in the clear.
      if (secure && this.opts.transport === 'udp') {
        headers.Transport = transport.replace('RTP/AVP;', 'RTP/SAVP;');
        headers.KeyMgmt = clientKeyMgmt(t.url);
      }
      if (this.sessionId) headers.Session = this.sessionId;
      const res = await this.request('SETUP', t.url, headers);
      const sess = res.headers.get('Session');
      if (!sess) throw new Error('SETUP: no Session header');
      this.sessionId ??= parseSession(sess).id;
      const tr = res.headers.get('Transport');
      if (tr && this.opts.transport === 'tcp') {
        const ch = parseTransport(tr)[0]?.interleaved;
        if (ch && ch[0] !== 2 * i) throw new Error(`SETUP: server moved interleaved channels to ${ch[0]}-${ch[1]}`);
      }
    }
    this.counting = true;
    this.setNative(true);
    this.playSentAt = performance.now();
    const playHeaders: Record<string, string> = { Session: this.sessionId! };
    if (this.opts.range !== null) playHeaders.Range = this.opts.range;
    const play = await this.request('PLAY', this.url, playHeaders);
    const now = performance.now();
    this.result.playRttMs = now - this.playSentAt;
    this.result.setupMs = now - this.connectAt;
    const info = play.headers.get('RTP-Info');
    if (info) {
      for (const e of parseRtpInfo(info)) {
        const t = this.tracks.find((x) => x.url === e.url || e.url.endsWith(`/${x.control}`) || e.url === x.control);
        if (t) t.rtpInfo = e;
      }
    }
    this.result.ok = true;
  }

  async stop(): Promise<boolean> {
    this.counting = false;
    this.setNative(false);
    let ok = false;
    if (this.socket && !this.socket.destroyed && this.sessionId) {
      try {
        // Generous: gst-rtsp-server tears pipelines down one by one in its main loop.
        await this.request('TEARDOWN', this.url, { Session: this.sessionId }, 10000);
        ok = true;
      } catch {
        /* counted as a failed teardown */
      }
    }
    this.socket?.destroy();
    for (const t of this.tracks) {
      t.udp?.rtp.close();
      t.udp?.rtcp.close();
    }
    this.readNative();
    this.finish();
    return ok;
  }

  destroy(): void {
    this.counting = false;
    this.setNative(false);
    this.socket?.destroy();
    for (const t of this.tracks) {
      t.udp?.rtp.close();
      t.udp?.rtcp.close();
    }
  }

  /** Native sockets: counting on/off with `counting` (they are closed when the sink stops). */
  private setNative(on: boolean): void {
    for (const t of this.tracks) if (t.native) this.sink!.enable(t.native, on);
  }

  /** Native sockets: what onRtp would have counted, from the sink's shared counters. */
  private readNative(): void {
    for (const t of this.tracks) {
      if (!t.native) continue;
      const n = this.sink!.read(t.native);
      for (const s of n.ssrcs) t.ssrcs.set(s.ssrc, s);
      t.first = n.ssrcs[0];
      Object.assign(t, { firstTs: n.firstTs, maxTsOffset: n.maxTsOffset, firstAt: n.firstAt, lastAt: n.lastAt, rtcpPackets: n.rtcpPackets });
      if (n.firstAt > 0 && (this.firstRtpAt === 0 || n.firstAt < this.firstRtpAt)) this.firstRtpAt = n.firstAt;
      if (n.keyAt > 0 && (this.firstKeyAt === 0 || n.keyAt < this.firstKeyAt)) this.firstKeyAt = n.keyAt;
      if (n.overflowPackets > 0) this.result.ssrcOverflowPackets = (this.result.ssrcOverflowPackets ?? 0) + n.overflowPackets;
    }
  }

  private finish(): void {
    const r = this.result;
    if (this.firstRtpAt > 0) r.firstRtpMs = this.firstRtpAt - this.playSentAt;
    if (this.firstKeyAt > 0) r.firstKeyMs = this.firstKeyAt - this.playSentAt;
    const problems: string[] = [];
    for (const t of this.tracks) {
      if (t.ssrcs.size === 0) {
        r.silentTracks++;
        continue;
      }
      for (const s of t.ssrcs.values()) {
        const expected = s.maxExt - s.minExt + 1;
        r.received += s.received;
        r.expected += expected;
        r.lost += Math.max(0, expected - s.received);
        r.gaps += s.gaps;
        r.ssrcs++;
      }
      const want = t.rtpInfo?.seq;
      if (want === undefined || t.first === undefined || t.first.firstSeq !== want) {
        r.rtpInfoMismatches++;
        if (want === undefined) r.rtpInfoNoSeq++;
        problems.push(`${t.control}: RTP-Info seq=${want ?? 'none'}, first packet seq=${t.first?.firstSeq ?? 'none'}`);
      }
    }
    if (problems.length > 0) r.rtpInfoDetail = problems.join('; ');
    for (const t of this.tracks) {
      const wall = (t.lastAt - t.firstAt) / 1000;
      if (t.clock > 0 && wall > 1) {
        const f = t.maxTsOffset / t.clock / wall;
        r.realtime = r.realtime === undefined ? f : Math.min(r.realtime, f);
      }
    }
  }

  private onData(chunk: Buffer): void {
    for (const item of this.parser.push(chunk)) {
      if (item.type === 'interleaved') {
        const t = this.tracks[item.channel >> 1];
        if (!t) continue;
        if (item.channel & 1 || isRtcpPacket(item.data)) t.rtcpPackets++;
        else this.onRtp(t, item.data);
      } else if (item.type === 'response') {
        const cseq = Number(item.message.headers.get('CSeq'));
        const p = this.pending.get(cseq);
        if (p) {
          this.pending.delete(cseq);
          clearTimeout(p.timer);
          p.resolve(item.message);
        }
      } else if (item.type === 'error') {
        this.socket?.destroy(new Error(`RTSP framing lost: ${item.error.message}`));
      }
    }
  }

  private onRtp(t: TrackState, b: Uint8Array): void {
    if (!this.counting || b.length < 12 || b[0]! >>> 6 !== 2) return;
    const seq = (b[2]! << 8) | b[3]!;
    const ssrc = ((b[8]! << 24) | (b[9]! << 16) | (b[10]! << 8) | b[11]!) >>> 0;
    this.counter.packets++;
    if (t.h264 && this.firstKeyAt === 0 && startsKeyFrame(b)) this.firstKeyAt = performance.now();
    let s = t.ssrcs.get(ssrc);
    if (!s) {
      parseRtpPacket(b); // validates the whole header once per SSRC; throws on garbage
      if (this.firstRtpAt === 0) this.firstRtpAt = performance.now();
      s = { ssrc, received: 1, firstSeq: seq, minExt: seq, maxExt: seq, lastExt: seq, gaps: 0 };
      t.ssrcs.set(ssrc, s);
      if (!t.first) {
        t.first = s;
        t.firstTs = ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
        t.firstAt = t.lastAt = performance.now();
      }
      return;
    }
    s.received++;
    if (s === t.first) {
      // Highest pts offset, not the last: with B-frames timestamps are not monotonic.
      const off = ((((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0) - t.firstTs) >>> 0;
      if (off < 0x80000000 && off > t.maxTsOffset) t.maxTsOffset = off;
      t.lastAt = performance.now();
    }
    // Unwrap against the highest seen so far (RFC 3550 App. A.1 style): forward if within half the space.
    const delta = (seq - (s.maxExt & 0xffff)) & 0xffff;
    const ext = delta < 0x8000 ? s.maxExt + delta : s.maxExt - (0x10000 - delta);
    if (ext !== s.lastExt + 1) s.gaps++;
    s.lastExt = ext;
    if (ext > s.maxExt) s.maxExt = ext;
    if (ext < s.minExt) s.minExt = ext;
  }

  private async connect(): Promise<void> {
    const u = new URL(this.url);
    const secure = u.protocol === 'rtsps:';
    const socket = await new Promise<Socket>((resolve, reject) => {
      // rtsps://: TLS, the server's (bench, self-signed) certificate not verified.
      const s = secure
        ? connectTls({ port: Number(u.port || 322), host: u.hostname, rejectUnauthorized: false }, () => resolve(s))
        : connect(Number(u.port || 554), u.hostname, () => resolve(s));
      s.once('error', reject);
    });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (this.socket === socket) this.onData(chunk);
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      // A socket left after a redirect closes late: the requests pending are the next socket's.
      if (this.socket !== socket) return;
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('connection closed'));
      }
      this.pending.clear();
    });
  }

  private request(method: string, url: string, headers: Record<string, string> = {}, timeoutMs = this.opts.requestTimeoutMs): Promise<RtspResponse> {
    const cseq = ++this.cseq;
    const lines = [`${method} ${url} RTSP/1.0`, `CSeq: ${cseq}`, 'User-Agent: tidecast-bench'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    const socket = this.socket!;
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(cseq);
        reject(new Error(`${method}: no response in ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(cseq, {
        resolve: (r) => {
          if (r.status >= 300 && !(r.status === 302 && method === 'DESCRIBE')) reject(new Error(`${method}: ${r.status} ${r.reason}`));
          else resolve(r);
        },
        reject,
        timer,
      });
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
  }
}

/**
 * Whether an H.264 RTP packet (RFC 6184) starts a key frame: an IDR slice, SPS or PPS as a single
 * NAL unit, the first fragment (FU-A with S set) of an IDR slice, or a STAP-A holding any of them.
 */
export function startsKeyFrame(b: Uint8Array): boolean {
  const cc = b[0]! & 0x0f;
  let off = 12 + 4 * cc;
  if (b[0]! & 0x10) {
    if (b.length < off + 4) return false;
    off += 4 + 4 * ((b[off + 2]! << 8) | b[off + 3]!);
  }
  if (off >= b.length) return false;
  const type = b[off]! & 0x1f;
  const key = (t: number): boolean => t === 5 || t === 7 || t === 8;
  if (type === 28) return off + 1 < b.length && (b[off + 1]! & 0x80) !== 0 && (b[off + 1]! & 0x1f) === 5;
  if (type === 24) {
    for (let p = off + 1; p + 2 < b.length; ) {
      const size = (b[p]! << 8) | b[p + 1]!;
      if (size > 0 && key(b[p + 2]! & 0x1f)) return true;
      p += 2 + size;
    }
    return false;
  }
  return key(type);
}
