// Encryption's cost on live fan-out: N readers of one live stream over SRTP (RTSPS, UDP) and over RTSPS interleaved (TCP inside TLS), against plain RTP/UDP and RTP/TCP in the same run, Tidecast only.
//
//   npm run build && npm run bench:srtp                 # N=200, 10 s of playing per case, 2 rounds
//   npm run bench:srtp -- --n 100 --play-seconds 6 --rounds 1 --json /tmp/srtp.json
//
// Each case is bench/live's (live/case.ts): a fresh server fed by an ffmpeg publisher over plain RTSP,
// a holder reader, N readers over one load client per core, /proc sampling. The secure cases start
// the server with a self-signed pair and read rtsps://. The rounds alternate plain and secure so a
// drift of the shared machine falls on both.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { hostLine, log, logDone, requireBuild, runMain, setupUdpRecv, udpRecvNote, writeRaw } from './lib/cases.js';
import { perReaderCpu } from './lib/rtsp-report.js';
import { f, table } from './lib/table.js';
import { runLiveCase, type LiveCaseResult } from './live/case.js';
import { CLIP, ensureClip } from './live/clip.js';
import type { LowerTransport } from './load-client/types.js';

/** SRTP's target from the issue: at most this many times plain RTP's CPU per reader. */
const TARGET = 1.3;

interface Row {
  name: string;
  transport: LowerTransport;
  secure: boolean;
  round: number;
  r: LiveCaseResult;
}

const CASES: { name: string; transport: LowerTransport; secure: boolean }[] = [
  { name: 'RTP/UDP', transport: 'udp', secure: false },
  { name: 'SRTP/UDP (RTSPS)', transport: 'udp', secure: true },
  { name: 'RTP/TCP', transport: 'tcp', secure: false },
  { name: 'RTSPS interleaved', transport: 'tcp', secure: true },
];

/** CPU per reader above the server's idle (publisher ingest and GOP cache), %. */
const aboveIdle = (r: LiveCaseResult): number => (r.cpuPctMedian - r.cpuIdlePct) / (r.load?.playing || r.n);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { n: { type: 'string' }, 'play-seconds': { type: 'string' }, rounds: { type: 'string' }, json: { type: 'string' }, 'udp-recv': { type: 'string' } },
  });
  requireBuild();
  const n = Number(values.n ?? 200);
  const playSeconds = Number(values['play-seconds'] ?? 10);
  const rounds = Number(values.rounds ?? 2);
  setupUdpRecv(values['udp-recv'], [{ transport: 'udp', n }]);
  ensureClip(log);
  log(`bench: ${hostLine()}, N=${n}, ${playSeconds} s of playing, ${rounds} rounds\n`);
  const t0 = Date.now();
  const rows: Row[] = [];
  for (let round = 1; round <= rounds; round++) {
    for (const c of CASES) {
      log(`bench: round ${round} ${c.name} x${n} ... `);
      const r = await runLiveCase('tidecast', { transport: c.transport, n }, playSeconds, Math.max(1, cpus().length), c.secure);
      rows.push({ ...c, round, r });
      log(r.error && !r.load ? `error: ${r.error}\n` : `CPU ${f(r.cpuPctMedian)} % (idle ${f(r.cpuIdlePct)} %), ${r.load?.playing ?? 0} playing, loss ${f(r.load?.lossPct ?? NaN, 3)} %${r.error ? ` (${r.error})` : ''}\n`);
    }
  }
  logDone(t0);
  process.stdout.write(`\nEncryption on live fan-out: ${CLIP} (720p30 H.264 2 Mbit/s + AAC), N=${n}, ${playSeconds} s of playing per case, ${cpus().length} cores, medians of 500 ms samples\n\n`);
  process.stdout.write(
    table([
      ['round', 'case', 'playing', 'CPU % (median)', 'CPU % (mean)', 'CPU idle %', 'CPU %/reader', 'CPU %/reader above idle', 'loss %'],
      ...rows.map(({ round, name, r }) => [String(round), name, String(r.load?.playing ?? 'ERR'), f(r.cpuPctMedian), f(r.cpuPctMean), f(r.cpuIdlePct), f(perReaderCpu(r), 3), f(aboveIdle(r), 3), f(r.load?.lossPct ?? NaN, 3)]),
    ]) + '\n\n',
  );
  const ratio = (secure: string, plain: string, round: number): number => {
    const s = rows.find((x) => x.name === secure && x.round === round)!.r;
    const p = rows.find((x) => x.name === plain && x.round === round)!.r;
    return perReaderCpu(s) / perReaderCpu(p);
  };
  /** Over all rounds: the sums of the CPU means, per reader (a median of 500 ms samples moves in ~2 % steps). */
  const overall = (secure: string, plain: string): number => {
    const sum = (name: string): number => rows.filter((x) => x.name === name).reduce((a, x) => a + x.r.cpuPctMean / (x.r.load?.playing || x.r.n), 0);
    return sum(secure) / sum(plain);
  };
  const lines: string[][] = [];
  for (let round = 1; round <= rounds; round++) {
    const srtp = ratio('SRTP/UDP (RTSPS)', 'RTP/UDP', round);
    const tls = ratio('RTSPS interleaved', 'RTP/TCP', round);
    lines.push([String(round), `${f(srtp, 2)}x`, srtp <= TARGET ? 'PASS' : 'MISS', `${f(tls, 2)}x`]);
  }
  const all = overall('SRTP/UDP (RTSPS)', 'RTP/UDP');
  lines.push(['all (means)', `${f(all, 2)}x`, all <= TARGET ? 'PASS' : 'MISS', `${f(overall('RTSPS interleaved', 'RTP/TCP'), 2)}x`]);
  process.stdout.write(table([['round', `SRTP / plain RTP, CPU per reader (target <= ${TARGET}x)`, 'verdict', 'RTSPS interleaved / RTP/TCP'], ...lines]) + '\n');
  const recvNote = udpRecvNote(rows.map((x) => x.r));
  if (recvNote) process.stdout.write(recvNote + '\n');
  writeRaw(values.json, { n, playSeconds, rows });
}

runMain(main);
