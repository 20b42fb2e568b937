// The RTSP benchmarks' shared report parts: per-reader costs, the per-case table's columns, the Tidecast/gst ratio table, per-case notes.
import type { LoadResult } from '../load-client/types.js';
import type { RtspCaseResult } from './cases.js';
import { f, table, type Column } from './table.js';

const playing = (r: RtspCaseResult): number => r.load?.playing || r.n;
export const perReaderCpu = (r: RtspCaseResult): number => r.cpuPctMedian / playing(r);
export const perReaderKb = (r: RtspCaseResult): number => (r.rssPeakKb - r.rssIdleKb) / playing(r);

/** A cell from the load client's result, '-' when the client failed. */
export const ofLoad = (cell: (l: LoadResult) => string) => (r: RtspCaseResult): string => (r.load ? cell(r.load) : '-');

/** The per-case table: the shared columns, `afterCpu` after the CPU median, `tail` at the end. */
export function caseColumns<R extends RtspCaseResult>(afterCpu: Column<R>[], tail: Column<R>[]): Column<R>[] {
  return [
    ['server', (r) => r.server],
    ['transport', (r) => r.transport.toUpperCase()],
    ['N', (r) => String(r.n)],
    ['playing', (r) => (r.load ? String(r.load.playing) : 'ERR')],
    ['CPU % (median)', (r) => f(r.cpuPctMedian)],
    ...afterCpu,
    ['CPU %/reader', (r) => f(perReaderCpu(r), 3)],
    ['RSS idle MB', (r) => f(r.rssIdleKb / 1024)],
    ['RSS peak MB', (r) => f(r.rssPeakKb / 1024)],
    ['KB/reader', (r) => f(perReaderKb(r), 0)],
    ['loss %', ofLoad((l) => f(l.lossPct, 3))],
    ['real-time p50/min', ofLoad((l) => `${f(l.realtime.p50, 2)}/${f(l.realtime.min, 2)}`)],
    ...tail,
  ];
}

export interface Ratio<R> {
  t: R;
  cpu: number;
  kb: number;
}

/**
 * Tidecast's per-reader CPU and RSS over gst's for the cases both ran; `table` is undefined when
 * gst ran no case. `shortOfFullRate`: the peer spent less than a full-rate reader costs.
 */
export function ratioTable<R extends RtspCaseResult>(results: R[], shortOfFullRate: (l: LoadResult) => boolean): { table?: string; ratios: Ratio<R>[] } {
  const tide = results.filter((r) => r.server === 'tidecast');
  const gst = results.filter((r) => r.server === 'gst');
  const ratios: Ratio<R>[] = [];
  if (gst.length === 0) return { ratios };
  const rows = [['transport', 'N', 'CPU/reader Tidecast/gst', 'RSS/reader Tidecast/gst']];
  for (const t of tide) {
    const g = gst.find((x) => x.transport === t.transport && x.n === t.n);
    if (!g) continue;
    const gl = g.load;
    const flag = !gl ? ' (gst failed)' : shortOfFullRate(gl) ? ' (gst not at full rate: see notes)' : '';
    const cpu = perReaderCpu(t) / perReaderCpu(g);
    const kb = perReaderKb(t) / perReaderKb(g);
    ratios.push({ t, cpu, kb });
    rows.push([t.transport.toUpperCase(), String(t.n), f(cpu, 2) + flag, f(kb, 2)]);
  }
  return { table: table(rows), ratios };
}

/** How a bench words the notes that differ between benches. */
export interface NoteWording<R> {
  /** After "<tag>: " when the slowest reader is below 0.95x real time. */
  behind: (l: LoadResult) => string;
  /** After "<tag>: " when tracks' first packets differ from RTP-Info. */
  rtpInfo: (l: LoadResult) => string;
  /** The last notes of a case with a load result. */
  tail: (r: R, l: LoadResult, tag: string) => string[];
  /** Names the server's captured stderr. */
  stderrLabel: string;
}

/** Per-case notes as report lines: a blank line, "Notes:" and one "- " line each; nothing when there are none. */
export function caseNotes<R extends RtspCaseResult>(results: R[], w: NoteWording<R>): string[] {
  const notes: string[] = [];
  for (const r of results) {
    const tag = `${r.server} ${r.transport.toUpperCase()} N=${r.n}`;
    if (r.error) notes.push(`${tag}: ERROR ${r.error}`);
    const l = r.load;
    if (l) {
      if (l.failed > 0) notes.push(`${tag}: ${l.failed} readers failed: ${JSON.stringify(l.errors)}`);
      if (l.lost > 0) notes.push(`${tag}: lost ${l.lost} of ${l.expected} packets in ${l.gaps} gaps`);
      if (l.realtime.min < 0.95) notes.push(`${tag}: ${w.behind(l)}`);
      if (l.silentTracks > 0) notes.push(`${tag}: ${l.silentTracks} tracks got no RTP`);
      if (l.rtpInfoMismatches > 0) notes.push(`${tag}: ${w.rtpInfo(l)}`);
      if (l.teardownOk < l.playing) notes.push(`${tag}: TEARDOWN answered for ${l.teardownOk}/${l.playing}`);
      notes.push(...w.tail(r, l, tag));
    }
    if (r.serverStderr) notes.push(`${tag}: ${w.stderrLabel}: ${r.serverStderr.split('\n').slice(-3).join(' | ').slice(0, 400)}`);
  }
  return notes.length > 0 ? ['', 'Notes:', ...notes.map((n) => `- ${n}`)] : [];
}

/** "udp"/"tcp" and N as in the targets, e.g. "UDP500". */
export const caseName = (r: RtspCaseResult): string => `${r.transport.toUpperCase()}${r.n}`;
