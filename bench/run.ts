// On-demand reader benchmark: Tidecast (built JS) and gst-rtsp-server under N concurrent RTSP readers over UDP and TCP.
//
//   npm run build && npm run bench                 # UDP/TCP x N=50/200, 15 s of playing each, ~4 min
//   npm run bench -- --quick                       # N=50 only, 8 s
//   npm run bench -- --cases udp200,tcp50 --peer none --play-seconds 10 --json /tmp/bench.json
//   BENCH_CASES=udp50 BENCH_PEER=none npm run bench
//   BENCH_CLI=/tmp/other/dist/server/cli.js npm run bench  # a build of another checkout
//   npm run bench -- --cases udp50 --udp-recv dgram  # load client receives with dgram (default: native addon; or BENCH_UDP_RECV)
//
// Each case gets a fresh server process; this process samples the server's /proc/<pid>/stat
// (utime+stime) and /proc/<pid>/status (VmRSS, VmHWM) every 500 ms, and the load client
// (bench/load-client.ts, its own process) reports loss, time to first RTP and RTP-Info checks.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runClient } from './lib/client-proc.js';
import {
  caseProgress,
  choosePeer,
  errorText,
  hostLine,
  logDone,
  parseRtspCases,
  recordCaseEnd,
  recordSteady,
  requireBuild,
  runCases,
  runMain,
  writeRaw,
  setupUdpRecv,
  udpRecvNote,
  RTSP_BENCH_OPTIONS,
  type RtspCase,
  type RtspCaseResult,
} from './lib/cases.js';
import { sleep } from './lib/net.js';
import { ProcSampler, procStatusKb, udpCounters } from './lib/proc.js';
import { caseColumns, caseNotes, ofLoad, ratioTable } from './lib/rtsp-report.js';
import { startGst, startTidecast, stopProcess, type ServerKind } from './lib/servers.js';
import { columnTable, f } from './lib/table.js';

const SAMPLE_MS = 500;
/** Samples this long after the last PLAY are left out: the ramp's handshakes are not steady state. */
const SETTLE_MS = 1000;

interface CaseResult extends RtspCaseResult {
  rssSteadyMaxKb: number;
}

async function runCase(kind: ServerKind, c: RtspCase, playSeconds: number): Promise<CaseResult> {
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
    recordCaseEnd(out, pid, udp0);
    if (!load) {
      out.error = `load client failed: ${clientErr.trim().split('\n').slice(-3).join(' | ')}`;
      return out;
    }
    out.load = load;
    const st = sampler.steady(steadyFrom, steadyTo);
    recordSteady(out, st);
    out.rssSteadyMaxKb = st.rssSteadyMaxKb;
    return out;
  } catch (e) {
    out.error = errorText(e);
    return out;
  } finally {
    await stopProcess(srv.child);
    out.serverStderr = srv.stderr().trim();
  }
}

// ---------- output ----------

function report(results: CaseResult[], peerNote: string): string {
  const cols = caseColumns<CaseResult>(
    [],
    [
      ['first RTP p50/p95/max ms', ofLoad((l) => `${f(l.firstRtpMs.p50)}/${f(l.firstRtpMs.p95)}/${f(l.firstRtpMs.max)}`)],
      ['RTP-Info mismatch', ofLoad((l) => `${l.rtpInfoMismatches}/${l.playing * 2}`)],
      ['client CPU %', (r) => f(r.clientCpuPctMedian)],
    ],
  );
  const parts = [columnTable(results, cols)];
  // A peer that fell behind real time or lost readers spent less than a full-rate reader costs.
  const ratio = ratioTable(results, (gl) => gl.failed > 0 || gl.realtime.min < 0.95);
  if (ratio.table) parts.push('', ratio.table);
  parts.push('', peerNote);
  parts.push(
    ...caseNotes(results, {
      behind: (l) => `the server fell behind real time (slowest reader ${f(l.realtime.min, 2)}x): its CPU figure is not a full-rate cost`,
      rtpInfo: (l) => `RTP-Info mismatch, e.g. ${l.rtpInfoExamples[0]}`,
      tail: (r, l, tag) => {
        const notes: string[] = [];
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
        return notes;
      },
      stderrLabel: 'server stderr',
    }),
  );
  return parts.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: RTSP_BENCH_OPTIONS });
  requireBuild();
  const caseSpec = values.cases ?? process.env.BENCH_CASES ?? (values.quick ? 'udp50,tcp50' : 'udp50,udp200,tcp50,tcp200');
  const cases = parseRtspCases(caseSpec, 'udp50, tcp200');
  setupUdpRecv(values['udp-recv'], cases);
  const playSeconds = Number(values['play-seconds'] ?? process.env.BENCH_PLAY_SECONDS ?? (values.quick ? 8 : 15));
  const peerWanted = (values.peer ?? process.env.BENCH_PEER ?? 'gst') !== 'none';
  const { kinds, peerNote } = choosePeer(peerWanted, 'non-shared media factory: one pipeline per reader.');
  process.stderr.write(`bench: ${hostLine()}, cases ${caseSpec}, ${playSeconds} s of playing, servers: ${kinds.join(', ')}\n`);

  const t0 = Date.now();
  const results = await runCases(
    cases,
    kinds,
    (kind, c) => runCase(kind, c, playSeconds),
    (r) => (r.error ? `error: ${r.error}` : caseProgress(r)),
  );
  logDone(t0);
  process.stdout.write(`\nOn-demand readers of media/sample.mp4, ${playSeconds} s of playing per case, ${cpus().length} cores, medians of ${SAMPLE_MS} ms samples\n\n`);
  process.stdout.write(report(results, peerNote) + '\n');
  const recvNote = udpRecvNote(results);
  if (recvNote) process.stdout.write(recvNote + '\n');
  writeRaw(values.json, { playSeconds, peerNote, results });
}

runMain(main);
