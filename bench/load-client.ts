// Load client for the on-demand benchmark: N concurrent RTSP readers over UDP or TCP, counting RTP per reader.
//
// One Node process drives every reader (bench/run.ts samples this process's CPU to show it is not
// the bottleneck). Each reader: OPTIONS, DESCRIBE, SETUP per track, PLAY, then it counts RTP per
// SSRC and sequence gaps until every reader has played `playSeconds`, then TEARDOWN.
//
//   node --import tsx bench/load-client.ts --url rtsp://127.0.0.1:8554/sample.mp4 --n 50 --transport udp
//
// stdout: one JSON line per event ({"event":"all-playing"}, {"event":"stopping"}) and a final
// {"event":"result", ...}; progress and errors go to stderr.
import { connect, type Socket } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { RtspParser } from '../server/rtsp/parser.js';
import type { RtspResponse } from '../server/rtsp/message.js';
import { parseRtpInfo, type RtpInfoEntry } from '../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../server/rtsp/headers/session.js';
import { parseTransport } from '../server/rtsp/headers/transport.js';
import { isRtcpPacket, parseRtpPacket } from '../server/rtp/packet.js';

export type LowerTransport = 'udp' | 'tcp';

export interface LoadOptions {
  url: string;
  n: number;
  transport: LowerTransport;
  /** Seconds of playing once the last reader is playing; then every reader sends TEARDOWN. */
  playSeconds: number;
  /** Ramp: `rampBatch` new readers every `rampStepMs`. */
  rampBatch: number;
  rampStepMs: number;
  /** First client UDP port tried (even); pairs are taken upwards, skipping ports in use. */
  udpPortBase: number;
  /** Per request; a reader whose handshake exceeds it counts as failed. */
  requestTimeoutMs: number;
}

export const DEFAULT_LOAD_OPTIONS: Omit<LoadOptions, 'url' | 'n' | 'transport'> = {
  playSeconds: 15,
  rampBatch: 10,
  rampStepMs: 100,
  udpPortBase: 20000,
  requestTimeoutMs: 10000,
};

/** Per SSRC seen on one track: received count and the extended-seq span, for loss = expected - received. */
interface SsrcStat {
  ssrc: number;
  received: number;
  firstSeq: number;
  /** Extended (unwrapped) sequence numbers, relative to firstSeq's cycle. */
  minExt: number;
  maxExt: number;
  /** Discontinuities: a packet whose seq is not last + 1. */
  gaps: number;
  lastExt: number;
}

interface TrackState {
  control: string;
  url: string;
  /** RTP clock rate from the SDP rtpmap (0 if absent): for the real-time factor. */
  clock: number;
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
}

export interface ReaderResult {
  index: number;
  ok: boolean;
  error?: string;
  /** First RTP packet (any track) arrival minus PLAY request sent, ms. */
  firstRtpMs?: number;
  /** PLAY request sent to its response, ms. */
  playRttMs?: number;
  /** Connect to PLAY response, ms. */
  setupMs?: number;
  received: number;
  expected: number;
  lost: number;
  gaps: number;
  /** Tracks whose first packet's seq differed from RTP-Info seq (or had no RTP-Info seq). */
  rtpInfoMismatches: number;
  rtpInfoDetail?: string;
  /** Tracks that received no RTP at all. */
  silentTracks: number;
  /** SSRC count across tracks: more than tracks means a stream restarted mid-session. */
  ssrcs: number;
  /**
   * Media seconds received per wall second, lowest over the tracks (RTP timestamp span / arrival
   * span): about 1 when the server keeps real time, below 1 when it falls behind.
   */
  realtime?: number;
}

export interface LoadResult {
  transport: LowerTransport;
  n: number;
  started: number;
  playing: number;
  failed: number;
  errors: Record<string, number>;
  /** Wall seconds from the last PLAY response to TEARDOWN. */
  steadySeconds: number;
  received: number;
  expected: number;
  lost: number;
  lossPct: number;
  gaps: number;
  rtpInfoMismatches: number;
  rtpInfoExamples: string[];
  silentTracks: number;
  firstRtpMs: { p50: number; p95: number; max: number; count: number };
  /** Readers' real-time factors (see ReaderResult.realtime): median and the slowest reader. */
  realtime: { p50: number; min: number };
  setupMs: { p50: number; p95: number; max: number };
  /** RTP packets/s received by the whole client during the steady period. */
  packetsPerSecond: number;
  /** This process: CPU % of one core over the steady period, and event-loop lateness (ms past due). */
  clientCpuPct: number;
  clientLoopDelayMs: { p50: number; p99: number; max: number };
  teardownOk: number;
  /** UDP only: datagrams the kernel dropped on this client's sockets (receive buffer full) up to TEARDOWN. */
  clientUdpDrops: number;
  readers: ReaderResult[];
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const idx = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[idx]!;
}

const LOOP_RES_MS = 10;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Port allocator shared by all readers of one run: even RTP port, RTCP on the next one (RFC 3550 §11). */
class UdpPairAllocator {
  private next: number;
  readonly ports = new Set<number>();
  constructor(base: number) {
    this.next = base % 2 === 0 ? base : base + 1;
  }

  async take(): Promise<{ rtp: UdpSocket; rtcp: UdpSocket; rtpPort: number }> {
    for (let tries = 0; tries < 2000; tries++) {
      const port = this.next;
      this.next += 2;
      if (port + 1 > 65535) break;
      const rtp = await bindUdp(port);
      if (!rtp) continue;
      const rtcp = await bindUdp(port + 1);
      if (!rtcp) {
        rtp.close();
        continue;
      }
      this.ports.add(port).add(port + 1);
      return { rtp, rtcp, rtpPort: port };
    }
    throw new Error('no free even/odd UDP port pair');
  }
}

function bindUdp(port: number): Promise<UdpSocket | undefined> {
  return new Promise((resolve) => {
    const s = createSocket({ type: 'udp4', reuseAddr: false });
    s.once('error', () => {
      s.close();
      resolve(undefined);
    });
    s.bind(port, '127.0.0.1', () => {
      s.removeAllListeners('error');
      s.on('error', () => {});
      try {
        // Room for a few hundred ms of a reader's packets if this process stalls (capped by rmem_max).
        s.setRecvBufferSize(512 * 1024);
      } catch {
        /* the kernel's cap applies */
      }
      resolve(s);
    });
  });
}

/**
 * Datagrams the kernel dropped on our own sockets because their receive buffer was full, from the
 * per-socket `drops` column of /proc/net/udp: loss that happened in this client, not the server.
 */
export function udpSocketDrops(ports: Set<number>): { drops: number; queuedBytes: number } {
  let drops = 0;
  let queuedBytes = 0;
  try {
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 13) continue;
      const port = parseInt(f[1]!.split(':')[1]!, 16);
      if (!ports.has(port)) continue;
      queuedBytes += parseInt(f[4]!.split(':')[1]!, 16);
      drops += Number(f[12]);
    }
  } catch {
    return { drops: NaN, queuedBytes: NaN };
  }
  return { drops, queuedBytes };
}

function resolveControl(base: string, control: string): string {
  if (/^rtsp:\/\//i.test(control)) return control;
  if (control === '*' || control === '') return base;
  return base.endsWith('/') ? base + control : `${base}/${control}`;
}

/** Per media section: its a=control (session-level control is ignored: we use Content-Base) and RTP clock rate. */
function sdpMedia(sdp: string): { control: string; clock: number }[] {
  const out: { control: string; clock: number }[] = [];
  let current: { control: string; clock: number } | undefined;
  for (const raw of sdp.split(/\r?\n/)) {
    if (raw.startsWith('m=')) {
      current = { control: '', clock: 0 };
      out.push(current);
    } else if (current && raw.startsWith('a=control:')) {
      current.control = raw.slice('a=control:'.length).trim();
    } else if (current && raw.startsWith('a=rtpmap:')) {
      const m = /^a=rtpmap:\d+\s+[^/]+\/(\d+)/.exec(raw);
      if (m) current.clock = Number(m[1]);
    }
  }
  return out;
}

class Reader {
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
  private connectAt = 0;
  result: ReaderResult;

  constructor(
    readonly index: number,
    private readonly opts: LoadOptions,
    private readonly ports: UdpPairAllocator,
    private readonly counter: { packets: number },
  ) {
    this.result = { index, ok: false, received: 0, expected: 0, lost: 0, gaps: 0, rtpInfoMismatches: 0, silentTracks: 0, ssrcs: 0 };
  }

  async start(): Promise<void> {
    const u = new URL(this.opts.url);
    this.connectAt = performance.now();
    this.socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(Number(u.port || 554), u.hostname, () => resolve(s));
      s.once('error', reject);
    });
    this.socket.setNoDelay(true);
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      for (const [, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('connection closed'));
      }
      this.pending.clear();
    });

    await this.request('OPTIONS', this.opts.url);
    const desc = await this.request('DESCRIBE', this.opts.url, { Accept: 'application/sdp' });
    const base = desc.headers.get('Content-Base') ?? desc.headers.get('Content-Location') ?? this.opts.url;
    const sdp = new TextDecoder().decode(desc.body);
    const media = sdpMedia(sdp);
    if (media.length === 0) throw new Error('DESCRIBE: the SDP has no media');
    for (const { control, clock } of media) {
      this.tracks.push({ control, url: resolveControl(base, control), clock, firstTs: 0, maxTsOffset: 0, firstAt: 0, lastAt: 0, ssrcs: new Map(), rtcpPackets: 0 });
    }
    for (let i = 0; i < this.tracks.length; i++) {
      const t = this.tracks[i]!;
      let transport: string;
      if (this.opts.transport === 'udp') {
        t.udp = await this.ports.take();
        transport = `RTP/AVP;unicast;client_port=${t.udp.rtpPort}-${t.udp.rtpPort + 1}`;
        t.udp.rtp.on('message', (m: Buffer) => this.onRtp(t, m));
        t.udp.rtcp.on('message', () => t.rtcpPackets++);
      } else {
        transport = `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`;
      }
      const headers: Record<string, string> = { Transport: transport };
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
    this.playSentAt = performance.now();
    const play = await this.request('PLAY', this.opts.url, { Session: this.sessionId!, Range: 'npt=0.000-' });
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
    let ok = false;
    if (this.socket && !this.socket.destroyed && this.sessionId) {
      try {
        // Generous: gst-rtsp-server tears pipelines down one by one in its main loop.
        await this.request('TEARDOWN', this.opts.url, { Session: this.sessionId }, 10000);
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
    this.finish();
    return ok;
  }

  destroy(): void {
    this.counting = false;
    this.socket?.destroy();
    for (const t of this.tracks) {
      t.udp?.rtp.close();
      t.udp?.rtcp.close();
    }
  }

  private finish(): void {
    const r = this.result;
    if (this.firstRtpAt > 0) r.firstRtpMs = this.firstRtpAt - this.playSentAt;
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
          if (r.status >= 300) reject(new Error(`${method}: ${r.status} ${r.reason}`));
          else resolve(r);
        },
        reject,
        timer,
      });
      socket.write(lines.join('\r\n') + '\r\n\r\n');
    });
  }
}

export type LoadEvent = { event: 'all-playing'; playing: number; failed: number } | { event: 'stopping' };

/** Runs one load case end to end. `onEvent` marks the steady window for a CPU sampler. */
export async function runLoad(opts: LoadOptions, onEvent: (e: LoadEvent) => void = () => {}): Promise<LoadResult> {
  const ports = new UdpPairAllocator(opts.udpPortBase);
  const counter = { packets: 0 };
  const readers: Reader[] = [];
  const starts: Promise<void>[] = [];
  const errors: Record<string, number> = {};
  const noteError = (e: unknown): void => {
    // Group by message without numbers so 200 similar errors read as one line.
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\d+/g, 'N');
    errors[msg] = (errors[msg] ?? 0) + 1;
  };

  for (let i = 0; i < opts.n; i++) {
    if (i > 0 && i % opts.rampBatch === 0) await sleep(opts.rampStepMs);
    const r = new Reader(i, opts, ports, counter);
    readers.push(r);
    starts.push(
      r.start().catch((e: unknown) => {
        r.result.ok = false;
        r.result.error = e instanceof Error ? e.message : String(e);
        noteError(e);
        r.destroy();
      }),
    );
  }
  await Promise.all(starts);
  const playing = readers.filter((r) => r.result.ok);
  onEvent({ event: 'all-playing', playing: playing.length, failed: opts.n - playing.length });

  const loop = monitorEventLoopDelay({ resolution: LOOP_RES_MS });
  loop.enable();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const packets0 = counter.packets;
  await sleep(opts.playSeconds * 1000);
  const steadyPackets = counter.packets - packets0;
  const steadyMs = performance.now() - t0;
  const clientUdp = opts.transport === 'udp' ? udpSocketDrops(ports.ports) : { drops: 0, queuedBytes: 0 };
  const cpu = process.cpuUsage(cpu0);
  loop.disable();
  onEvent({ event: 'stopping' });

  // Packets counted up to now (the counters keep running until each reader's TEARDOWN is sent).
  const teardowns = await Promise.all(playing.map((r) => r.stop()));
  const results = readers.map((r) => r.result);
  const ok = results.filter((r) => r.ok);
  const firsts = ok.map((r) => r.firstRtpMs).filter((x): x is number => x !== undefined);
  const realtimes = ok.map((r) => r.realtime).filter((x): x is number => x !== undefined);
  const setups = ok.map((r) => r.setupMs!).filter((x) => x !== undefined);
  const received = ok.reduce((a, r) => a + r.received, 0);
  const expected = ok.reduce((a, r) => a + r.expected, 0);
  const lost = ok.reduce((a, r) => a + r.lost, 0);
  const mismatchExamples = ok.filter((r) => r.rtpInfoDetail).slice(0, 3).map((r) => `reader ${r.index}: ${r.rtpInfoDetail}`);
  return {
    transport: opts.transport,
    n: opts.n,
    started: readers.length,
    playing: playing.length,
    failed: opts.n - playing.length,
    errors,
    steadySeconds: steadyMs / 1000,
    received,
    expected,
    lost,
    lossPct: expected > 0 ? (100 * lost) / expected : NaN,
    gaps: ok.reduce((a, r) => a + r.gaps, 0),
    rtpInfoMismatches: ok.reduce((a, r) => a + r.rtpInfoMismatches, 0),
    rtpInfoExamples: mismatchExamples,
    silentTracks: ok.reduce((a, r) => a + r.silentTracks, 0),
    firstRtpMs: { p50: percentile(firsts, 50), p95: percentile(firsts, 95), max: firsts.length ? Math.max(...firsts) : NaN, count: firsts.length },
    realtime: { p50: percentile(realtimes, 50), min: realtimes.length ? Math.min(...realtimes) : NaN },
    setupMs: { p50: percentile(setups, 50), p95: percentile(setups, 95), max: setups.length ? Math.max(...setups) : NaN },
    packetsPerSecond: steadyPackets / (steadyMs / 1000),
    clientCpuPct: (100 * (cpu.user + cpu.system)) / 1000 / steadyMs,
    // The histogram records the whole timer interval: subtract the resolution to get the lateness.
    clientLoopDelayMs: { p50: loop.percentile(50) / 1e6 - LOOP_RES_MS, p99: loop.percentile(99) / 1e6 - LOOP_RES_MS, max: loop.max / 1e6 - LOOP_RES_MS },
    teardownOk: teardowns.filter(Boolean).length,
    clientUdpDrops: clientUdp.drops,
    readers: results,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      n: { type: 'string', default: '50' },
      transport: { type: 'string', default: 'udp' },
      'play-seconds': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.playSeconds) },
      'ramp-batch': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.rampBatch) },
      'ramp-step-ms': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.rampStepMs) },
      'udp-port-base': { type: 'string', default: String(DEFAULT_LOAD_OPTIONS.udpPortBase) },
      readers: { type: 'boolean', default: false },
    },
  });
  if (!values.url) {
    process.stderr.write('usage: load-client.ts --url rtsp://host:port/path [--n 50] [--transport udp|tcp] [--play-seconds 15] [--readers]\n');
    process.exit(2);
  }
  const transport = values.transport === 'tcp' ? 'tcp' : 'udp';
  const opts: LoadOptions = {
    ...DEFAULT_LOAD_OPTIONS,
    url: values.url,
    n: Number(values.n),
    transport,
    playSeconds: Number(values['play-seconds']),
    rampBatch: Number(values['ramp-batch']),
    rampStepMs: Number(values['ramp-step-ms']),
    udpPortBase: Number(values['udp-port-base']),
  };
  const emit = (o: object): void => {
    process.stdout.write(JSON.stringify(o) + '\n');
  };
  const result = await runLoad(opts, (e) => emit({ ...e, t: Date.now() }));
  if (!values.readers) (result as Partial<LoadResult>).readers = undefined;
  emit({ event: 'result', result });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`load-client: ${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    },
  );
}
