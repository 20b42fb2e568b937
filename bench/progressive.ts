// Progressive HTTP fan-out: one live 720p H.264 + AAC stream (2 Mbit/s, 2 s GOP) read by N concurrent
// readers of /<path>/stream.mp4 or stream.ts; server CPU and RSS, bytes each reader got, readers dropped.
//
//   npm run build && node --import tsx bench/progressive.ts                 # mp4 and ts, N=200, 10 s
//   node --import tsx bench/progressive.ts --cases mp4200,ts500 --play-seconds 15
//
// The readers run in a separate process (this file with --client) so their CPU is not the server's.
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import { CLIP, ensureClip, startPublisher } from './live/clip.js';
import { hostLine, log, runMain } from './lib/cases.js';
import { sleep, waitForTcp } from './lib/net.js';
import { ProcSampler } from './lib/proc.js';
import { ROOT, startTidecast, stopProcess } from './lib/servers.js';
import { quantile } from './lib/stats.js';
import { f, table } from './lib/table.js';

interface ClientReport {
  readers: number;
  connected: number;
  ended: number;
  bytesMin: number;
  bytesMedian: number;
  firstByteMsP50: number;
  firstByteMsMax: number;
}

/** --client URL N SECONDS: opens N GETs, reads and discards for SECONDS, prints a JSON report. */
async function clientMain(url: string, n: number, seconds: number): Promise<void> {
  const bytes = new Array<number>(n).fill(0);
  const firstByte: number[] = [];
  let connected = 0;
  let ended = 0;
  const reqs: ReturnType<typeof request>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const req = request(url, { agent: false }, (res) => {
      connected++;
      let first = true;
      res.on('data', (b: Buffer) => {
        if (first) {
          first = false;
          firstByte.push(performance.now() - started);
        }
        bytes[i]! += b.length;
      });
      res.on('end', () => ended++);
      res.on('error', () => undefined);
    });
    req.on('error', () => ended++);
    req.end();
    reqs.push(req);
    if (i % 20 === 19) await sleep(10);
  }
  process.stdout.write(JSON.stringify({ event: 'all-started', ms: performance.now() - t0 }) + '\n');
  await sleep(seconds * 1000);
  process.stdout.write(JSON.stringify({ event: 'stopping' }) + '\n');
  for (const r of reqs) r.destroy();
  const report: ClientReport = {
    readers: n,
    connected,
    ended,
    bytesMin: quantile(bytes, 0) || 0,
    bytesMedian: quantile(bytes, 0.5) || 0,
    firstByteMsP50: quantile(firstByte, 0.5),
    firstByteMsMax: quantile(firstByte, 1),
  };
  process.stdout.write(JSON.stringify({ event: 'report', report }) + '\n');
}

interface CaseResult {
  name: string;
  cpuMedian: number;
  cpuMean: number;
  clientCpu: number;
  rssMb: number;
  report: ClientReport;
  seconds: number;
}

async function runCase(format: 'mp4' | 'ts', n: number, playSeconds: number): Promise<CaseResult> {
  const srv = await startTidecast({ inheritStderr: true });
  const server = srv.child;
  const http = srv.httpPort;
  let publisher: ChildProcess | undefined;
  let client: ChildProcess | undefined;
  try {
    await waitForTcp(http, server, 15000);
    publisher = startPublisher(`rtsp://127.0.0.1:${srv.port}/live/bench`).child;
    const url = `http://127.0.0.1:${http}/live/bench/stream.${format}`;
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise<boolean>((r) => request(url, { method: 'HEAD' }, (res) => r(res.statusCode === 200)).on('error', () => r(false)).end());
      if (ok) break;
      await sleep(200);
    }
    await sleep(2500); // a full GOP in the caches
    const sampler = new ProcSampler(server.pid!, () => (client?.pid ? [client.pid] : []), () => (publisher?.pid ? [publisher.pid] : []));
    client = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--client', url, String(n), String(playSeconds)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let steadyFrom = Infinity;
    let steadyTo = Infinity;
    let report: ClientReport | undefined;
    let buf = '';
    client.stdout!.on('data', (b: Buffer) => {
      buf += b.toString();
      let k;
      while ((k = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, k)) as { event: string; report?: ClientReport };
        buf = buf.slice(k + 1);
        if (line.event === 'all-started') steadyFrom = performance.now() + 1000;
        if (line.event === 'stopping') steadyTo = performance.now();
        if (line.event === 'report') report = line.report;
      }
    });
    await new Promise((r) => client!.once('exit', r));
    sampler.stop();
    const s = sampler.steady(steadyFrom, steadyTo);
    return {
      name: `${format} x${n}`,
      cpuMedian: s.cpuPctMedian,
      cpuMean: s.cpuPctMean,
      clientCpu: s.clientCpuPctMedian,
      rssMb: s.rssSteadyMaxKb / 1024,
      report: report!,
      seconds: playSeconds,
    };
  } finally {
    client?.kill('SIGKILL');
    publisher?.kill('SIGKILL');
    await stopProcess(server);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      client: { type: 'boolean', default: false },
      cases: { type: 'string' },
      'play-seconds': { type: 'string' },
    },
    allowPositionals: true,
    strict: false,
  });
  if (values.client) {
    const [url, n, s] = process.argv.slice(process.argv.indexOf('--client') + 1);
    await clientMain(url!, Number(n), Number(s));
    return;
  }
  const playSeconds = Number(values['play-seconds'] ?? 10);
  const spec = String(values.cases ?? 'mp4200,ts200');
  ensureClip(log);
  log(`bench: ${hostLine()}, clip ${CLIP}\n`);
  const rows = [['case', 'server CPU % (median)', 'CPU % (mean)', 'RSS MB', 'readers with data', 'MB per reader (min / median)', 'first byte ms (p50 / max)', 'client CPU %']];
  for (const c of spec.split(',')) {
    const m = /^(mp4|ts)(\d+)$/.exec(c.trim());
    if (!m) throw new Error(`bad case ${c}: use mp4200, ts500, ...`);
    log(`bench: ${c} ... `);
    const r = await runCase(m[1] as 'mp4' | 'ts', Number(m[2]), playSeconds);
    log(`CPU ${f(r.cpuMedian)} %\n`);
    rows.push([
      r.name,
      f(r.cpuMedian),
      f(r.cpuMean),
      f(r.rssMb, 0),
      `${r.report.connected}/${r.report.readers}`,
      `${f(r.report.bytesMin / 1e6, 2)} / ${f(r.report.bytesMedian / 1e6, 2)}`,
      `${f(r.report.firstByteMsP50, 0)} / ${f(r.report.firstByteMsMax, 0)}`,
      f(r.clientCpu),
    ]);
  }
  process.stdout.write(`\nProgressive readers of one live 720p30 2 Mbit/s stream, ${playSeconds} s each\n\n${table(rows)}\n`);
}

runMain(main);
