// The stats overlay and window.tidecastStats: one object per refresh, read by people (overlay) and by tests and tools (window).
import type { EngineStats, Mode, PlayerState, TrackStats } from './engine.js';
import type { RenditionStats } from './renditions.js';
import type { SkewStats } from './sync-probe.js';

export interface TidecastStats extends Partial<EngineStats> {
  mode: Mode;
  path: string;
  state: PlayerState;
  /** The message shown in the page, if any (unknown path, unsupported codec, dropped connection). */
  message: string | null;
  /** Seconds; duration null for live paths. */
  position: number;
  duration: number | null;
  reconnects: number;
  /** Times a server REDIRECT (or 302) moved the ws mode to another server, and the last place it went. */
  redirects: number;
  redirectedTo: string | null;
  /** ws mode: the variant playing (the main path is "source") and whether the picker chose it. */
  rendition?: RenditionStats | null;
  /** Seconds to the next reconnect attempt while reconnecting. */
  reconnectIn: number | null;
  /** Flash + beep measurement (ws mode, on the sample clips and testsrc). */
  sync: SkewStats;
  /** Every paired flash/beep skew so far, ms (positive: audio ahead). */
  skewSamples: number[];
  /** performance.now() of this snapshot. */
  at: number;
}

declare global {
  interface Window {
    tidecastStats?: TidecastStats;
  }
}

const f = (x: number | null | undefined, unit = ''): string => (x === null || x === undefined ? '-' : `${Math.round(x)}${unit}`);

function trackLines(name: string, t: TrackStats | undefined): string[] {
  if (!t) return [];
  return [
    `${name} ${t.codec}: ${t.packets} pkts, lost ${t.lost}, late ${t.late}, reordered ${t.reordered}`,
    `  jitter ${t.jitterMs.toFixed(1)} ms, buffer ${f(t.bufferDepthMs)} ms, target ${f(t.playoutTargetMs)} ms${t.networkTargetMs < t.playoutTargetMs - 0.5 ? ` (network ${f(t.networkTargetMs)})` : ''}, delay ${f(t.playoutDelayMs)} ms, SRs ${t.senderReports}`,
  ];
}

export function formatStats(s: TidecastStats): string {
  const lines = [`mode ${s.mode}  ${s.state}  /${s.path}${s.rendition && s.rendition.choices.length > 1 ? `  rendition ${s.rendition.name}${s.rendition.auto ? ' (auto)' : ''}` : ''}`];
  lines.push(...trackLines('video', s.tracks?.video), ...trackLines('audio', s.tracks?.audio));
  lines.push(`frames decoded ${s.framesDecoded ?? 0}, shown ${s.framesShown ?? 0}, dropped ${s.framesDropped ?? 0}; audio decoded ${s.audioFramesDecoded ?? 0}${s.audioOutputResyncs ? `, output restarts ${s.audioOutputResyncs}${s.audioOutputRestartCauses ? ` (dry ${s.audioOutputRestartCauses.dry}, media gap ${s.audioOutputRestartCauses.mediaGap}, early ${s.audioOutputRestartCauses.early})` : ''}, skipped ${s.audioOutputSkipped ?? 0} (guard ${f(s.audioOutputGuardMs)} ms)` : ''}`);
  lines.push(`A/V skew ${f(s.avSkewMs, ' ms')} (${s.syncMode ?? '-'})  e2e latency ${f(s.e2eLatencyMs, ' ms')}${s.audioFloorMs ? `  lip-sync floor ${f(s.audioFloorMs)} ms` : ''}`);
  if (s.sync.samples > 0) lines.push(`flash/beep skew median ${f(s.sync.medianMs)} ms [${f(s.sync.minMs)}, ${f(s.sync.maxMs)}] n=${s.sync.samples}`);
  if (s.reconnects > 0) lines.push(`reconnects ${s.reconnects}`);
  if (s.redirects > 0) lines.push(`redirected ${s.redirects}x, to ${s.redirectedTo}`);
  return lines.join('\n');
}
