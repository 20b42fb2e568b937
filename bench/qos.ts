// Thinning against loss (issue 16): what an ffmpeg reader over a lossy UDP link decodes with thinning off and on, and
// what thinning costs the server's fan-out.
//
//   npm run bench:qos                          # 0/2/5/10/20 % loss, 8 s measured each; CPU of 200 readers; rate limits
//   npm run bench:qos -- --seconds 5 --n 100
//   npm run bench:qos -- --part rates --warmup 25  # only part 3 (loss, cpu, rates; default all)
//
// Part 1: one server, two live paths fed the same packets by one ffmpeg publisher (a 2.5 Mbit/s noisy clip with
// non-reference B frames, test/helpers/qos-stream.ts): `thin` (qos.thinning on) and `plain` (off). For each loss
// rate, a network namespace (test/helpers/netns.ts) drops that share of the server's RTP at random, and two ffmpeg
// readers inside it decode one path each at the same time; after a warm-up (the QoS judge settles) the decoded
// video frames per second, the decoder's error lines and the thinning level seen are measured.
// Part 2: 200 light readers (bench/qos/readers.ts) of media/sample.mp4 looped live, none of them reporting loss,
// then 20 % of them reporting 15 % loss (so they are thinned): the server process's CPU over the same window.
// Part 3 (bench/qos/rates.ts): one ffmpeg reader behind a 0.5, 1 and 2 Mbit/s rate limit, of a 960x540 2 Mbit/s path
// with thinning and renditions off, then of the same stream with both on (480p at 400k, 240p at 150k renditions).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import type { ClientRecord } from '../server/core/clients.js';
import { FfmpegReader } from '../test/helpers/ffmpeg-reader.js';
import { NetNs } from '../test/helpers/netns.js';
import { FfmpegPublisher, makeClip } from '../test/helpers/qos-stream.js';
import { waitLive } from '../test/helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../test/helpers/server.js';
import { printRateRows, RATE_PATHS, RATES_KBIT, rateCase, type RateRow } from './qos/rates.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const LOSSES = [0, 2, 5, 10, 20];

async function readers(srv: TestServer): Promise<ClientRecord[]> {
  const res = await fetch(srv.httpUrl('api/v1/sessions'));
  return ((await res.json()) as { sessions: ClientRecord[] }).sessions.filter((c) => c.role === 'reader');
}

interface LossRow {
  loss: number;
  off: { fps: number; errors: number };
  on: { fps: number; errors: number; levels: string };
}

async function lossCase(srv: TestServer, ns: NetNs, loss: number, seconds: number): Promise<LossRow> {
  await ns.clear();
  await ns.loss(loss, { udpSourcePorts: String(srv.rtpPort) });
  const at = (p: string): string => `rtsp://${ns.hostAddress}:${srv.rtspPort}/${p}`;
  const on = FfmpegReader.start(at('thin'), ns);
  const off = FfmpegReader.start(at('plain'), ns);
  try {
    await sleep(6000);
    const a = { on: { v: on.video, e: on.decodeErrors }, off: { v: off.video, e: off.decodeErrors }, t: performance.now() };
    const levels = new Map<string, number>();
    for (let i = 0; i < seconds; i++) {
      await sleep(1000);
      const rec = (await readers(srv)).findLast((c) => c.path === 'thin');
      const l = rec?.qos?.thinning ?? '?';
      levels.set(l, (levels.get(l) ?? 0) + 1);
    }
    const dt = (performance.now() - a.t) / 1000;
    return {
      loss,
      off: { fps: (off.video - a.off.v) / dt, errors: off.decodeErrors - a.off.e },
      on: { fps: (on.video - a.on.v) / dt, errors: on.decodeErrors - a.on.e, levels: [...levels].map(([k, n]) => `${k} ${n}`).join(', ') },
    };
  } finally {
    await on.stop();
    await off.stop();
    await kickReaders(srv);
  }
}

/** ffmpeg killed sends no TEARDOWN: its UDP sessions would linger until their timeout. */
async function kickReaders(srv: TestServer): Promise<void> {
  for (const r of await readers(srv)) await fetch(srv.httpUrl(`api/v1/sessions/${r.id}`), { method: 'DELETE' });
}

async function cpuCase(srv: TestServer, n: number, lossy: number, seconds: number): Promise<{ cpuPct: number; thinned: number; packets: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, 'qos/readers.ts'), '--url', srv.url('cpu'), '--n', String(n), '--lossy', String(lossy)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const next = (event: string): Promise<Record<string, number>> => new Promise((res, rej) => {
    lines.on('line', (l) => {
      const m = JSON.parse(l) as { event: string } & Record<string, number>;
      if (m.event === event) res(m);
    });
    child.once('exit', () => rej(new Error(`readers exited before ${event}`)));
  });
  await next('playing');
  await sleep(4000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(seconds * 1000);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  const thinned = (await readers(srv)).filter((r) => r.path === 'cpu' && r.qos && r.qos.thinning !== 'none' && r.qos.thinning !== 'off').length;
  const done = next('result');
  child.stdin.write('stop\n');
  const result = await done;
  await kickReaders(srv);
  return { cpuPct: ((c.user + c.system) / 1000 / wall) * 100, thinned, packets: result.packets! };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, n: { type: 'string' }, part: { type: 'string' }, warmup: { type: 'string' } } });
  const seconds = Number(values.seconds ?? 8);
  const n = Number(values.n ?? 200);
  const part = values.part ?? 'all';
  const runs = (p: string): boolean => part === 'all' || part === p;
  const dir = mkdtempSync(join(tmpdir(), 'tc-qos-bench-'));
  const srv = await startTestServer({
    host: '0.0.0.0',
    paths: { thin: {}, plain: { qos: { thinning: false } }, cpu: {}, ...RATE_PATHS },
    maxConnectionsPerAddress: 2000,
    maxSessionsPerAddress: 2000,
  });
  const ns = await NetNs.create({ name: `tc-qosb-${process.pid}` });
  const pubs: FfmpegPublisher[] = [];
  try {
    const rates: RateRow[] = [];
    if (runs('rates')) {
      pubs.push(FfmpegPublisher.start(await makeClip(dir, '2000k', 'rates.mp4', '960x540'), [srv.url('rate-off'), srv.url('rate-on')]));
      await waitLive(srv.url('rate-on'), '/rate-on');
      for (const kbit of RATES_KBIT) {
        process.stderr.write(`rate ${kbit} kbit/s ... `);
        rates.push(await rateCase(srv, ns, kbit, Number(values.warmup ?? 25), seconds));
        process.stderr.write(`${JSON.stringify(rates.at(-1))}\n`);
      }
      await Promise.all(pubs.splice(0).map((p) => p.stop()));
    }
    const rows: LossRow[] = [];
    if (runs('loss')) {
      pubs.push(FfmpegPublisher.start(await makeClip(dir), [srv.url('thin'), srv.url('plain')]));
      await waitLive(srv.url('thin'), '/thin');
      await waitLive(srv.url('plain'), '/plain');
    }
    for (const loss of runs('loss') ? LOSSES : []) {
      process.stderr.write(`loss ${loss} % ... `);
      rows.push(await lossCase(srv, ns, loss, seconds));
      process.stderr.write(`${JSON.stringify(rows.at(-1))}\n`);
    }
    await Promise.all(pubs.splice(0).map((p) => p.stop()));
    if (runs('cpu')) {
      pubs.push(FfmpegPublisher.start(join(MEDIA_DIR, 'sample.mp4'), [srv.url('cpu')]));
      await waitLive(srv.url('cpu'), '/cpu');
    }
    const cpu = [];
    for (const lossy of runs('cpu') ? [0, Math.round(n / 5), 0, Math.round(n / 5)] : []) {
      process.stderr.write(`CPU: ${n} readers, ${lossy} reporting loss ... `);
      cpu.push({ lossy, ...(await cpuCase(srv, n, lossy, seconds)) });
      process.stderr.write(`${JSON.stringify(cpu.at(-1))}\n`);
    }
    if (rates.length) printRateRows(rates);
    console.log(`\n| loss | fps, thinning off | decode errors, off | fps, thinning on | decode errors, on | thinning level seen (samples) |`);
    console.log('|---|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.loss} % | ${r.off.fps.toFixed(1)} | ${r.off.errors} | ${r.on.fps.toFixed(1)} | ${r.on.errors} | ${r.on.levels} |`);
    console.log(`\n| readers | reporting loss | thinned (API) | server CPU % | packets received |`);
    console.log('|---|---|---|---|---|');
    for (const c of cpu) console.log(`| ${n} | ${c.lossy} | ${c.thinned} | ${c.cpuPct.toFixed(1)} | ${c.packets} |`);
  } finally {
    await Promise.all(pubs.map((p) => p.stop()));
    await ns.close();
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
