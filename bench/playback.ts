// Time to first byte of a recorded clip over HTTP: a 1-minute playback.mp4 out of a 1-hour recording (one 1-hour
// segment, and the same hour as 60 one-minute segments), cold (first request: the server has read no index yet) and
// warm, plus the throughput of the whole clip. The recordings are written fast, the recorder's way, from
// media/sample.mp4 padded to ~2 Mbit/s in 1 s parts (bench/lib/recorded-hours.ts).
//
//   npm run bench:playback
//   npm run bench:playback -- --minutes 60 --warm 5
//
// The server runs in this process; curl (a separate process) fetches, so its reading costs the server nothing.
// "Cold" is cold for the server's caches (the path's listing and the segment's index), not for its code (one clip of
// another path is fetched first) nor for the kernel's: the files were just written and sit in the page cache.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hostLine, log, runMain } from './lib/cases.js';
import { startInProcess } from './lib/in-process.js';
import { ROOT } from './lib/servers.js';
import { quantile } from './lib/stats.js';
import { f, table } from './lib/table.js';
import { atMost, verdictTable, type Verdict } from './lib/verdict.js';
import { paddedSample, writeRecording } from './lib/recorded-hours.js';

const { values: args } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, warm: { type: 'string', default: '5' }, bitrate: { type: 'string', default: '2000000' } } });
const MINUTES = Number(args.minutes);
const WARM = Number(args.warm);
const TARGET_MS = 200;

interface Fetch {
  ttfbMs: number;
  totalMs: number;
  bytes: number;
  status: number;
}

async function curl(url: string): Promise<Fetch> {
  const c = spawn('curl', ['-s', '-o', '/dev/null', '-w', '%{time_starttransfer} %{time_total} %{size_download} %{http_code}', url], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  c.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise((r) => c.once('exit', r));
  const [ttfb, total, bytes, status] = out.trim().split(' ').map(Number) as [number, number, number, number];
  return { ttfbMs: ttfb * 1000, totalMs: total * 1000, bytes, status };
}

interface Row {
  layout: string;
  cold: Fetch;
  warmTtfb: number;
  warmTotal: number;
  mbps: number;
}

async function measure(httpUrl: (p: string) => string, path: string, wall0: number, layout: string): Promise<Row> {
  // A minute from the middle of the hour, then other minutes (same file, index now cached).
  const url = (minute: number): string => httpUrl(`${path}/playback.mp4?start=${new Date(wall0 + minute * 60_000 + 7_300).toISOString()}&duration=60`);
  const cold = await curl(url(Math.floor(MINUTES / 2)));
  if (cold.status !== 200) throw new Error(`${layout}: HTTP ${cold.status}`);
  const warm: Fetch[] = [];
  for (let i = 0; i < WARM; i++) warm.push(await curl(url((Math.floor(MINUTES / 2) + 1 + i * 7) % (MINUTES - 1))));
  const ttfb = quantile(warm.map((w) => w.ttfbMs), 0.5);
  const total = quantile(warm.map((w) => w.totalMs), 0.5);
  const bytes = quantile(warm.map((w) => w.bytes), 0.5);
  log(`${layout}: cold ${f(cold.ttfbMs)} ms, warm ${f(ttfb)} ms, ${f(bytes / 1e6)} MB in ${f(total)} ms\n`);
  return { layout, cold, warmTtfb: ttfb, warmTotal: total, mbps: (bytes * 8) / 1e6 / (total / 1000) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tidecast-bench-playback-'));
  const template = `${dir}/%path/%Y-%m-%d_%H-%M-%S-%f`;
  // Long enough ago that it is all on disk, recent enough for no retention to mind (recordDeleteAfter 0 anyway).
  const wall0 = Math.floor((Date.now() - (MINUTES + 30) * 60_000) / 1000) * 1000;
  try {
    let t0 = performance.now();
    const src = await paddedSample(resolve(ROOT, 'media/sample.mp4'), Number(args.bitrate));
    const hourBytes = writeRecording(src, template, 'hour', wall0, MINUTES * 60, 1, 1);
    log(`wrote ${MINUTES} min as one segment: ${f(hourBytes / 1e6)} MB (${f((hourBytes * 8) / (MINUTES * 60) / 1e6, 2)} Mbit/s) in ${f((performance.now() - t0) / 1000)} s\n`);
    t0 = performance.now();
    const minuteBytes = writeRecording(src, template, 'minutes', wall0, 60, MINUTES, 1);
    log(`wrote ${MINUTES} one-minute segments: ${f(minuteBytes / 1e6)} MB in ${f((performance.now() - t0) / 1000)} s\n`);
    // A short recording the first request goes to, so that "cold" below is a cold index, not cold code (JIT).
    writeRecording(src, template, 'warmup', wall0, 60, 2, 1);
    // The files' dirty pages reach the disk before measuring: writeback would compete with the reads.
    await new Promise((r) => spawn('sync', { stdio: 'ignore' }).once('exit', r));
    const srv = await startInProcess({ recordPath: template, recordDeleteAfter: 0, paths: { hour: { record: true }, minutes: { record: true }, warmup: { record: true } } });
    const rows: Row[] = [];
    try {
      await curl(`http://127.0.0.1:${srv.httpPort}/warmup/playback.mp4?start=${new Date(wall0 + 30_000).toISOString()}&duration=60`);
      rows.push(await measure((p) => `http://127.0.0.1:${srv.httpPort}/${p}`, 'hour', wall0, `one ${MINUTES}-min segment`));
      rows.push(await measure((p) => `http://127.0.0.1:${srv.httpPort}/${p}`, 'minutes', wall0, `${MINUTES} one-minute segments`));
    } finally {
      await srv.close();
    }
    const head = ['recording', 'cold TTFB ms', 'warm TTFB ms (median)', 'clip MB', 'whole clip ms (warm)', 'throughput Mbit/s'];
    process.stdout.write(`\n${hostLine()}\n1-minute playback.mp4 out of ${MINUTES} min at ~${f(Number(args.bitrate) / 1e6)} Mbit/s, 1 s parts; warm = median of ${WARM}; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}\n\n`);
    process.stdout.write(`${table([head, ...rows.map((r) => [r.layout, f(r.cold.ttfbMs), f(r.warmTtfb), f(r.cold.bytes / 1e6), f(r.warmTotal), f(r.mbps, 0)])])}\n\n`);
    const verdicts: Verdict[] = rows.flatMap((r) => [atMost(`cold TTFB ms, ${r.layout}`, r.cold.ttfbMs, TARGET_MS), atMost(`warm TTFB ms, ${r.layout}`, r.warmTtfb, TARGET_MS)]);
    process.stdout.write(`${verdictTable(verdicts)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runMain(main, 'bench:playback');
