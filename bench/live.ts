// Live fan-out benchmark: one live 720p H.264 + AAC stream (2 Mbit/s, 2 s GOP) read by N readers
// over UDP and TCP, Tidecast (built JS, fed by an ffmpeg publisher) against gst-rtsp-server (shared
// media factory over the same clip), plus the first decodable frame of an ffmpeg joining mid-GOP.
//
//   npm run build && npm run bench:live              # UDP/TCP x N=200/500, 10 s of playing per case
//   npm run bench:live -- --quick                    # N=200 only, 6 s, 4 join trials
//   npm run bench:live -- --cases udp500 --peer none --joins 0 --json /tmp/live.json
//   BENCH_CLI=/tmp/other/dist/server/cli.js npm run bench:live
//   npm run bench:live -- --cases udp500 --udp-recv dgram  # load client receives with dgram (default: native addon)
//
// Parts: live/clip.ts (the clip, the publisher), live/case.ts (one case, the join phase),
// live/join.ts (ffmpeg mid-GOP join through a timing proxy), live/report.ts (tables, targets).
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import {
  caseProgress,
  choosePeer,
  hostLine,
  log,
  logDone,
  parseRtspCases,
  requireBuild,
  runCases,
  runMain,
  writeRaw,
  setupUdpRecv,
  udpRecvNote,
  RTSP_BENCH_OPTIONS,
} from './lib/cases.js';
import { f } from './lib/table.js';
import { runJoin, runLiveCase } from './live/case.js';
import { CLIP, GOP_SECONDS, ensureClip } from './live/clip.js';
import { liveReport, type Joins } from './live/report.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ...RTSP_BENCH_OPTIONS, 'client-procs': { type: 'string' }, joins: { type: 'string' } } });
  requireBuild();
  const caseSpec = values.cases ?? process.env.BENCH_CASES ?? (values.quick ? 'udp200,tcp200' : 'udp200,udp500,tcp200,tcp500');
  const cases = parseRtspCases(caseSpec, 'udp200, tcp500');
  setupUdpRecv(values['udp-recv'], cases);
  const playSeconds = Number(values['play-seconds'] ?? process.env.BENCH_PLAY_SECONDS ?? (values.quick ? 6 : 10));
  const joinCount = Number(values.joins ?? (values.quick ? 4 : 10));
  /** Client processes per case: one per core, so the client can use both if it must. */
  const procsFor = (n: number): number => Number(values['client-procs'] ?? (n >= 200 ? Math.max(1, cpus().length) : 1));
  const peerWanted = (values.peer ?? process.env.BENCH_PEER ?? 'gst') !== 'none';
  const { kinds, peerNote } = choosePeer(
    peerWanted,
    'shared media factory over the same clip (filesrc ! qtdemux ! h264parse ! rtph264pay + aacparse ! rtpmp4gpay), one pipeline for every reader.',
  );
  ensureClip(log);
  log(`bench: ${hostLine()}, cases ${caseSpec}, ${playSeconds} s of playing, ${joinCount} join trials, servers: ${kinds.join(', ')}\n`);

  const t0 = Date.now();
  const joins: Joins = {};
  if (joinCount > 0) {
    for (const kind of kinds) {
      log(`bench: ${kind} join mid-GOP x${joinCount} ... `);
      const j = await runJoin(kind, joinCount, GOP_SECONDS * 1000);
      joins[kind] = j;
      log('error' in j ? `error: ${j.error}\n` : `first I picture p50 ${f(j.firstFrameMs.p50, 0)} ms, max ${f(j.firstFrameMs.max, 0)} ms\n`);
    }
  }
  const results = await runCases(
    cases,
    kinds,
    (kind, c) => runLiveCase(kind, c, playSeconds, procsFor(c.n)),
    (r) => (r.error && !r.load ? `error: ${r.error}` : `${caseProgress(r)}, client CPU ${f(r.clientCpuPctMedian)} %${r.error ? ` (${r.error})` : ''}`),
  );
  logDone(t0);
  process.stdout.write(
    `\nLive fan-out: ${CLIP} (720p30 H.264 2 Mbit/s, 2 s GOP, + AAC), ${playSeconds} s of playing per case, ${cpus().length} cores, medians of 500 ms samples\n\n`,
  );
  process.stdout.write(liveReport(results, joins, peerNote) + '\n');
  const recvNote = udpRecvNote(results);
  if (recvNote) process.stdout.write(recvNote + '\n');
  writeRaw(values.json, { playSeconds, peerNote, joins, results });
}

runMain(main);
