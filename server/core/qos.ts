// A reader's link judged from its receiver reports: good, congested or failing, with hysteresis so that it steps
// down at once on a bad report and back up one level only after several clean ones (no flapping).
// Protocol-neutral: RTSP feeds it RTCP figures; the clock is a parameter so tests drive it with a simulated one.

export type QosState = 'good' | 'congested' | 'failing';

export const QOS_STATES: readonly QosState[] = ['good', 'congested', 'failing'];

export interface QosThresholds {
  /** Fraction lost (0..1) in one report at or above which the link is congested. */
  lossCongested: number;
  /** Fraction lost at or above which it is failing. */
  lossFailing: number;
}

/** One receiver report as the judge sees it. */
export interface QosReport {
  /** 0..1 over the report's interval (RFC 3550 §6.4.1). */
  fractionLost: number;
  cumulativeLost: number;
  jitterMs: number;
  /** Round-trip time from LSR/DLSR (RFC 3550 §6.4.1), when the report names an SR we sent. */
  rttMs?: number | undefined;
}

export interface QosOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** Clean reports in a row before the state steps up one level. */
  cleanReports?: number;
  /** Least time in a state before it may step up, however fast reports come (bursts of RRs). */
  holdMs?: number;
}

export const DEFAULT_CLEAN_REPORTS = 3;
export const DEFAULT_HOLD_MS = 4000;

const rank = (s: QosState): number => QOS_STATES.indexOf(s);

/** What one report alone says about the link. */
export function judgeReport(r: QosReport, t: QosThresholds): QosState {
  if (r.fractionLost >= t.lossFailing) return 'failing';
  if (r.fractionLost >= t.lossCongested) return 'congested';
  return 'good';
}

export class QosJudge {
  state: QosState = 'good';
  /** The latest report, for the API. */
  last: QosReport | undefined;
  reports = 0;
  /** Reports in a row better than the current state. */
  private clean = 0;
  private since: number;
  private readonly cleanNeeded: number;
  private readonly holdMs: number;

  constructor(private readonly opts: QosOptions) {
    this.since = opts.now();
    this.cleanNeeded = Math.max(1, opts.cleanReports ?? DEFAULT_CLEAN_REPORTS);
    this.holdMs = opts.holdMs ?? DEFAULT_HOLD_MS;
  }

  /** Takes one report; returns the state before it when the state changed, else undefined. */
  report(r: QosReport, t: QosThresholds): QosState | undefined {
    this.last = r;
    this.reports++;
    const said = judgeReport(r, t);
    const before = this.state;
    if (rank(said) > rank(before)) return this.move(said, before);
    if (rank(said) === rank(before)) {
      this.clean = 0;
      return undefined;
    }
    this.clean++;
    if (this.clean < this.cleanNeeded || this.opts.now() - this.since < this.holdMs) return undefined;
    return this.move(QOS_STATES[rank(before) - 1]!, before);
  }

  /** Starts over at good (the reader moved to another stream: what it reported of the old one says nothing of the new). */
  reset(): void {
    this.state = 'good';
    this.clean = 0;
    this.since = this.opts.now();
  }

  private move(to: QosState, from: QosState): QosState {
    this.state = to;
    this.clean = 0;
    this.since = this.opts.now();
    return from;
  }
}

/** A reader's QoS as the API shows it (GET /api/v1/sessions: `qos`). */
export interface QosRecord {
  state: QosState;
  /** Of the latest receiver report: 0..1. */
  fractionLost: number;
  cumulativeLost: number;
  jitterMs: number;
  /** From the latest report that named an SR we sent (LSR/DLSR); absent before one. */
  rttMs?: number;
  /** What the reader is spared now: none, non-reference (frames), key-frames (only); off when it cannot be thinned. */
  thinning: 'off' | 'none' | 'non-reference' | 'key-frames';
  /** Receiver reports judged so far. */
  reports: number;
  /** Video frames withheld, and key frames sent since thinning was first asked. */
  thinnedFrames: number;
  keyFrames: number;
  /** A path with renditions (docs/renditions.md): `main`, or the name of the rendition this reader is switched to. */
  rendition?: string;
  /** RTP packets sent per media kind. */
  videoPackets: number;
  audioPackets: number;
}
