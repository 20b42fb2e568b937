// Load client types and the options shared by the on-demand (bench/run.ts) and live (bench/live.ts) benchmarks.
export { percentile } from '../lib/stats.js';

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
  /** PLAY's Range header; null sends none (a live path: a Range could make a shared gst media seek). */
  range: string | null;
  /**
   * Instead of sleeping `playSeconds` once every reader plays, wait for a `stop` line on stdin: a
   * harness that runs several client processes ends them together.
   */
  waitStop: boolean;
  /** UDP receive path: the native addon (native-sink.ts), dgram, or native when it builds and loads. */
  udpRecv: UdpRecv;
}

export type UdpRecv = 'native' | 'dgram' | 'auto';

export const DEFAULT_LOAD_OPTIONS: Omit<LoadOptions, 'url' | 'n' | 'transport'> = {
  playSeconds: 15,
  rampBatch: 10,
  rampStepMs: 100,
  udpPortBase: 20000,
  requestTimeoutMs: 10000,
  range: 'npt=0.000-',
  waitStop: false,
  udpRecv: 'auto',
};

export interface ReaderResult {
  /** Where a DESCRIBE's 302 sent the reader, when one did. */
  redirectedTo?: string;
  index: number;
  ok: boolean;
  error?: string;
  /** First RTP packet (any track) arrival minus PLAY request sent, ms. */
  firstRtpMs?: number;
  /**
   * H.264 tracks: arrival of the first packet that starts a key frame (IDR, or SPS/PPS before it)
   * minus PLAY request sent, ms. Without a GOP cache a live reader waits up to a GOP for it.
   */
  firstKeyMs?: number;
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
  /** Of those, tracks whose RTP-Info had no seq (allowed for a live video track with no GOP cached yet). */
  rtpInfoNoSeq: number;
  rtpInfoDetail?: string;
  /** Tracks that received no RTP at all. */
  silentTracks: number;
  /** SSRC count across tracks: more than tracks means a stream restarted mid-session. */
  ssrcs: number;
  /** Native UDP receive only: packets of SSRCs beyond its per-track bound (4), not in the counts above. */
  ssrcOverflowPackets?: number;
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
  rtpInfoNoSeq: number;
  rtpInfoExamples: string[];
  silentTracks: number;
  firstRtpMs: { p50: number; p95: number; max: number; count: number };
  /** See ReaderResult.firstKeyMs: readers of an H.264 track only. */
  firstKeyMs: { p50: number; p95: number; max: number; count: number };
  /** Readers' real-time factors (see ReaderResult.realtime): median and the slowest reader. */
  realtime: { p50: number; min: number };
  setupMs: { p50: number; p95: number; max: number };
  /** UDP: how the client received ('native': recvmmsg in a worker thread; 'dgram': Node's dgram). */
  udpRecv?: string;
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

/** Per SSRC seen on one track: received count and the extended-seq span, for loss = expected - received. */
export interface SsrcStat {
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
