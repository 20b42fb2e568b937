// The live benchmark's tables: per case, Tidecast/gst ratios, the mid-GOP join, and the targets.
import { caseColumns, caseName, caseNotes, ofLoad, perReaderKb, ratioTable } from '../lib/rtsp-report.js';
import { columnTable, f, table } from '../lib/table.js';
import type { LiveCaseResult } from './case.js';
import type { JoinResult } from './join.js';

export type Joins = Partial<Record<'tidecast' | 'gst', JoinResult | { error: string }>>;

export function liveReport(results: LiveCaseResult[], joins: Joins, peerNote: string): string {
  const cols = caseColumns<LiveCaseResult>(
    [['CPU idle %', (r) => f(r.cpuIdlePct)]],
    [
      ['first RTP p50/p95 ms', ofLoad((l) => `${f(l.firstRtpMs.p50)}/${f(l.firstRtpMs.p95)}`)],
      ['first key frame p50/p95 ms', ofLoad((l) => `${f(l.firstKeyMs.p50, 0)}/${f(l.firstKeyMs.p95, 0)}`)],
      ['client CPU % (procs)', (r) => `${f(r.clientCpuPctMedian)} (${r.clientProcs})`],
      ['client loop p99 ms', ofLoad((l) => f(l.clientLoopDelayMs.p99))],
    ],
  );
  const parts = [columnTable(results, cols)];

  const tide = results.filter((r) => r.server === 'tidecast');
  const { table: ratioRows, ratios } = ratioTable(results, (gl) => gl.failed > 0 || gl.realtime.min < 0.95 || gl.lost > 0);
  if (ratioRows) parts.push('', ratioRows);

  const joinRows = [['server', 'trials', 'first decoded I picture p50/p95/max ms', 'first RTP p50/max ms', 'trials with decoder complaints']];
  for (const [server, j] of Object.entries(joins)) {
    if (!j) continue;
    if ('error' in j) {
      joinRows.push([server, 'ERR', j.error, '-', '-']);
      continue;
    }
    joinRows.push([
      server,
      `${j.firstFrameMs.count}/${j.trials.length}`,
      `${f(j.firstFrameMs.p50, 0)}/${f(j.firstFrameMs.p95, 0)}/${f(j.firstFrameMs.max, 0)}`,
      `${f(j.firstRtpMs.p50)}/${f(j.firstRtpMs.max)}`,
      String(j.trials.filter((t) => t.errors).length),
    ]);
  }
  parts.push('', 'Join mid-GOP (ffmpeg, RTSP over TCP, random point of the 2 s GOP, PLAY to first decoded I picture):', '', table(joinRows));

  // Targets from issue 3, judged on Tidecast's rows.
  const targets = [['target', 'measured', 'verdict']];
  const verdict = (ok: boolean | undefined): string => (ok === undefined ? 'n/a' : ok ? 'PASS' : 'MISS');
  for (const tr of ['udp', 'tcp'] as const) {
    const r = tide.find((x) => x.transport === tr && x.n === 500);
    const l = r?.load;
    targets.push([
      `500 ${tr.toUpperCase()} readers, 0 % loss`,
      l ? `${l.playing}/500 playing, loss ${f(l.lossPct, 3)} % (${l.lost} packets)` : r ? `ERR ${r.error ?? ''}` : 'not run',
      verdict(r ? !!l && l.playing === 500 && l.lost === 0 && l.silentTracks === 0 : undefined),
    ]);
  }
  if (ratios.length > 0) {
    const worst = Math.max(...ratios.map((x) => x.cpu));
    targets.push(['CPU per reader <= gst-rtsp-server\'s', ratios.map((x) => `${caseName(x.t)} ${f(x.cpu, 2)}x`).join(', '), verdict(worst <= 1)]);
  } else {
    targets.push(['CPU per reader <= gst-rtsp-server\'s', 'peer not measured', 'n/a']);
  }
  const p50s = tide.filter((r) => r.load).map((r) => r.load!.firstRtpMs.p50);
  targets.push([
    'first RTP packet p50 <= 10 ms',
    tide.map((r) => `${caseName(r)} ${f(r.load?.firstRtpMs.p50 ?? NaN)} ms`).join(', '),
    verdict(p50s.length ? Math.max(...p50s) <= 10 : undefined),
  ]);
  const tj = joins.tidecast;
  targets.push([
    'first decodable frame <= 150 ms (join mid-GOP, max of trials)',
    tj && !('error' in tj) ? `p50 ${f(tj.firstFrameMs.p50, 0)} ms, max ${f(tj.firstFrameMs.max, 0)} ms, ${tj.firstFrameMs.count}/${tj.trials.length} trials` : 'not run',
    verdict(tj && !('error' in tj) ? tj.firstFrameMs.count === tj.trials.length && tj.firstFrameMs.max <= 150 : undefined),
  ]);
  const kbs = tide.filter((r) => r.load).map(perReaderKb);
  targets.push([
    'RSS growth <= 50 KB per reader',
    tide.map((r) => `${caseName(r)} ${f(perReaderKb(r), 0)} KB`).join(', '),
    verdict(kbs.length ? Math.max(...kbs) <= 50 : undefined),
  ]);
  parts.push('', 'Targets (issue 3), Tidecast:', '', table(targets), '', peerNote);

  parts.push(
    ...caseNotes(results, {
      behind: (l) => `a reader fell behind real time (slowest ${f(l.realtime.min, 2)}x)`,
      rtpInfo: (l) => `RTP-Info: ${l.rtpInfoMismatches} tracks differ from the first packet (${l.rtpInfoNoSeq} without seq), e.g. ${l.rtpInfoExamples[0]}`,
      tail: (r, l, tag) => [
        `${tag}: ${f(l.packetsPerSecond, 0)} RTP pkt/s received (${f(l.packetsPerSecond / Math.max(1, l.playing), 1)}/reader), ` +
          `server CPU mean ${f(r.cpuPctMean)} % over ${r.cpuSamples} samples, publisher CPU ${f(r.publisherCpuPctMedian)} %, ` +
          `client loop delay p99 +${f(l.clientLoopDelayMs.p99)} ms, client socket drops ${l.clientUdpDrops}, host UDP RcvbufErrors +${r.udpRcvbufErrors}, SndbufErrors +${r.udpSndbufErrors}`,
      ],
      stderrLabel: 'server/publisher stderr',
    }),
  );
  return parts.join('\n');
}
