// The benchmarks' shared case runner: build check, udpN/tcpN cases, the gst peer, the case loop and its progress lines, raw JSON, exit on error.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { loadUdpSink } from '../load-client/native.js';
import type { LoadResult, LowerTransport } from '../load-client/types.js';
import { procStatusKb, udpCounters, type SteadyStats } from './proc.js';
import { CLI, GST_INSTALL_HINT, PYTHON, gstAvailable, type ServerKind } from './servers.js';
import { f } from './table.js';

export interface RtspCase {
  transport: LowerTransport;
  n: number;
}

/** What every RTSP case result has; each bench adds its own fields. */
export interface RtspCaseResult {
  server: ServerKind;
  transport: LowerTransport;
  n: number;
  load?: LoadResult;
  error?: string;
  cpuPctMedian: number;
  cpuPctMean: number;
  cpuSamples: number;
  clientCpuPctMedian: number;
  rssIdleKb: number;
  rssPeakKb: number;
  udpRcvbufErrors: number;
  udpSndbufErrors: number;
  serverStderr: string;
}

/** The flags bench/run.ts and bench/live.ts share (see their headers). */
export const RTSP_BENCH_OPTIONS = {
  quick: { type: 'boolean', default: false },
  cases: { type: 'string' },
  peer: { type: 'string' },
  'play-seconds': { type: 'string' },
  json: { type: 'string' },
  'udp-recv': { type: 'string' },
} as const;

/**
 * The load clients' UDP receive path (--udp-recv native|dgram|auto, or BENCH_UDP_RECV), handed to
 * the client processes through BENCH_UDP_RECV. Unless dgram, the native addon is built here once,
 * before several clients start at the same time.
 */
export function setupUdpRecv(flag: string | undefined, cases: RtspCase[]): void {
  const mode = flag ?? process.env.BENCH_UDP_RECV ?? 'auto';
  if (!['native', 'dgram', 'auto'].includes(mode)) {
    process.stderr.write(`--udp-recv ${mode}: native, dgram or auto\n`);
    process.exit(2);
  }
  process.env.BENCH_UDP_RECV = mode;
  if (mode !== 'dgram' && cases.some((c) => c.transport === 'udp')) loadUdpSink((m) => log(`bench: ${m}\n`));
}

/** The notes' line on how the load clients received UDP (bench/load-client/native-sink.ts). */
export function udpRecvNote(results: RtspCaseResult[]): string | undefined {
  const used = [...new Set(results.map((r) => r.load?.udpRecv).filter((x) => x !== undefined))];
  if (used.length === 0) return undefined;
  const what: Record<string, string> = {
    native: 'native (sockets bound by the udp_sink addon, recvmmsg in one worker thread, no JS per datagram)',
    dgram: "dgram (one JS 'message' callback per datagram)",
  };
  return `Load client UDP receive: ${used.map((u) => what[u] ?? u).join('; ')} (BENCH_UDP_RECV=${process.env.BENCH_UDP_RECV ?? 'auto'}).`;
}

export const log = (s: string): void => void process.stderr.write(s);

/** The message of a thrown value. */
export const errorText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Exits with 2 unless the built server the benches measure is there. */
export function requireBuild(): void {
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing: run \`npm run build\` first (the benchmark measures the built JS)\n`);
    process.exit(2);
  }
}

/** "udp50,tcp200" -> cases; `example` is shown for a bad one. */
export function parseRtspCases(spec: string, example: string): RtspCase[] {
  return spec.split(',').map((s) => {
    const m = /^(udp|tcp)(\d+)$/i.exec(s.trim());
    if (!m) throw new Error(`bad case "${s}": use ${example}, ...`);
    return { transport: m[1]!.toLowerCase() as LowerTransport, n: Number(m[2]) };
  });
}

/** The servers to run and the report's peer line; `factory` says how the gst peer serves readers. */
export function choosePeer(wanted: boolean, factory: string): { kinds: ServerKind[]; peerNote: string } {
  if (!wanted) return { kinds: ['tidecast'], peerNote: 'Peer: skipped (--peer none).' };
  const g = gstAvailable();
  if (g.ok) return { kinds: ['tidecast', 'gst'], peerNote: `Peer: gst-rtsp-server (${g.version}, ${PYTHON}), ${factory}` };
  return { kinds: ['tidecast'], peerNote: `Peer: gst-rtsp-server NOT measured: ${g.why}. Install it with ${GST_INSTALL_HINT}.` };
}

/** Date, cores, CPU model and node version, for the first progress line. */
export function hostLine(): string {
  const cpu = cpus();
  return `${new Date().toISOString()}, ${cpu.length} x ${cpu[0]?.model ?? '?'}, node ${process.version}`;
}

/** CPU, loss and first RTP of a case, for its progress line. */
export const caseProgress = (r: RtspCaseResult): string =>
  `CPU ${f(r.cpuPctMedian)} %, loss ${f(r.load?.lossPct ?? NaN, 3)} %, first RTP p50 ${f(r.load?.firstRtpMs.p50 ?? NaN)} ms`;

/** Every case on every server, Tidecast and its peer back to back per case so machine noise hits both alike. */
export async function runCases<R>(
  cases: RtspCase[],
  kinds: ServerKind[],
  run: (kind: ServerKind, c: RtspCase) => Promise<R>,
  progress: (r: R) => string,
): Promise<R[]> {
  const results: R[] = [];
  for (const c of cases) {
    for (const kind of kinds) {
      log(`bench: ${kind} ${c.transport.toUpperCase()} N=${c.n} ... `);
      const r = await run(kind, c);
      results.push(r);
      log(progress(r) + '\n');
    }
  }
  return results;
}

export const logDone = (t0: number): void => log(`bench: done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

/** The server's peak RSS and the host's UDP buffer errors since `udp0`, at the end of a case. */
export function recordCaseEnd(out: RtspCaseResult, pid: number, udp0: { rcvbuf: number; sndbuf: number }): void {
  out.rssPeakKb = procStatusKb(pid, 'VmHWM');
  const udp1 = udpCounters();
  out.udpRcvbufErrors = udp1.rcvbuf - udp0.rcvbuf;
  out.udpSndbufErrors = udp1.sndbuf - udp0.sndbuf;
}

/** The steady window's server and client CPU. */
export function recordSteady(out: RtspCaseResult, st: SteadyStats): void {
  out.cpuPctMedian = st.cpuPctMedian;
  out.cpuPctMean = st.cpuPctMean;
  out.cpuSamples = st.cpuSamples;
  out.clientCpuPctMedian = st.clientCpuPctMedian;
}

/** With --json: the raw results, dated, and a line saying where they are. */
export function writeRaw(path: string | undefined, data: object): void {
  if (!path) return;
  writeFileSync(path, JSON.stringify({ date: new Date().toISOString(), ...data }, null, 2));
  process.stdout.write(`\nraw results: ${path}\n`);
}

/** Runs a bench's main; a throw prints its stack after `prefix` and exits 1. */
export function runMain(main: () => Promise<void>, prefix = 'bench'): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${prefix}: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
