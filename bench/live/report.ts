// The live benchmark's tables: per case, Tidecast/gst ratios, the mid-GOP join, and the targets.
import { f, table } from '../lib/table.js';
import type { LiveCaseResult } from './case.js';
import type { JoinResult } from './join.js';

const playing = (r: LiveCaseResult): number => r.load?.playing || r.n;
export const perReaderCpu = (r: LiveCaseResult): number => r.cpuPctMedian / playing(r);
export const perReaderKb = (r: LiveCaseResult): number => (r.rssPeakKb - r.rssIdleKb) / playing(r);

export type Joins = Partial<Record<'tidecast' | 'gst', JoinResult | { error: string }>>;

export function liveReport(results: LiveCaseResult[], joins: Joins, peerNote: string): string {
  const rows = [
    [
      'server', 'transport', 'N', 'playing', 'CPU % (median)', 'CPU idle %', 'CPU %/reader', 'RSS idle MB', 'RSS peak MB', 'KB/reader',
      'loss %', 'real-time p50/min', 'first RTP p50/p95 ms', 'first key frame p50/p95 ms', 'client CPU % (procs)', 'client loop p99 ms',
    ],
  ];
  for (const r of results) {
    const l = r.load;
    rows.push([
      r.server,
      r.transport.toUpperCase(),
      String(r.n),
      l ? String(l.playing) : 'ERR',
      f(r.cpuPctMedian),
      f(r.cpuIdlePct),
      f(perReaderCpu(r), 3),
      f(r.rssIdleKb / 1024),
      f(r.rssPeakKb / 1024),
      f(perReaderKb(r), 0),
      l ? f(l.lossPct, 3) : '-',
      l ? `${f(l.realtime.p50, 2)}/${f(l.realtime.min, 2)}` : '-',
      l ? `${f(l.firstRtpMs.p50)}/${f(l.firstRtpMs.p95)}` : '-',
      l ? `${f(l.firstKeyMs.p50, 0)}/${f(l.firstKeyMs.p95, 0)}` : '-',
      `${f(r.clientCpuPctMedian)} (${r.clientProcs})`,
      l ? f(l.clientLoopDelayMs.p99) : '-',
    ]);
  }
  const parts = [table(rows)];

  const tide = results.filter((r) => r.server === 'tidecast');
  const gst = results.filter((r) => r.server === 'gst');
  const ratios: { t: LiveCaseResult; cpu: number; kb: number }[] = [];
  if (gst.length > 0) {
    const ratio = [['transport', 'N', 'CPU/reader Tidecast/gst', 'RSS/reader Tidecast/gst']];
    for (const t of tide) {
      const g = gst.find((x) => x.transport === t.transport && x.n === t.n);
      if (!g) continue;
      const gl = g.load;
      const flag = !gl ? ' (gst failed)' : gl.failed > 0 || gl.realtime.min < 0.95 || gl.lost > 0 ? ' (gst not at full rate: see notes)' : '';
      const cpu = perReaderCpu(t) / perReaderCpu(g);
      const kb = perReaderKb(t) / perReaderKb(g);
      ratios.push({ t, cpu, kb });
      ratio.push([t.transport.toUpperCase(), String(t.n), f(cpu, 2) + flag, f(kb, 2)]);
    }
    parts.push('', table(ratio));
  }

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
    targets.push(['CPU per reader <= gst-rtsp-server\'s', ratios.map((x) => `${x.t.transport.toUpperCase()}${x.t.n} ${f(x.cpu, 2)}x`).join(', '), verdict(worst <= 1)]);
  } else {
    targets.push(['CPU per reader <= gst-rtsp-server\'s', 'peer not measured', 'n/a']);
  }
  const p50s = tide.filter((r) => r.load).map((r) => r.load!.firstRtpMs.p50);
  targets.push([
    'first RTP packet p50 <= 10 ms',
    tide.map((r) => `${r.transport.toUpperCase()}${r.n} ${f(r.load?.firstRtpMs.p50 ?? NaN)} ms`).join(', '),
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
    tide.map((r) => `${r.transport.toUpperCase()}${r.n} ${f(perReaderKb(r), 0)} KB`).join(', '),
    verdict(kbs.length ? Math.max(...kbs) <= 50 : undefined),
  ]);
  parts.push('', 'Targets (issue 3), Tidecast:', '', table(targets), '', peerNote);

  const notes: string[] = [];
  for (const r of results) {
    const tag = `${r.server} ${r.transport.toUpperCase()} N=${r.n}`;
    if (r.error) notes.push(`${tag}: ERROR ${r.error}`);
    const l = r.load;
    if (l) {
      if (l.failed > 0) notes.push(`${tag}: ${l.failed} readers failed: ${JSON.stringify(l.errors)}`);
      if (l.lost > 0) notes.push(`${tag}: lost ${l.lost} of ${l.expected} packets in ${l.gaps} gaps`);
      if (l.realtime.min < 0.95) notes.push(`${tag}: a reader fell behind real time (slowest ${f(l.realtime.min, 2)}x)`);
      if (l.silentTracks > 0) notes.push(`${tag}: ${l.silentTracks} tracks got no RTP`);
      if (l.rtpInfoMismatches > 0) notes.push(`${tag}: RTP-Info: ${l.rtpInfoMismatches} tracks differ from the first packet (${l.rtpInfoNoSeq} without seq), e.g. ${l.rtpInfoExamples[0]}`);
      if (l.teardownOk < l.playing) notes.push(`${tag}: TEARDOWN answered for ${l.teardownOk}/${l.playing}`);
      notes.push(
        `${tag}: ${f(l.packetsPerSecond, 0)} RTP pkt/s received (${f(l.packetsPerSecond / Math.max(1, l.playing), 1)}/reader), ` +
          `server CPU mean ${f(r.cpuPctMean)} % over ${r.cpuSamples} samples, publisher CPU ${f(r.publisherCpuPctMedian)} %, ` +
          `client loop delay p99 +${f(l.clientLoopDelayMs.p99)} ms, client socket drops ${l.clientUdpDrops}, host UDP RcvbufErrors +${r.udpRcvbufErrors}, SndbufErrors +${r.udpSndbufErrors}`,
      );
    }
    if (r.serverStderr) notes.push(`${tag}: server/publisher stderr: ${r.serverStderr.split('\n').slice(-3).join(' | ').slice(0, 400)}`);
  }
  if (notes.length > 0) parts.push('', 'Notes:', ...notes.map((n) => `- ${n}`));
  return parts.join('\n');
}
