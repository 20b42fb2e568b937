// On-demand reader benchmark: Tidecast (built JS) and gst-rtsp-server under N concurrent RTSP readers over UDP and TCP.
//
//   npm run build && npm run bench                 # UDP/TCP x N=50/200, 15 s of playing each, ~4 min
//   npm run bench -- --quick                       # N=50 only, 8 s
//   npm run bench -- --cases udp200,tcp50 --peer none --play-seconds 10 --json /tmp/bench.json
//   BENCH_CASES=udp50 BENCH_PEER=none npm run bench
//   BENCH_CLI=/tmp/other/dist/server/cli.js npm run bench  # a build of another checkout
//
// Each case gets a fresh server process; this process samples the server's /proc/<pid>/stat
// (utime+stime) and /proc/<pid>/status (VmRSS, VmHWM) every 500 ms, and the load client
// (bench/load-client.ts, its own process) reports loss, time to first RTP and RTP-Info checks.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { LoadResult, LowerTransport } from './load-client/types.js';
import { runClient } from './lib/client-proc.js';
import { sleep } from './lib/net.js';
import { ProcSampler, procStatusKb, udpCounters } from './lib/proc.js';
import { CLI, GST_INSTALL_HINT, PYTHON, gstAvailable, startGst, startTidecast, stopProcess, type ServerKind } from './lib/servers.js';
import { f, table } from './lib/table.js';

const SAMPLE_MS = 500;
/** Samples this long after the last PLAY are left out: the ramp's handshakes are not steady state. */
const SETTLE_MS = 1000;

interface Case {
  transport: LowerTransport;
  n: number;
}

interface CaseResult {
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
  rssSteadyMaxKb: number;
  rssPeakKb: number;
  udpRcvbufErrors: number;
  udpSndbufErrors: number;
  serverStderr: string;
}

async function runCase(kind: ServerKind, c: Case, playSeconds: number): Promise<CaseResult> {
  const out: CaseResult = {
    server: kind,
    transport: c.transport,
    n: c.n,
    cpuPctMedian: NaN,
    cpuPctMean: NaN,
    cpuSamples: 0,
    clientCpuPctMedian: NaN,
    rssIdleKb: NaN,
    rssSteadyMaxKb: NaN,
    rssPeakKb: NaN,
    udpRcvbufErrors: NaN,
    udpSndbufErrors: NaN,
    serverStderr: '',
  };
  const srv = kind === 'tidecast' ? await startTidecast() : await startGst({ file: 'media/sample.mp4' });
  const pid = srv.child.pid!;
  const url = `rtsp://127.0.0.1:${srv.port}/sample.mp4`;
  try {
    // One reader comes and goes first: the file's index, JIT and the peer's first pipeline are
    // then in place, so "idle" and per-reader growth measure the marginal cost of a reader.
    const warm = await runClient(url, { transport: c.transport, n: 1 }, 1);
    if (!warm.load || warm.load.playing !== 1) throw new Error(`warm-up reader failed: ${warm.stderr.trim().split('\n').pop() ?? ''}`);
    await sleep(1000);
    out.rssIdleKb = procStatusKb(pid, 'VmRSS');
    const udp0 = udpCounters();

    let steadyFrom = Infinity;
    let steadyTo = Infinity;
    let clientPid = 0;
    const sampler = new ProcSampler(pid, () => [clientPid], () => [], SAMPLE_MS);
    const run = await runClient(url, c, playSeconds, (event, p) => {
      if (event === 'spawned') clientPid = p;
      else if (event === 'all-playing') steadyFrom = performance.now() + SETTLE_MS;
      else if (event === 'stopping') steadyTo = performance.now();
    });
    sampler.stop();
    const load = run.load;
    const clientErr = run.stderr;
    out.rssPeakKb = procStatusKb(pid, 'VmHWM');
    const udp1 = udpCounters();
    out.udpRcvbufErrors = udp1.rcvbuf - udp0.rcvbuf;
    out.udpSndbufErrors = udp1.sndbuf - udp0.sndbuf;
    if (!load) {
      out.error = `load client failed: ${clientErr.trim().split('\n').slice(-3).join(' | ')}`;
      return out;
    }
    out.load = load;
    const st = sampler.steady(steadyFrom, steadyTo);
    out.cpuSamples = st.cpuSamples;
    out.cpuPctMedian = st.cpuPctMedian;
    out.clientCpuPctMedian = st.clientCpuPctMedian;
    out.cpuPctMean = st.cpuPctMean;
    out.rssSteadyMaxKb = st.rssSteadyMaxKb;
    return out;
  } catch (e) {
    out.error = e instanceof Error ? e.message : String(e);
    return out;
  } finally {
    await stopProcess(srv.child);
    out.serverStderr = srv.stderr().trim();
  }
}

// ---------- output ----------

const perReaderCpu = (r: CaseResult): number => r.cpuPctMedian / (r.load?.playing || r.n);
const perReaderKb = (r: CaseResult): number => (r.rssPeakKb - r.rssIdleKb) / (r.load?.playing || r.n);

function report(results: CaseResult[], peerNote: string): string {
  const head = [
    'server',
    'transport',
    'N',
    'playing',
    'CPU % (median)',
    'CPU %/reader',
    'RSS idle MB',
    'RSS peak MB',
    'KB/reader',
    'loss %',
    'real-time p50/min',
    'first RTP p50/p95/max ms',
    'RTP-Info mismatch',
    'client CPU %',
  ];
  const rows = [head];
  for (const r of results) {
    const l = r.load;
    rows.push([
      r.server,
      r.transport.toUpperCase(),
      String(r.n),
      l ? String(l.playing) : 'ERR',
      f(r.cpuPctMedian),
      f(perReaderCpu(r), 3),
      f(r.rssIdleKb / 1024),
      f(r.rssPeakKb / 1024),
      f(perReaderKb(r), 0),
      l ? f(l.lossPct, 3) : '-',
      l ? `${f(l.realtime.p50, 2)}/${f(l.realtime.min, 2)}` : '-',
      l ? `${f(l.firstRtpMs.p50)}/${f(l.firstRtpMs.p95)}/${f(l.firstRtpMs.max)}` : '-',
      l ? `${l.rtpInfoMismatches}/${l.playing * 2}` : '-',
      f(r.clientCpuPctMedian),
    ]);
  }
  const parts = [table(rows)];

  const tide = results.filter((r) => r.server === 'tidecast');
  const gst = results.filter((r) => r.server === 'gst');
  if (gst.length > 0) {
    const ratio = [['transport', 'N', 'CPU/reader Tidecast/gst', 'RSS/reader Tidecast/gst']];
    for (const t of tide) {
      const g = gst.find((x) => x.transport === t.transport && x.n === t.n);
      if (!g) continue;
      // A peer that fell behind real time or lost readers spent less than a full-rate reader costs.
      const gl = g.load;
      const flag = !gl ? ' (gst failed)' : gl.failed > 0 || gl.realtime.min < 0.95 ? ' (gst not at full rate: see notes)' : '';
      ratio.push([t.transport.toUpperCase(), String(t.n), f(perReaderCpu(t) / perReaderCpu(g), 2) + flag, f(perReaderKb(t) / perReaderKb(g), 2)]);
    }
    parts.push('', table(ratio));
  }
  parts.push('', peerNote);

  const notes: string[] = [];
  for (const r of results) {
    const tag = `${r.server} ${r.transport.toUpperCase()} N=${r.n}`;
    if (r.error) notes.push(`${tag}: ERROR ${r.error}`);
    const l = r.load;
    if (l) {
      if (l.failed > 0) notes.push(`${tag}: ${l.failed} readers failed: ${JSON.stringify(l.errors)}`);
      if (l.lost > 0) notes.push(`${tag}: lost ${l.lost} of ${l.expected} packets in ${l.gaps} gaps`);
      if (l.realtime.min < 0.95) notes.push(`${tag}: the server fell behind real time (slowest reader ${f(l.realtime.min, 2)}x): its CPU figure is not a full-rate cost`);
      if (l.silentTracks > 0) notes.push(`${tag}: ${l.silentTracks} tracks got no RTP`);
      if (l.rtpInfoMismatches > 0) notes.push(`${tag}: RTP-Info mismatch, e.g. ${l.rtpInfoExamples[0]}`);
      if (l.teardownOk < l.playing) notes.push(`${tag}: TEARDOWN answered for ${l.teardownOk}/${l.playing}`);
      const delay = l.clientLoopDelayMs.p99;
      if (r.clientCpuPctMedian > 80) {
        notes.push(`${tag}: the load client is near one full core (${f(r.clientCpuPctMedian)} %): it may be the bottleneck`);
      } else if (delay > 50) {
        notes.push(
          `${tag}: the machine is saturated: the client waited for a CPU (event-loop delay p99 +${f(delay)} ms at only ${f(r.clientCpuPctMedian)} % CPU), ` +
            'so this row\'s times include scheduling delay',
        );
      }
      notes.push(
        `${tag}: ${f(l.packetsPerSecond, 0)} RTP pkt/s received (${f(l.packetsPerSecond / Math.max(1, l.playing), 1)}/reader), client loop delay p99 +${f(delay)} ms, ` +
          `server CPU mean ${f(r.cpuPctMean)} % over ${r.cpuSamples} samples, client socket drops ${l.clientUdpDrops}, host UDP RcvbufErrors +${r.udpRcvbufErrors}, SndbufErrors +${r.udpSndbufErrors}`,
      );
    }
    if (r.serverStderr) notes.push(`${tag}: server stderr: ${r.serverStderr.split('\n').slice(-3).join(' | ').slice(0, 400)}`);
  }
  if (notes.length > 0) parts.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  return parts.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      cases: { type: 'string' },
      peer: { type: 'string' },
      'play-seconds': { type: 'string' },
      json: { type: 'string' },
    },
  });
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing: run \`npm run build\` first (the benchmark measures the built JS)\n`);
    process.exit(2);
  }
  const caseSpec = values.cases ?? process.env.BENCH_CASES ?? (values.quick ? 'udp50,tcp50' : 'udp50,udp200,tcp50,tcp200');
  const cases: Case[] = caseSpec.split(',').map((s) => {
    const m = /^(udp|tcp)(\d+)$/i.exec(s.trim());
    if (!m) throw new Error(`bad case "${s}": use udp50, tcp200, ...`);
    return { transport: m[1]!.toLowerCase() as LowerTransport, n: Number(m[2]) };
  });
  const playSeconds = Number(values['play-seconds'] ?? process.env.BENCH_PLAY_SECONDS ?? (values.quick ? 8 : 15));
  const peerWanted = (values.peer ?? process.env.BENCH_PEER ?? 'gst') !== 'none';

  let peerNote: string;
  let kinds: ServerKind[] = ['tidecast'];
  if (!peerWanted) {
    peerNote = 'Peer: skipped (--peer none).';
  } else {
    const g = gstAvailable();
    if (g.ok) {
      kinds = ['tidecast', 'gst'];
      peerNote = `Peer: gst-rtsp-server (${g.version}, ${PYTHON}), non-shared media factory: one pipeline per reader.`;
    } else {
      peerNote =
        `Peer: gst-rtsp-server NOT measured: ${g.why}. Install it with ${GST_INSTALL_HINT}.`;
    }
  }
  const cpu = cpus();
  process.stderr.write(
    `bench: ${new Date().toISOString()}, ${cpu.length} x ${cpu[0]?.model ?? '?'}, node ${process.version}, ` +
      `cases ${caseSpec}, ${playSeconds} s of playing, servers: ${kinds.join(', ')}\n`,
  );

  const results: CaseResult[] = [];
  const t0 = Date.now();
  for (const c of cases) {
    // Tidecast and its peer back to back per case, so machine noise hits both alike.
    for (const kind of kinds) {
      process.stderr.write(`bench: ${kind} ${c.transport.toUpperCase()} N=${c.n} ... `);
      const r = await runCase(kind, c, playSeconds);
      results.push(r);
      process.stderr.write(
        r.error ? `error: ${r.error}\n` : `CPU ${f(r.cpuPctMedian)} %, loss ${f(r.load?.lossPct ?? NaN, 3)} %, first RTP p50 ${f(r.load?.firstRtpMs.p50 ?? NaN)} ms\n`,
      );
    }
  }
  process.stderr.write(`bench: done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  process.stdout.write(`\nOn-demand readers of media/sample.mp4, ${playSeconds} s of playing per case, ${cpu.length} cores, medians of ${SAMPLE_MS} ms samples\n\n`);
  process.stdout.write(report(results, peerNote) + '\n');
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), playSeconds, peerNote, results }, null, 2));
    process.stdout.write(`\nraw results: ${values.json}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
