// Soak: the built server under a mix of readers, reconnecting publishers, wrong logins and hostile traffic for N minutes; RSS, fds, sessions and UDP sockets at start and end, held to "no growth beyond a bound".
//
//   npm run build && npm run soak                  # 10 minutes
//   npm run soak -- --minutes 3 --seed 7
//
// The server is `node dist/server/cli.js serve` with the default limits (only the ports, the
// media directory and the users of SOAK_CONFIG set). From 127.0.0.1, each logged in as its user:
// two ffmpeg publishers (TCP and UDP, killed and restarted every 40-80 s), eight RTSP readers (a
// file or a live path, UDP or TCP, Basic, Digest or anonymous on the public path, 3-15 s each, one
// in five leaving without TEARDOWN), three progressive readers (fMP4 / MPEG-TS), two LL-HLS
// readers, one RTSP-over-WebSocket reader with a login token. From 127.0.0.2: wrong logins (Basic
// and Digest, RTSP and HTTP, every 2 s: that address is throttled, 127.0.0.1 must never be) and
// about ten attacks a second on every port (soak/fuzz.ts). The figures: after a 30 s
// warm-up ("start") and at the end of the load ("end"), both under load; then, the load stopped
// and the sessions gone, "after" against the idle server before the load ("before").
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { runMain } from './lib/cases.js';
import { freeRtpPair, freeTcpPort, sleep, waitForTcp } from './lib/net.js';
import { CLI, ROOT, SERVER_NODE_FLAGS, stopProcess } from './lib/servers.js';
import { f, table } from './lib/table.js';
import { atLeast, atMost, verdictTable } from './lib/verdict.js';
import { hlsReader, newCounts, progressiveReader, publisher, rtspReader, wsReader, type SoakCounts, type SoakTarget } from './soak/actors.js';
import { FUZZ_ADDRESS, fuzzer, newFuzzCounts, type FuzzCounts } from './soak/fuzz.js';
import { probe, type Probe } from './soak/probe.js';
import { RtspLogin } from './soak/login.js';
import { SoakRtsp, sessionOf } from './soak/rtsp.js';
import { wrongLogins } from './soak/wrong-logins.js';

const READER = { username: 'reader', password: 'soak-reader-pw' };
const PUBLISHER = { username: 'publisher', password: 'soak-publisher-pw' };
/**
 * The server's settings beyond the ports: users, and otherwise the defaults (limits included).
 * Plain passwords, so that both Basic and Digest are offered (Digest needs the password itself).
 * `any` reads public/** from anywhere and uses the API from 127.0.0.1 only (the soak's probe).
 */
const SOAK_CONFIG: Record<string, unknown> = {
  logLevel: 'warn',
  authMethods: ['basic', 'digest'],
  authUsers: [
    { user: READER.username, pass: READER.password, permissions: [{ action: 'read' }] },
    { user: PUBLISHER.username, pass: PUBLISHER.password, permissions: [{ action: 'publish', path: 'live/**' }, { action: 'publish', path: 'public/**' }] },
    { user: 'any', permissions: [{ action: 'read', path: 'public/**' }] },
    { user: 'any', ips: ['127.0.0.1/32'], permissions: [{ action: 'api' }] },
  ],
};
const LIVE = ['live/soak-tcp', 'public/soak-udp'];
const WARMUP_S = 30;
const SAMPLE_S = 15;

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

/** Warn lines the server wrote, by limit (refusals are logged once per address, limit and minute). */
function watchLog(child: ChildProcess): Record<string, number> {
  const byLimit: Record<string, number> = {};
  let rest = '';
  child.stdout!.on('data', (b: Buffer) => {
    const lines = (rest + b.toString()).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      try {
        const j = JSON.parse(l) as { limit?: string; msg?: string; level?: number; peer?: string };
        const k = j.msg === 'failed login' ? `failed login from ${j.peer}` : (j.limit ?? `${j.level === 50 ? 'error' : 'warn'}: ${(j.msg ?? '').slice(0, 50)}`);
        byLimit[k] = (byLimit[k] ?? 0) + 1;
      } catch {
        /* not a log line */
      }
    }
  });
  return byLimit;
}

/** A reader after the soak: plays the sample over TCP; the frames it got in 20 s. */
async function finalReader(rtspPort: number): Promise<number> {
  const conn = await SoakRtsp.open(rtspPort);
  const r = new RtspLogin(conn, READER, 'digest');
  try {
    const url = `rtsp://127.0.0.1:${rtspPort}/sample.mp4`;
    await r.request('DESCRIBE', url, { Accept: 'application/sdp' });
    const s = await r.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    await r.request('PLAY', url, { Session: sessionOf(s) ?? '' });
    const t0 = Date.now();
    while (conn.frames < 50 && Date.now() - t0 < 20_000) await sleep(100);
    return conn.frames;
  } catch {
    return 0;
  } finally {
    conn.close();
  }
}

interface Server {
  child: ChildProcess;
  rtspPort: number;
  httpPort: number;
  /** Set when the server exited (a crash during the soak). */
  exited: () => string | undefined;
  /** Its warn/error lines by limit. */
  logs: Record<string, number>;
}

/** `node dist/server/cli.js serve` with SOAK_CONFIG on free ports, once it listens. */
async function startServer(configFile: string): Promise<Server> {
  const [rtspPort, httpPort, rtpPort] = [await freeTcpPort(), await freeTcpPort(), await freeRtpPair()];
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve', '--rtsp-port', String(rtspPort), '--http-port', String(httpPort), '--rtp-port', String(rtpPort), '--media', 'media', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let exited: string | undefined;
  child.once('exit', (code, sig) => (exited = `code ${code} signal ${sig}`));
  const logs = watchLog(child);
  await waitForTcp(rtspPort, child, 15_000);
  return { child, rtspPort, httpPort, exited: () => exited, logs };
}

/** Every actor of the mix, each a loop until `t.running()` is false. */
function startLoad(t: SoakTarget, c: SoakCounts, fz: FuzzCounts, children: Set<ChildProcess>): Promise<void>[] {
  return [
    publisher(t, c, LIVE[0]!, 'tcp', children),
    publisher(t, c, LIVE[1]!, 'udp', children),
    ...Array.from({ length: 8 }, () => rtspReader(t, c)),
    ...Array.from({ length: 3 }, () => progressiveReader(t, c)),
    hlsReader(t, c),
    hlsReader(t, c),
    wsReader(t, c),
    wrongLogins(t, c),
    fuzzer(t, fz),
  ].map((p) => p.catch((e: unknown) => void (c.errors[`loop: ${(e as Error).message}`] = 1)));
}

/** The load stopped: probes until sessions and connections are gone (the session timeout ends those left without TEARDOWN), then once more. */
async function settle(srv: Server, t0: number): Promise<Probe> {
  const until = Date.now() + 120_000;
  let after = await probe(srv.child.pid!, srv.httpPort, t0);
  while ((after.sessions !== 0 || after.connections !== 0) && Date.now() < until) {
    await sleep(2000);
    after = await probe(srv.child.pid!, srv.httpPort, t0);
  }
  await sleep(3000);
  return probe(srv.child.pid!, srv.httpPort, t0);
}

interface Figures {
  before: Probe;
  series: Probe[];
  after: Probe;
  finalFrames: number;
}

/** Wrong logins answered as they must be: 401, or the throttle's 503 (RTSP) / 429 (HTTP); and all of them. */
function wrongLoginFigures(c: SoakCounts): { refused: number; all: number } {
  let refused = 0;
  let all = 0;
  for (const [k, n] of Object.entries(c.wrongLogins)) {
    all += n;
    if (/: (401|429|503)$/.test(k)) refused += n;
  }
  return { refused, all };
}

const sum = (m: Record<string, number>, match: (k: string) => boolean = () => true): number => Object.entries(m).reduce((a, [k, n]) => a + (match(k) ? n : 0), 0);

function report(minutes: number, seed: string, srv: Server, c: SoakCounts, fz: FuzzCounts, x: Figures): string {
  const wrong = wrongLoginFigures(c);
  const start = x.series[0]!;
  const end = x.series.at(-1)!;
  const row = (name: string, p: Probe): string[] => [name, String(p.t), f(p.rssMb), String(p.fds), String(p.udpSockets), String(p.sessions), String(p.connections)];
  const out: string[] = [];
  out.push(`\nSoak: ${minutes} min, seed ${seed}, server ${CLI}\n`);
  out.push(table([['when', 's', 'RSS MB', 'open fds', 'UDP sockets', 'sessions', 'RTSP connections'], row('before (idle)', x.before), ...x.series.map((p, i) => row(i === 0 ? 'start (load)' : i === x.series.length - 1 ? 'end (load)' : 'load', p)), row('after (idle)', x.after)]));
  out.push(`\nclients: ${c.publisherStarts} publisher starts, ${c.rtspSessions} RTSP sessions (${c.rtspLeftWithoutTeardown} left without TEARDOWN, ${c.rtspPackets} RTP packets), ${(c.progressiveBytes / 1e6).toFixed(1)} MB progressive, ${c.hlsFiles} HLS parts, ${c.wsFrames} WebSocket frames`);
  out.push(`RTSP sessions by login: ${JSON.stringify(c.rtspLogins)}`);
  out.push(`wrong logins (from ${FUZZ_ADDRESS}): ${JSON.stringify(c.wrongLogins)}`);
  out.push(`good clients refused: ${JSON.stringify(c.refused)}`);
  out.push(`client errors: ${JSON.stringify(c.errors)}`);
  out.push(`attacks sent: ${JSON.stringify(fz.sent)}`);
  out.push(`server answers to attacks: ${JSON.stringify(fz.answers)}`);
  out.push(`server warn/error lines: ${JSON.stringify(srv.logs)}\n`);
  out.push(
    verdictTable([
      atMost('server exits during the soak', srv.exited() ? 1 : 0, 0, 0),
      atMost('RSS growth under load, end - start, MB', end.rssMb - start.rssMb, 32),
      atMost('open fds growth under load, end - start', end.fds - start.fds, 40, 0),
      atMost('UDP sockets growth under load, end - start', end.udpSockets - start.udpSockets, 0, 0),
      atMost('sessions after the load (API)', x.after.sessions, 0, 0),
      atMost('RTSP connections after the load (API)', x.after.connections, 0, 0),
      atMost('open fds after - before (idle)', x.after.fds - x.before.fds, 4, 0),
      atMost('UDP sockets after - before (idle)', x.after.udpSockets - x.before.udpSockets, 0, 0),
      atLeast('RTSP sessions played per minute', c.rtspSessions / minutes, 20, 0),
      atLeast('wrong logins tried per minute', wrong.all / minutes, 20, 0),
      atMost('wrong logins not answered 401/429/503', wrong.all - wrong.refused, 0, 0),
      atMost('good clients refused (401/403/429/503)', sum(c.refused), 0, 0),
      atMost(`failed logins from 127.0.0.1 (server log)`, sum(srv.logs, (k) => k.startsWith('failed login from') && !k.endsWith(FUZZ_ADDRESS)), 0, 0),
      atLeast('RTP frames to a reader after the soak', x.finalFrames, 50, 0),
    ]),
  );
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { minutes: { type: 'string', default: '10' }, seed: { type: 'string', default: '1' } } });
  const minutes = Number(values.minutes);
  if (!(minutes > 0)) throw new Error('--minutes must be a positive number');
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first`);
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-soak-'));
  const configFile = join(dir, 'soak.yaml');
  writeFileSync(configFile, stringify(SOAK_CONFIG));
  const children = new Set<ChildProcess>();
  let srv: Server | undefined;
  try {
    srv = await startServer(configFile);
    const pid = srv.child.pid!;
    const t0 = Date.now();
    await sleep(2000);
    const before = await probe(pid, srv.httpPort, t0);
    let running = true;
    const exited = srv.exited;
    const t: SoakTarget = { rtspPort: srv.rtspPort, httpPort: srv.httpPort, mediaDir: resolve(ROOT, 'media'), live: LIVE, isPublic: (p) => p.startsWith('public/'), reader: READER, publisher: PUBLISHER, running: () => running && !exited(), rnd: seeded(Number(values.seed)) };
    const c = newCounts();
    const fz = newFuzzCounts();
    process.stderr.write(`soak: ${minutes} min on RTSP ${srv.rtspPort}, HTTP ${srv.httpPort} (server pid ${pid})\n`);
    const loops = startLoad(t, c, fz, children);
    await sleep(WARMUP_S * 1000);
    const series: Probe[] = [await probe(pid, srv.httpPort, t0)];
    const endAt = t0 + 2000 + minutes * 60_000;
    while (Date.now() < endAt - SAMPLE_S * 1000 && !exited()) {
      await sleep(SAMPLE_S * 1000);
      series.push(await probe(pid, srv.httpPort, t0));
    }
    await sleep(Math.max(0, endAt - Date.now()));
    series.push(await probe(pid, srv.httpPort, t0));
    running = false;
    await Promise.race([Promise.all(loops), sleep(60_000)]);
    for (const ch of children) await stopProcess(ch);
    const after = await settle(srv, t0);
    const finalFrames = await finalReader(srv.rtspPort);
    process.stdout.write(report(minutes, values.seed!, srv, c, fz, { before, series, after, finalFrames }));
  } finally {
    for (const ch of children) ch.kill('SIGKILL');
    if (srv) await stopProcess(srv.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main, 'soak');
