// One live fan-out case: a fresh server with its live source, a holder reader, N readers split
// over several load-client processes, and /proc sampling of the server, the clients and the publisher.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSelfSigned } from '../../server/tls/self-signed.js';
import { mergeLoadResults } from '../load-client/run-load.js';
import type { LoadResult, LowerTransport } from '../load-client/types.js';
import { errorText, recordCaseEnd, recordSteady, type RtspCase, type RtspCaseResult } from '../lib/cases.js';
import { spawnClient, type ClientRun } from '../lib/client-proc.js';
import { sleep } from '../lib/net.js';
import { ProcSampler, procStatusKb, udpCounters } from '../lib/proc.js';
import { startGst, startTidecast, stopProcess, type ServerKind } from '../lib/servers.js';
import { CLIP, startPublisher } from './clip.js';
import { joinTrials, type JoinResult } from './join.js';

export const LIVE_PATH = '/live/bench';
const SAMPLE_MS = 500;
/** Samples this long after the last PLAY are left out: the ramp's handshakes are not steady state. */
const SETTLE_MS = 1000;
const IDLE_MS = 2500;
const HOLDER_PORT_BASE = 40000;

export interface LiveCaseResult extends RtspCaseResult {
  clientProcs: number;
  cpuIdlePct: number;
  publisherCpuPctMedian: number;
}

interface Live {
  srv: { child: ChildProcess; port: number; stderr: () => string };
  pub?: { child: ChildProcess; stderr: () => string };
  /** What the readers read: rtsps:// on the RTSPS port for a secure case. */
  url: string;
  /** A secure case's self-signed pair, removed with the case. */
  certDir?: string;
}

/** A self-signed pair for a secure case, as `tidecast cert` makes it. */
function benchCert(): { dir: string; cert: string; key: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-bench-tls-'));
  const s = makeSelfSigned({ hosts: ['localhost', '127.0.0.1'], days: 1 });
  writeFileSync(join(dir, 'server.crt'), s.certPem);
  writeFileSync(join(dir, 'server.key'), s.keyPem, { mode: 0o600 });
  return { dir, cert: join(dir, 'server.crt'), key: join(dir, 'server.key') };
}

/** DESCRIBE answers 200 once the publisher's ANNOUNCE/RECORD made the path live. */
function describeOk(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1', () => s.write(`DESCRIBE rtsp://127.0.0.1:${port}${LIVE_PATH} RTSP/1.0\r\nCSeq: 1\r\n\r\n`));
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) {
        s.destroy();
        res(buf.startsWith('RTSP/1.0 200'));
      }
    });
    s.on('error', () => res(false));
    setTimeout(() => {
      s.destroy();
      res(false);
    }, 2000).unref();
  });
}

/** Tidecast plus an ffmpeg publisher (live when DESCRIBE says so, then one GOP more), or gst with a shared factory over the clip. */
async function startLive(kind: ServerKind, secure = false): Promise<Live> {
  if (kind === 'gst') {
    const srv = await startGst({ file: CLIP, mount: LIVE_PATH, shared: true });
    return { srv, url: `rtsp://127.0.0.1:${srv.port}${LIVE_PATH}` };
  }
  const cert = secure ? benchCert() : undefined;
  const srv = await startTidecast(cert ? { tls: cert } : {});
  const url = `rtsp://127.0.0.1:${srv.port}${LIVE_PATH}`;
  // The publisher stays on plain RTSP: the secure case measures the readers' side.
  const readUrl = srv.rtspsPort !== undefined ? `rtsps://127.0.0.1:${srv.rtspsPort}${LIVE_PATH}` : url;
  const pub = startPublisher(url);
  const until = Date.now() + 15000;
  while (!(await describeOk(srv.port))) {
    if (Date.now() > until || pub.child.exitCode !== null) {
      await stopProcess(pub.child);
      await stopProcess(srv.child);
      if (cert) rmSync(cert.dir, { recursive: true, force: true });
      throw new Error(`the publisher did not make ${LIVE_PATH} live: ${pub.stderr().trim().split('\n').pop() ?? ''}`);
    }
    await sleep(200);
  }
  await sleep(2000);
  return { srv, pub, url: readUrl, ...(cert ? { certDir: cert.dir } : {}) };
}

async function stopLive(l: Live): Promise<void> {
  if (l.pub) await stopProcess(l.pub.child);
  await stopProcess(l.srv.child);
  if (l.certDir) rmSync(l.certDir, { recursive: true, force: true });
}

/**
 * One reader that stays for the whole case: gst-rtsp-server's shared pipeline runs only while a
 * reader is there (it is the peer's "publisher"), so both servers get one.
 */
function startHolder(url: string, transport: LowerTransport): ClientRun {
  return spawnClient(url, { transport, n: 1 }, 0, ['--range', 'none', '--wait-stop', '--udp-port-base', String(HOLDER_PORT_BASE)]);
}

/** `body` on a fresh server with its live source and a holder reader; both stop after it, then `stopped` sees the server. */
async function onLive<T>(kind: ServerKind, transport: LowerTransport, body: (live: Live) => Promise<T>, stopped: (live: Live) => void = () => {}, secure = false): Promise<T> {
  let live: Live | undefined;
  let holder: ClientRun | undefined;
  try {
    live = await startLive(kind, secure);
    holder = startHolder(live.url, transport);
    await sleep(1500);
    return await body(live);
  } finally {
    if (holder) {
      holder.stop();
      await holder.done;
    }
    if (live) {
      await stopLive(live);
      stopped(live);
    }
  }
}

/** `secure`: Tidecast with a certificate, read over RTSPS (UDP: SRTP; TCP: interleaved inside TLS). */
export async function runLiveCase(kind: ServerKind, c: RtspCase, playSeconds: number, clientProcs: number, secure = false): Promise<LiveCaseResult> {
  const out: LiveCaseResult = {
    server: kind,
    transport: c.transport,
    n: c.n,
    clientProcs,
    cpuPctMedian: NaN,
    cpuPctMean: NaN,
    cpuIdlePct: NaN,
    cpuSamples: 0,
    clientCpuPctMedian: NaN,
    publisherCpuPctMedian: NaN,
    rssIdleKb: NaN,
    rssPeakKb: NaN,
    udpRcvbufErrors: NaN,
    udpSndbufErrors: NaN,
    serverStderr: '',
  };
  const serverStderr = (live: Live): void => {
    out.serverStderr = (live.srv.stderr() + (live.pub ? live.pub.stderr() : '')).trim();
  };
  try {
    return await onLive(kind, c.transport, (live) => measure(live, c, playSeconds, clientProcs, out), serverStderr, secure);
  } catch (e) {
    out.error = errorText(e);
    return out;
  }
}

/** The idle window, then N readers over `clientProcs` load clients: fills `out`. */
async function measure(live: Live, c: RtspCase, playSeconds: number, clientProcs: number, out: LiveCaseResult): Promise<LiveCaseResult> {
  const pid = live.srv.child.pid!;
  const pubPid = live.pub?.child.pid;
  const clientPids: number[] = [];
  const sampler = new ProcSampler(pid, () => (clientPids.length === clientProcs ? clientPids : []), () => (pubPid ? [pubPid] : []), SAMPLE_MS);
  const idleFrom = performance.now();
  await sleep(IDLE_MS);
  out.cpuIdlePct = sampler.steady(idleFrom, performance.now()).cpuPctMedian;
  out.rssIdleKb = procStatusKb(pid, 'VmRSS');
  const udp0 = udpCounters();

  let steadyFrom = Infinity;
  let playingProcs = 0;
  let allPlaying!: () => void;
  const allPlayingP = new Promise<void>((r) => (allPlaying = r));
  const runs: ClientRun[] = [];
  for (let k = 0; k < clientProcs; k++) {
    const n = Math.floor(c.n / clientProcs) + (k < c.n % clientProcs ? 1 : 0);
    const extra = ['--range', 'none', '--wait-stop', '--readers', '--udp-port-base', String(20000 + 4000 * k), '--ramp-batch', String(Math.max(1, Math.round(10 / clientProcs)))];
    runs.push(
      spawnClient(live.url, { transport: c.transport, n }, 0, extra, (event, p) => {
        if (event === 'spawned') clientPids.push(p);
        else if (event === 'all-playing' && ++playingProcs === clientProcs) allPlaying();
      }),
    );
  }
  // A client that dies before all-playing must not hang the case.
  await Promise.race([allPlayingP, Promise.all(runs.map((r) => r.done))]);
  steadyFrom = performance.now() + SETTLE_MS;
  await sleep(SETTLE_MS + playSeconds * 1000);
  const steadyTo = performance.now();
  for (const r of runs) r.stop();
  const done = await Promise.all(runs.map((r) => r.done));
  sampler.stop();
  recordCaseEnd(out, pid, udp0);
  const parts = done.map((d) => d.load).filter((l): l is LoadResult => l !== undefined);
  if (parts.length < runs.length) {
    out.error = `load client failed: ${done.map((d) => d.stderr.trim().split('\n').slice(-2).join(' | ')).join(' || ')}`;
  }
  if (parts.length === 0) return out;
  out.load = mergeLoadResults(parts);
  out.load.readers = [];
  const st = sampler.steady(steadyFrom, steadyTo);
  recordSteady(out, st);
  out.publisherCpuPctMedian = st.otherCpuPctMedian;
  return out;
}

/** The join probe on a fresh server with its live source and a holder reader (no other load). */
export async function runJoin(kind: ServerKind, trials: number, gopMs: number): Promise<JoinResult | { error: string }> {
  try {
    return await onLive(kind, 'tcp', (live) => joinTrials(live.srv.port, LIVE_PATH, trials, gopMs));
  } catch (e) {
    return { error: errorText(e) };
  }
}
