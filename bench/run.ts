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
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, setPriority } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createInterface } from 'node:readline';
import { percentile, type LoadResult, type LowerTransport } from './load-client.js';

const ROOT = resolve(import.meta.dirname, '..');
/** BENCH_CLI=/path/to/dist/server/cli.js measures another build (e.g. a pinned commit) with this bench. */
const CLI = resolve(process.env.BENCH_CLI ?? resolve(ROOT, 'dist/server/cli.js'));
const GST_PEER = resolve(ROOT, 'bench/peers/gst-rtsp-server.py');
const PYTHON = process.env.BENCH_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
const SAMPLE_MS = 500;
/** Samples this long after the last PLAY are left out: the ramp's handshakes are not steady state. */
const SETTLE_MS = 1000;
/** Niceness of the load client (needs root; ignored otherwise). */
const CLIENT_NICE = -10;

type ServerKind = 'tidecast' | 'gst';
interface Case {
  transport: LowerTransport;
  n: number;
}

interface Sample {
  t: number;
  serverTicks: number;
  clientTicks: number;
  rssKb: number;
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

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

function procTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name (which may contain spaces): utime is field 14, stime 15.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return NaN;
  }
}

function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

function udpCounters(): { rcvbuf: number; sndbuf: number } {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const vals = lines[1]!.split(/\s+/).map(Number);
    const get = (n: string): number => vals[names.indexOf(n)] ?? NaN;
    return { rcvbuf: get('RcvbufErrors'), sndbuf: get('SndbufErrors') };
  } catch {
    return { rcvbuf: NaN, sndbuf: NaN };
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function freeTcpPort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function udpFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      res(false);
    });
    s.bind(port, () => s.close(() => res(true)));
  });
}

/** An even port whose pair is free, below the client's range (20000+) and the ephemeral range. */
async function freeRtpPair(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const p = 16000 + 2 * Math.floor(Math.random() * 1500);
    if ((await udpFree(p)) && (await udpFree(p + 1))) return p;
  }
  throw new Error('no free UDP port pair for the server');
}

async function waitForTcp(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((res) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        res(true);
      });
      s.once('error', () => res(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`server did not listen on ${port} within ${timeoutMs} ms`);
}

function gstAvailable(): { ok: boolean; why?: string; version?: string } {
  const py = spawnSync(PYTHON, ['-c', "import gi; gi.require_version('Gst','1.0'); gi.require_version('GstRtspServer','1.0'); from gi.repository import Gst, GstRtspServer; Gst.init(None); print(Gst.version_string())"], {
    encoding: 'utf8',
  });
  if (py.status !== 0) return { ok: false, why: `${PYTHON} cannot load GstRtspServer (${(py.stderr || String(py.error ?? '')).trim().split('\n').pop()})` };
  for (const el of ['qtdemux', 'h264parse', 'aacparse', 'rtph264pay', 'rtpmp4gpay']) {
    const r = spawnSync('gst-inspect-1.0', [el], { stdio: 'ignore' });
    if (r.status !== 0) return { ok: false, why: `GStreamer element ${el} missing` };
  }
  return { ok: true, version: py.stdout.trim() };
}

interface Started {
  child: ChildProcess;
  port: number;
  stderr: () => string;
}

async function startServer(kind: ServerKind): Promise<Started> {
  const port = await freeTcpPort();
  let child: ChildProcess;
  if (kind === 'tidecast') {
    const rtp = await freeRtpPair();
    child = spawn(process.execPath, [CLI, 'serve', '--rtsp-port', String(port), '--rtp-port', String(rtp), '--log-level', 'warn', '--media', 'media'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } else {
    child = spawn(PYTHON, [GST_PEER, '--port', String(port), '--file', 'media/sample.mp4'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  }
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (err.length < 20000) err += b.toString();
  });
  await waitForTcp(port, child, 15000);
  return { child, port, stderr: () => err };
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/**
 * Runs bench/load-client.ts as its own process (so its CPU is measured apart from the server's),
 * at a higher priority when allowed: on 2 cores a server that saturates the machine must not
 * starve the client into reporting loss or latency that is its own.
 */
async function runClient(
  url: string,
  c: Case,
  playSeconds: number,
  on: (event: 'spawned' | 'all-playing' | 'stopping', pid: number) => void = () => {},
): Promise<{ load?: LoadResult; stderr: string }> {
  const client = spawn(
    process.execPath,
    ['--import', 'tsx', resolve(ROOT, 'bench/load-client.ts'), '--url', url, '--n', String(c.n), '--transport', c.transport, '--play-seconds', String(playSeconds)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    setPriority(client.pid!, CLIENT_NICE);
  } catch {
    /* not root: the client runs at normal priority */
  }
  on('spawned', client.pid!);
  let stderr = '';
  client.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const hard = setTimeout(() => client.kill('SIGKILL'), (playSeconds + 120) * 1000);
  const load = await new Promise<LoadResult | undefined>((res) => {
    let result: LoadResult | undefined;
    createInterface({ input: client.stdout! }).on('line', (line) => {
      let msg: { event?: string; result?: LoadResult };
      try {
        msg = JSON.parse(line) as typeof msg;
      } catch {
        return;
      }
      if (msg.event === 'all-playing' || msg.event === 'stopping') on(msg.event, client.pid!);
      else if (msg.event === 'result') result = msg.result;
    });
    client.once('exit', () => res(result));
  });
  clearTimeout(hard);
  return { load, stderr };
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
  const srv = await startServer(kind);
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

    const samples: Sample[] = [];
    let steadyFrom = Infinity;
    let steadyTo = Infinity;
    let clientPid = 0;
    const timer = setInterval(() => {
      samples.push({ t: performance.now(), serverTicks: procTicks(pid), clientTicks: procTicks(clientPid), rssKb: procStatusKb(pid, 'VmRSS') });
    }, SAMPLE_MS);
    const run = await runClient(url, c, playSeconds, (event, p) => {
      if (event === 'spawned') clientPid = p;
      else if (event === 'all-playing') steadyFrom = performance.now() + SETTLE_MS;
      else if (event === 'stopping') steadyTo = performance.now();
    });
    clearInterval(timer);
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

    const cpu: number[] = [];
    const clientCpu: number[] = [];
    const steady = samples.filter((s) => s.t >= steadyFrom && s.t <= steadyTo);
    for (let i = 1; i < steady.length; i++) {
      const a = steady[i - 1]!;
      const b = steady[i]!;
      const sec = (b.t - a.t) / 1000;
      cpu.push((100 * (b.serverTicks - a.serverTicks)) / CLK_TCK / sec);
      clientCpu.push((100 * (b.clientTicks - a.clientTicks)) / CLK_TCK / sec);
    }
    out.cpuSamples = cpu.length;
    out.cpuPctMedian = percentile(cpu, 50);
    out.clientCpuPctMedian = percentile(clientCpu, 50);
    if (steady.length >= 2) {
      const a = steady[0]!;
      const b = steady[steady.length - 1]!;
      out.cpuPctMean = (100 * (b.serverTicks - a.serverTicks)) / CLK_TCK / ((b.t - a.t) / 1000);
    }
    out.rssSteadyMaxKb = Math.max(...steady.map((s) => s.rssKb));
    return out;
  } catch (e) {
    out.error = e instanceof Error ? e.message : String(e);
    return out;
  } finally {
    await stopServer(srv.child);
    out.serverStderr = srv.stderr().trim();
  }
}

// ---------- output ----------

const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => '| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |';
  return [line(rows[0]!), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.slice(1).map(line)].join('\n');
}

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
        `Peer: gst-rtsp-server NOT measured: ${g.why}. Install it with ` +
        '`apt-get install -y python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-good gstreamer1.0-plugins-bad`.';
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
