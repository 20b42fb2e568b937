// Live fan-out benchmark: one live 720p H.264 + AAC stream (2 Mbit/s, 2 s GOP) read by N readers
// over UDP and TCP, Tidecast (built JS, fed by an ffmpeg publisher) against gst-rtsp-server (shared
// media factory over the same clip), plus the first decodable frame of an ffmpeg joining mid-GOP.
//
//   npm run build && npm run bench:live              # UDP/TCP x N=200/500, 10 s of playing per case
//   npm run bench:live -- --quick                    # N=200 only, 6 s, 4 join trials
//   npm run bench:live -- --cases udp500 --peer none --joins 0 --json /tmp/live.json
//   BENCH_CLI=/tmp/other/dist/server/cli.js npm run bench:live
//
// Parts: live/clip.ts (the clip, the publisher), live/case.ts (one case, the join phase),
// live/join.ts (ffmpeg mid-GOP join through a timing proxy), live/report.ts (tables, targets).
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { LowerTransport } from './load-client/types.js';
import { CLI, GST_INSTALL_HINT, PYTHON, gstAvailable, type ServerKind } from './lib/servers.js';
import { f } from './lib/table.js';
import { runJoin, runLiveCase, type LiveCase, type LiveCaseResult } from './live/case.js';
import { CLIP, GOP_SECONDS, ensureClip } from './live/clip.js';
import { liveReport, type Joins } from './live/report.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      cases: { type: 'string' },
      peer: { type: 'string' },
      'play-seconds': { type: 'string' },
      'client-procs': { type: 'string' },
      joins: { type: 'string' },
      json: { type: 'string' },
    },
  });
  if (!existsSync(CLI)) {
    process.stderr.write(`bench: ${CLI} is missing: run \`npm run build\` first (the benchmark measures the built JS)\n`);
    process.exit(2);
  }
  const caseSpec = values.cases ?? process.env.BENCH_CASES ?? (values.quick ? 'udp200,tcp200' : 'udp200,udp500,tcp200,tcp500');
  const cases: LiveCase[] = caseSpec.split(',').map((s) => {
    const m = /^(udp|tcp)(\d+)$/i.exec(s.trim());
    if (!m) throw new Error(`bad case "${s}": use udp200, tcp500, ...`);
    return { transport: m[1]!.toLowerCase() as LowerTransport, n: Number(m[2]) };
  });
  const playSeconds = Number(values['play-seconds'] ?? process.env.BENCH_PLAY_SECONDS ?? (values.quick ? 6 : 10));
  const joinCount = Number(values.joins ?? (values.quick ? 4 : 10));
  /** Client processes per case: one per core, so the client can use both if it must. */
  const procsFor = (n: number): number => Number(values['client-procs'] ?? (n >= 200 ? Math.max(1, cpus().length) : 1));
  const peerWanted = (values.peer ?? process.env.BENCH_PEER ?? 'gst') !== 'none';

  let peerNote: string;
  let kinds: ServerKind[] = ['tidecast'];
  if (!peerWanted) {
    peerNote = 'Peer: skipped (--peer none).';
  } else {
    const g = gstAvailable();
    if (g.ok) {
      kinds = ['tidecast', 'gst'];
      peerNote = `Peer: gst-rtsp-server (${g.version}, ${PYTHON}), shared media factory over the same clip (filesrc ! qtdemux ! h264parse ! rtph264pay + aacparse ! rtpmp4gpay), one pipeline for every reader.`;
    } else {
      peerNote = `Peer: gst-rtsp-server NOT measured: ${g.why}. Install it with ${GST_INSTALL_HINT}.`;
    }
  }
  const log = (s: string): void => void process.stderr.write(s);
  ensureClip(log);
  const cpu = cpus();
  log(
    `bench: ${new Date().toISOString()}, ${cpu.length} x ${cpu[0]?.model ?? '?'}, node ${process.version}, ` +
      `cases ${caseSpec}, ${playSeconds} s of playing, ${joinCount} join trials, servers: ${kinds.join(', ')}\n`,
  );

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
  const results: LiveCaseResult[] = [];
  for (const c of cases) {
    // Tidecast and its peer back to back per case, so machine noise hits both alike.
    for (const kind of kinds) {
      log(`bench: ${kind} ${c.transport.toUpperCase()} N=${c.n} ... `);
      const r = await runLiveCase(kind, c, playSeconds, procsFor(c.n));
      results.push(r);
      log(
        r.error && !r.load
          ? `error: ${r.error}\n`
          : `CPU ${f(r.cpuPctMedian)} %, loss ${f(r.load?.lossPct ?? NaN, 3)} %, first RTP p50 ${f(r.load?.firstRtpMs.p50 ?? NaN)} ms, client CPU ${f(r.clientCpuPctMedian)} %${r.error ? ` (${r.error})` : ''}\n`,
      );
    }
  }
  log(`bench: done in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  process.stdout.write(
    `\nLive fan-out: ${CLIP} (720p30 H.264 2 Mbit/s, 2 s GOP, + AAC), ${playSeconds} s of playing per case, ${cpu.length} cores, medians of 500 ms samples\n\n`,
  );
  process.stdout.write(liveReport(results, joins, peerNote) + '\n');
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), playSeconds, peerNote, joins, results }, null, 2));
    process.stdout.write(`\nraw results: ${values.json}\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
