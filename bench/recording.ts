// The cost of recording: N live paths at ~2 Mbit/s (H.264 720p + AAC) published by ffmpeg, and the built server's CPU
// and disk write rate with recording off, with recording on, and — the peer — with recording off and one
// `ffmpeg -c copy -f segment` per path recording the same streams over RTSP (ffmpeg's CPU counted with the server's).
//
//   npm run build && npm run bench:recording
//   npm run bench:recording -- --paths 20 --seconds 20
//
// Publishers run at nice 10 and are not counted. Each case: a fresh server, publishers started, 5 s to settle,
// then `--seconds` of 500 ms CPU samples (median) and the bytes the recordings grew by.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { resolveFfmpeg } from '../server/sources/process/ffmpeg-path.js';
import { hostLine, log, requireBuild, runMain } from './lib/cases.js';
import { freeRtpPair, freeTcpPort, sleep, waitForTcp } from './lib/net.js';
import { ProcSampler } from './lib/proc.js';
import { CLI, ROOT, SERVER_NODE_FLAGS, stopProcess } from './lib/servers.js';
import { f, table } from './lib/table.js';
import { atMost, verdictTable } from './lib/verdict.js';

const { values: args } = parseArgs({ options: { paths: { type: 'string', default: '20' }, seconds: { type: 'string', default: '20' } } });
const PATHS = Number(args.paths);
const SECONDS = Number(args.seconds);
const CLIP = join(tmpdir(), 'tidecast-bench-2mbit.mp4');

type Mode = 'live only' | 'recording' | 'ffmpeg segment recorders (peer)';
interface Result {
  mode: Mode;
  cpu: number;
  writeMBs: number;
  rssMb: number;
}

async function run(cmd: string, a: string[]): Promise<void> {
  const c = spawn(cmd, a, { stdio: ['ignore', 'ignore', 'inherit'] });
  const code = await new Promise<number | null>((r) => c.once('exit', r));
  if (code !== 0) throw new Error(`${cmd} ${a.join(' ')} exited ${code}`);
}

/** A 10 s loop of ~2 Mbit/s video with AAC, made once. */
async function makeClip(): Promise<void> {
  if (existsSync(CLIP)) return;
  log(`making ${CLIP}\n`);
  await run(resolveFfmpeg(), ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '2M', '-maxrate', '2M', '-bufsize', '1M', '-g', '60', '-bf', '0', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', CLIP]);
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

async function runCase(mode: Mode): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-bench-rec-'));
  const children: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  try {
    const [port, http, rtp] = [await freeTcpPort(), await freeTcpPort(), await freeRtpPair()];
    const record = mode === 'recording';
    const paths = Object.fromEntries(Array.from({ length: PATHS }, (_, i) => [`rec${i}`, { record }]));
    const config = { recordPath: `${dir}/rec/%path/%Y-%m-%d_%H-%M-%S-%f`, recordPartDuration: '1s', recordSegmentDuration: '1m', paths };
    writeFileSync(join(dir, 'c.yml'), stringify(config));
    server = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'serve', '--rtsp-port', String(port), '--http-port', String(http), '--rtp-port', String(rtp), '--log-level', 'warn', '--media', 'media', '--config', join(dir, 'c.yml')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitForTcp(port, server, 15000);
    const url = (i: number): string => `rtsp://127.0.0.1:${port}/rec${i}`;
    for (let i = 0; i < PATHS; i++) {
      children.push(spawn('nice', ['-n', '10', resolveFfmpeg(), '-v', 'error', '-re', '-stream_loop', '-1', '-i', CLIP, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', url(i)], { stdio: 'ignore' }));
    }
    const peers: ChildProcess[] = [];
    if (mode === 'ffmpeg segment recorders (peer)') {
      // The publishers' paths must be up before ffmpeg asks for them (it gives up on a 404).
      await sleep(4000);
      mkdirSync(join(dir, 'peer'));
      for (let i = 0; i < PATHS; i++) {
        peers.push(spawn(resolveFfmpeg(), ['-v', 'error', '-rtsp_transport', 'tcp', '-i', url(i), '-c', 'copy', '-f', 'segment', '-segment_time', '60', '-segment_format', 'mp4',
          '-segment_format_options', 'movflags=+frag_keyframe+empty_moov', join(dir, 'peer', `p${i}-%03d.mp4`)], { stdio: 'ignore' }));
      }
      children.push(...peers);
    }
    const alive = (): ChildProcess[] => peers.filter((p) => p.exitCode === null && p.signalCode === null);
    const sampler = new ProcSampler(server.pid!, () => alive().map((p) => p.pid!));
    await sleep(5000);
    const from = performance.now();
    const bytes0 = dirBytes(dir);
    await sleep(SECONDS * 1000);
    const bytes1 = dirBytes(dir);
    const to = performance.now();
    sampler.stop();
    if (peers.length && alive().length < peers.length) log(`  ${peers.length - alive().length} of ${peers.length} ffmpeg recorders exited early\n`);
    const s = sampler.steady(from, to);
    const cpu = s.cpuPctMedian + (peers.length ? s.clientCpuPctMedian : 0);
    return { mode, cpu, writeMBs: (bytes1 - bytes0) / 1e6 / ((to - from) / 1000), rssMb: s.rssSteadyMaxKb / 1024 };
  } finally {
    for (const c of children) c.kill('SIGKILL');
    if (server) await stopProcess(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  requireBuild();
  await makeClip();
  log(`${hostLine()}\n${PATHS} paths, ${SECONDS} s steady\n`);
  const results: Result[] = [];
  for (const mode of ['live only', 'recording', 'ffmpeg segment recorders (peer)'] as Mode[]) {
    log(`${mode}...\n`);
    results.push(await runCase(mode));
  }
  const [live, rec, peer] = results as [Result, Result, Result];
  console.log(table([['case', 'CPU % of a core', 'write MB/s', 'server RSS MB'], ...results.map((r) => [r.mode, f(r.cpu), f(r.writeMBs, 2), f(r.rssMb, 0)])]));
  const recCost = rec.cpu - live.cpu;
  const peerCost = peer.cpu - live.cpu;
  console.log(`\nrecording ${PATHS} paths costs ${f(recCost)} % of a core over serving them live; ffmpeg's segment recorders cost ${f(peerCost)} %.`);
  console.log(verdictTable([atMost('recording CPU / ffmpeg recorders CPU', recCost / peerCost, 1, 2)]));
}

runMain(main, 'bench:recording');
