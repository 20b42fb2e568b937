// One RTSP reader's QoS: its RTCP receiver reports judged (core/qos.ts) into good, congested or failing, the
// round-trip time from LSR/DLSR against the SRs we sent it, and its thinning level (core/thinner.ts) when it
// reads over plain UDP and its path's qos.thinning is on, and its step on the path's rendition ladder
// (reader-renditions.ts) when the path has renditions and qos.renditions is on. The keys are read per report: a reload applies.
import { QosJudge, type QosRecord, type QosState } from '../core/qos.js';
import { THINNING_NAMES, Thinner, type ThinLevel } from '../core/thinner.js';
import type { Counters } from '../core/counters.js';
import type { RtcpReportBlock } from '../rtp/rtcp.js';
import { qosSettingsOf, type QosSettings } from '../config-qos.js';
import type { Config } from '../config.js';
import type { RtspSession, SessionQos } from './session.js';
import { ReaderRenditions, type RenditionAccess } from './reader-renditions.js';

const LEVEL: Record<QosState, ThinLevel> = { good: 0, congested: 1, failing: 2 };
/** SRs remembered per reader for round-trip times: a report names one of the last few. */
const SENT_SRS = 16;
const RTCP_SR = 200;

export const THINNING_TRANSITIONS = 'qos_thinning_transitions';

export class ReaderQos implements SessionQos {
  readonly judge: QosJudge;
  private readonly thinner: Thinner | undefined;
  private readonly sent: { lsr: number; at: number }[] = [];
  private rttMs: number | undefined;
  private readonly renditions: ReaderRenditions | undefined;
  /** Tracks whose next report straddles a switch to another stream: it is not judged. */
  private readonly straddling = new Set<number>();

  constructor(
    private readonly session: RtspSession,
    private readonly config: Pick<Config, 'qos' | 'paths'>,
    private readonly counters: Counters,
    private readonly now: () => number = () => performance.now(),
    access?: RenditionAccess,
  ) {
    this.judge = new QosJudge({ now });
    const video = session.mediaTracks.find((t) => t.kind === 'video');
    this.thinner = video ? new Thinner(video.id) : undefined;
    if (access && session.media.kind === 'live') {
      this.renditions = new ReaderRenditions(session, access, counters, now, { switched: () => this.afterSwitch(), drain: (on) => this.drain(on) });
    }
  }

  /** The reader stopped playing (PAUSE, TEARDOWN, its session ended): any switch lets go of its streams. */
  stop(): void {
    this.renditions?.stop();
  }

  /** RFC 3550 §6.4.1: LSR is the middle 32 bits of the SR's NTP timestamp (bytes 10..13 of the SR). */
  noteSent(_trackId: number, d: Uint8Array): void {
    if (d.length < 16 || d[1] !== RTCP_SR) return;
    const lsr = ((d[10]! << 24) | (d[11]! << 16) | (d[12]! << 8) | d[13]!) >>> 0;
    this.sent.push({ lsr, at: this.now() });
    if (this.sent.length > SENT_SRS) this.sent.shift();
  }

  noteReport(trackId: number, b: RtcpReportBlock): void {
    if (b.lastSr !== 0) {
      const sr = this.sent.findLast((s) => s.lsr === b.lastSr);
      // DLSR is in units of 1/65536 s.
      if (sr) this.rttMs = Math.max(0, Math.round((this.now() - sr.at - b.delaySinceLastSr / 65.536) * 10) / 10);
    }
    // The first report after a switch covers packets of the old stream too: what it says is not about the new one.
    if (this.straddling.delete(trackId)) return;
    const clock = this.session.mediaTracks.find((t) => t.id === trackId)?.clockRate ?? 90000;
    const settings = this.settings();
    this.judge.report(
      { fractionLost: b.fractionLost / 256, cumulativeLost: b.cumulativeLost, jitterMs: (b.jitter / clock) * 1000, rttMs: this.rttMs },
      settings,
    );
    this.renditions?.report(this.judge.state, settings.renditions && this.thinnable());
    this.applyThinning(settings);
  }

  /** Withholds the reader's video (its thinner renumbers past it) until the switch, or lets it through again. */
  private drain(on: boolean): void {
    const t = this.thinner;
    if (!t || t.hold === on) return;
    t.hold = on;
    this.applyThinning(this.settings());
  }

  /** On another stream now: judged afresh from its next reports, thinning lifted until they say otherwise. */
  private afterSwitch(): void {
    this.judge.reset();
    for (const t of this.session.tracks.keys()) this.straddling.add(t);
    this.applyThinning(this.settings());
  }

  record(): QosRecord {
    const last = this.judge.last;
    const t = this.thinner;
    const kindOf = (id: number): string | undefined => this.session.mediaTracks.find((x) => x.id === id)?.kind;
    const packets = (kind: string): number => this.session.trackPackets.reduce((sum, n, id) => (kindOf(id) === kind ? sum + (n ?? 0) : sum), 0);
    return {
      state: this.judge.state,
      fractionLost: last?.fractionLost ?? 0,
      cumulativeLost: last?.cumulativeLost ?? 0,
      jitterMs: Math.round((last?.jitterMs ?? 0) * 100) / 100,
      ...(this.rttMs !== undefined ? { rttMs: this.rttMs } : {}),
      thinning: t && this.settings().thinning && this.thinnable() ? THINNING_NAMES[t.level] : 'off',
      ...(this.renditions?.applies ? { rendition: this.renditions.current } : {}),
      reports: this.judge.reports,
      thinnedFrames: t?.droppedFrames ?? 0,
      keyFrames: t?.keyFrames ?? 0,
      videoPackets: packets('video'),
      audioPackets: packets('audio'),
    };
  }

  private settings(): QosSettings {
    return qosSettingsOf(this.config, this.session.path);
  }

  /**
   * Plain UDP unicast only: TCP has its own back-pressure (skip to the next key frame), SRTP would
   * need a per-reader seal of every renumbered packet, and a multicast group is shared.
   */
  private thinnable(): boolean {
    const t = this.thinner && this.session.tracks.get(this.thinner.trackId);
    return t !== undefined && t.transport.kind === 'udp' && !t.srtp;
  }

  private applyThinning(settings: QosSettings): void {
    const t = this.thinner;
    if (!t) return;
    const target: ThinLevel = settings.thinning && this.thinnable() ? LEVEL[this.judge.state] : 0;
    if (target !== t.target) {
      this.counters.inc(THINNING_TRANSITIONS, { to: THINNING_NAMES[target] });
      t.target = target;
    }
    const s = this.session;
    if ((target > 0 || t.hold) && s.thin === undefined) {
      // Live: pick up after the packet the reader got last, so a frame under way is not cut.
      if (s.media.kind === 'live' && !this.renditions?.switched) t.resumeAfter(s.media.stream.lastPacket(t.trackId));
      s.thin = t;
    } else if (s.thin !== undefined && t.idle) s.thin = undefined;
  }
}
