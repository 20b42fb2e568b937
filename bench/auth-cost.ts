// CPU cost of authentication per new RTSP session: the built server's utime+stime for N sessions (DESCRIBE, SETUP, PLAY, TEARDOWN over TCP) with no users, Basic and Digest, passwords plain, sha256 and scrypt; the ratio to no users, PASS/MISS.
//
//   npm run build && npm run bench:auth
//   npm run bench:auth -- --sessions 1000 --scrypt-sessions 100 --rounds 5
//
// One server per case, all started at once (idle servers cost nothing), then rounds of every case
// in turn, so that a neighbour's load drifting over the run falls on every case alike; a case's
// figure is the median over the rounds. Clients log in as ffmpeg and GStreamer do: the first
// request bare, the 401's challenge answered, the same credentials (Digest: the same nonce, nc
// rising) on every later request. CPU is the server process's only (/proc/<pid>/stat), so the
// client's own work does not count.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { hashPassword } from '../server/auth/password.js';
import { requireBuild, runMain, log, hostLine } from './lib/cases.js';
import { freeRtpPair, freeTcpPort, waitForTcp } from './lib/net.js';
import { CLK_TCK, procTicks } from './lib/proc.js';
import { CLI, ROOT, SERVER_NODE_FLAGS, stopProcess } from './lib/servers.js';
import { percentile } from './lib/stats.js';
import { f, table } from './lib/table.js';
import { atMost, verdictTable } from './lib/verdict.js';
import { RtspLogin, type AuthScheme } from './soak/login.js';
import { SoakRtsp, sessionOf } from './soak/rtsp.js';

const USER = { username: 'viewer', password: 'auth-cost-pw' };
/** Beyond this ratio to no users, logging in would cost as much as half a session's own work (see bench/README.md). */
const MAX_RATIO = 1.5;

interface Case {
  name: string;
  scheme: AuthScheme | undefined;
  pass: 'plain' | 'sha256' | 'scrypt' | undefined;
  /**
   * Every session a user not seen for a minute: the server remembers a good check for 60 s
   * (server/auth/users.ts), so only a client's first login in a minute pays the full scrypt.
   */
  fresh?: true;
}

const CASES: Case[] = [
  { name: 'no users', scheme: undefined, pass: undefined },
  { name: 'Basic, plain password', scheme: 'basic', pass: 'plain' },
  { name: 'Basic, sha256: password', scheme: 'basic', pass: 'sha256' },
  { name: 'Digest, plain password', scheme: 'digest', pass: 'plain' },
  { name: 'Basic, scrypt: password, remembered', scheme: 'basic', pass: 'scrypt' },
  { name: 'Basic, scrypt: password, first login', scheme: 'basic', pass: 'scrypt', fresh: true },
];

/** The user of the i-th session of a case (one user, or a new one each session when `fresh`). */
const userOf = (c: Case, i: number): { username: string; password: string } => (c.fresh ? { username: `viewer${i}`, password: `pw-${i}` } : USER);

async function configOf(c: Case, sessions: number): Promise<Record<string, unknown>> {
  if (!c.pass) return { logLevel: 'warn' };
  const users = [];
  for (let i = 0; i < (c.fresh ? sessions : 1); i++) {
    const u = userOf(c, i);
    users.push({ user: u.username, pass: c.pass === 'plain' ? u.password : await hashPassword(u.password, c.pass), permissions: [{ action: 'read' }] });
  }
  return { logLevel: 'warn', authUsers: users };
}

interface Server {
  child: ChildProcess;
  rtspPort: number;
  /** Sessions run so far (numbers the fresh users). */
  done: number;
}

async function startServer(configFile: string): Promise<Server> {
  const [rtspPort, httpPort, rtpPort] = [await freeTcpPort(), await freeTcpPort(), await freeRtpPair()];
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve', '--rtsp-port', String(rtspPort), '--http-port', String(httpPort), '--rtp-port', String(rtpPort), '--media', 'media', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitForTcp(rtspPort, child, 15_000);
  return { child, rtspPort, done: 0 };
}

/** One session from connect to close; throws on anything but 200 (a refused login would make the figure meaningless). */
async function oneSession(port: number, c: Case, user: { username: string; password: string }): Promise<void> {
  const conn = await SoakRtsp.open(port);
  const r = new RtspLogin(conn, c.scheme ? user : undefined, c.scheme ?? 'basic', true);
  try {
    const url = `rtsp://127.0.0.1:${port}/sample.mp4`;
    const d = await r.request('DESCRIBE', url, { Accept: 'application/sdp' });
    if (d.status !== 200) throw new Error(`${c.name}: DESCRIBE ${d.status}`);
    const s = await r.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    const id = sessionOf(s);
    if (s.status !== 200 || !id) throw new Error(`${c.name}: SETUP ${s.status}`);
    const p = await r.request('PLAY', url, { Session: id });
    if (p.status !== 200) throw new Error(`${c.name}: PLAY ${p.status}`);
    const t = await r.request('TEARDOWN', url, { Session: id });
    if (t.status !== 200) throw new Error(`${c.name}: TEARDOWN ${t.status}`);
  } finally {
    conn.close();
  }
}

/** Server CPU milliseconds per session over `n` sessions, one after another. */
async function measure(srv: Server, c: Case, n: number): Promise<number> {
  const before = procTicks(srv.child.pid!);
  for (let i = 0; i < n; i++) await oneSession(srv.rtspPort, c, userOf(c, srv.done++));
  const ticks = procTicks(srv.child.pid!) - before;
  return ((ticks / CLK_TCK) * 1000) / n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { sessions: { type: 'string', default: '500' }, 'scrypt-sessions': { type: 'string', default: '60' }, rounds: { type: 'string', default: '5' } } });
  const n = Number(values.sessions);
  const nScrypt = Number(values['scrypt-sessions']);
  const rounds = Number(values.rounds);
  if (!(n > 0 && nScrypt > 0 && rounds > 0)) throw new Error('--sessions, --scrypt-sessions and --rounds must be positive numbers');
  requireBuild();
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-auth-cost-'));
  const servers: Server[] = [];
  try {
    const sessionsOf = (c: Case): number => (c.fresh ? nScrypt : n);
    // 200 sessions before the first measured round: fewer left round 1 of every case 30-60 % dearer (the JIT still at work).
    const warmup = (c: Case): number => (c.fresh ? 20 : 200);
    for (const [i, c] of CASES.entries()) {
      const file = join(dir, `case-${i}.yaml`);
      writeFileSync(file, stringify(await configOf(c, warmup(c) + rounds * sessionsOf(c))));
      servers.push(await startServer(file));
    }
    const perRound: number[][] = CASES.map(() => []);
        for (const [i, c] of CASES.entries()) await measure(servers[i]!, c, warmup(c));
    for (let round = 1; round <= rounds; round++) {
      for (const [i, c] of CASES.entries()) {
        const ms = await measure(servers[i]!, c, sessionsOf(c));
        perRound[i]!.push(ms);
        log(`auth-cost: round ${round}, ${c.name}: ${ms.toFixed(3)} ms CPU a session\n`);
      }
    }
    process.stdout.write(report(perRound.map((xs) => percentile(xs, 50)), perRound, sessionsOf, rounds));
  } finally {
    for (const s of servers) await stopProcess(s.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(ms: number[], perRound: number[][], sessionsOf: (c: Case) => number, rounds: number): string {
  const base = ms[0]!;
  const rows = [['case', 'sessions x rounds', 'server CPU ms a session (median)', 'rounds', 'ratio to no users']];
  for (const [i, c] of CASES.entries()) rows.push([c.name, `${sessionsOf(c)} x ${rounds}`, f(ms[i]!, 3), perRound[i]!.map((x) => f(x, 3)).join(', '), f(ms[i]! / base, 2)]);
  const ratio = (name: string): number => ms[CASES.findIndex((c) => c.name === name)]! / base;
  return [
    `\nCPU cost of auth per new RTSP session (DESCRIBE, SETUP, PLAY, TEARDOWN over TCP), server ${CLI}`,
    hostLine(),
    '',
    table(rows),
    '',
    verdictTable([
      atMost('Basic, plain password: CPU a session / no users', ratio('Basic, plain password'), MAX_RATIO, 2),
      atMost('Basic, sha256: password: CPU a session / no users', ratio('Basic, sha256: password'), MAX_RATIO, 2),
      atMost('Digest, plain password: CPU a session / no users', ratio('Digest, plain password'), MAX_RATIO, 2),
    ]),
    `\nscrypt (N=16384, r=8, p=1, deliberately slow), reported, no target: ${f(ratio('Basic, scrypt: password, first login'), 1)}x no users for a client's first login in a minute, ${f(ratio('Basic, scrypt: password, remembered'), 2)}x once the server remembers the check`,
    '',
  ].join('\n');
}

runMain(main, 'auth-cost');
