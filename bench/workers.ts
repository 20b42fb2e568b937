// Readers per core: one Tidecast process against `tidecast serve --workers 2` on this machine, one live 720p stream
// (2 Mbit/s) read over UDP by N readers that all dial the origin (with --workers 2 a DESCRIBE may answer 302 to the edge).
//
//   npm run build && node --import tsx bench/workers.ts                  # N = 200, 400, 600, 800; 6 s each
//   node --import tsx bench/workers.ts --steps 100,300 --play-seconds 4
//
// Per mode and N: server CPU (origin + edges, % of one core, over the steady window), CPU per reader, readers
// placed on the edge, loss. A mode stops at the first N with loss over 1 % or readers not playing.
import { readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { runClient } from './lib/client-proc.js';
import { freeRtpPair, freeTcpPort, sleep, waitForTcp } from './lib/net.js';
import { CLK_TCK, procTicks } from './lib/proc.js';
import { CLI, LOAD_LIMITS, ROOT, SERVER_NODE_FLAGS, stopProcess } from './lib/servers.js';
import { ensureClip, startPublisher } from './live/clip.js';

const PATH = 'live/bench';

interface Row {
  workers: number;
  n: number;
  playing: number;
  onEdges: number;
  cpuPct: number;
  lossPct: number;
}

/** The server and its edge processes (children of the origin). */
function serverPids(origin: number): number[] {
  try {
    const kids = readFileSync(`/proc/${origin}/task/${origin}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return [origin, ...kids];
  } catch {
    return [origin];
  }
}

const ticks = (pids: number[]): number => pids.reduce((a, p) => a + procTicks(p), 0);

async function readersAt(httpPort: number): Promise<number> {
  try {
    const body = (await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/sessions`)).json()) as { sessions: { role: string; path: string; protocol: string }[] };
    return body.sessions.filter((s) => s.role === 'reader' && s.path === PATH).length;
  } catch {
    return 0;
  }
}

async function startServer(workers: number): Promise<{ child: ChildProcess; rtsp: number; http: number }> {
  // Edge k takes rtsp + k and http + k: keep the two apart (ephemeral ports often come out consecutive).
  const rtsp = await freeTcpPort();
  let http = await freeTcpPort();
  while (Math.abs(http - rtsp) <= workers) http = await freeTcpPort();
  const rtp = await freeRtpPair();
  const args = [...SERVER_NODE_FLAGS, CLI, 'serve', '--rtsp-port', String(rtsp), '--http-port', String(http), '--rtp-port', String(rtp), '--log-level', 'warn', '--media', 'media', '--config', LOAD_LIMITS, '--workers', String(workers)];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  await waitForTcp(rtsp, child, 15_000);
  // An edge is ready when its API answers.
  for (let k = 1; k < workers; k++) {
    const t0 = performance.now();
    while (!(await fetch(`http://127.0.0.1:${http + k}/api/v1/paths`).then((r) => r.ok, () => false))) {
      if (performance.now() - t0 > 30_000) throw new Error(`edge ${k} did not answer on HTTP port ${http + k}`);
      await sleep(200);
    }
  }
  return { child, rtsp, http };
}

async function runMode(workers: number, steps: number[], playSeconds: number): Promise<Row[]> {
  const server = await startServer(workers);
  const pub = startPublisher(`rtsp://127.0.0.1:${server.rtsp}/${PATH}`);
  const rows: Row[] = [];
  try {
    await sleep(4000);
    for (const n of steps) {
      let t0 = 0;
      let k0 = 0;
      let t1 = 0;
      let k1 = 0;
      let onEdges = 0;
      const pids = serverPids(server.child.pid!);
      const r = await runClient(`rtsp://127.0.0.1:${server.rtsp}/${PATH}`, { transport: 'udp', n }, playSeconds, (event) => {
        if (event === 'all-playing') {
          [t0, k0] = [performance.now(), ticks(pids)];
          void Promise.all(Array.from({ length: workers - 1 }, (_, i) => readersAt(server.http + i + 1))).then((xs) => (onEdges = xs.reduce((a, b) => a + b, 0)));
        }
        if (event === 'stopping') [t1, k1] = [performance.now(), ticks(pids)];
      });
      const load = r.load;
      const cpuPct = t1 > t0 ? (100 * (k1 - k0)) / CLK_TCK / ((t1 - t0) / 1000) : NaN;
      const row = { workers, n, playing: load?.playing ?? 0, onEdges, cpuPct, lossPct: load?.lossPct ?? 100 };
      rows.push(row);
      process.stderr.write(`bench: --workers ${workers}, N=${n}: ${row.playing} playing (${onEdges} on edges), server CPU ${cpuPct.toFixed(0)} %, loss ${row.lossPct.toFixed(2)} %\n`);
      if (row.lossPct > 1 || row.playing < n) break;
    }
  } finally {
    pub.child.kill('SIGKILL');
    await stopProcess(server.child);
  }
  return rows;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { steps: { type: 'string' }, 'play-seconds': { type: 'string' } } });
  const steps = (values.steps ?? '200,400,600,800').split(',').map(Number);
  const playSeconds = Number(values['play-seconds'] ?? 6);
  ensureClip((s) => process.stderr.write(s));
  const rows = [...(await runMode(1, steps, playSeconds)), ...(await runMode(2, steps, playSeconds))];
  const out = [
    `host: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; clip 720p30 H.264 2 Mbit/s + AAC; readers over UDP, all dialling the origin`,
    '',
    '| processes | readers | playing | on the edge | server CPU (% of a core) | CPU per reader (% of a core) | loss % |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.workers} | ${r.n} | ${r.playing} | ${r.workers > 1 ? r.onEdges : '-'} | ${r.cpuPct.toFixed(0)} | ${(r.cpuPct / r.n).toFixed(3)} | ${r.lossPct.toFixed(2)} |`),
  ];
  process.stdout.write(out.join('\n') + '\n');
}

await main();
