// Cuts a live stream's access units into LL-HLS parts (fMP4 fragments of ~part target) and segments starting at key frames.
import type { TimedUnit } from '../../core/au-view.js';
import type { Track } from '../../media/track.js';
import { fmp4Supports, nalSamples, sampleOf, writeFragment, writeInitSegment, type Fmp4Run, type Fmp4Sample, type Fmp4Track } from '../../mux/fmp4/index.js';

export interface SegmenterOptions {
  /** Seconds. */
  partTarget: number;
  /** Seconds: a segment ends at the first key frame after this. */
  segmentMin: number;
  /** Seconds: a segment still without a key frame after this fails the muxer (memory stays bounded). */
  segmentMax: number;
}

export interface CutPart {
  data: Uint8Array;
  /** Seconds, in the leading track's time. */
  duration: number;
  /** Starts with a key frame (always true for a segment's first part). */
  independent: boolean;
  /** Unix ms of the part's first frame. */
  wallMs: number;
}

export interface SegmenterSink {
  /** A part of the open segment (the first part after segmentEnd() opens the next segment). */
  part(p: CutPart): void;
  /** The open segment is complete: the next part starts with a key frame. */
  segmentEnd(): void;
  /** The stream cannot be segmented (no key frame in segmentMax); the muxer stops with this reason. */
  fail(reason: string): void;
}

interface TrackState {
  fmp4: Fmp4Track;
  video: boolean;
  /** The last unit, held until the next one gives its duration (dts delta). */
  pending: TimedUnit | undefined;
  queue: { dts: number; sample: Fmp4Sample }[];
}

/**
 * Decode and presentation times are the stream's plus 10 s: the stream timeline may start a few
 * frames below 0 (dts before pts, a track that began earlier) and fMP4 decode times cannot be negative.
 */
const BASE_SECONDS = 10;
/** A part's worth of frames for a track that leads nothing: beyond this its oldest are dropped (a stalled leader). */
const MAX_QUEUE = 2000;
/** Seconds a track may lag the leader before parts stop waiting for it. */
const MAX_LAG = 1;

/** Video codecs an HLS fMP4 stream carries (VP8 has no HLS codec: Apple's and hls.js's lists know vp09 and av01 only). */
const HLS_VIDEO = new Set(['H264', 'H265', 'VP9', 'AV1']);

/**
 * Picks the tracks an HLS fMP4 stream carries: the first video and the first audio fMP4 supports.
 * LPCM and M-JPEG fit fMP4 but no HLS client plays them (RFC 8216 players: hls.js, Safari): they
 * are left out here and served by stream.mp4; G.711, G.722 and KLV have no place in either.
 */
export function hlsTracks(tracks: Track[]): Track[] {
  const video = tracks.find((t) => t.kind === 'video' && HLS_VIDEO.has(t.codec));
  const audio = tracks.find(hlsAudio);
  return [video, audio].filter((t): t is Track => t !== undefined);
}

/** An audio track HLS fMP4 carries. A live MP3 or AC-3 track learns its sample entry from its first frame header (see Segmenter.push). */
export const hlsAudio = (t: Track): boolean => t.kind === 'audio' && (((t.codec === 'AAC' || t.codec === 'OPUS') && fmp4Supports(t)) || t.codec === 'MPA' || t.codec === 'AC3');

export class Segmenter {
  private readonly states = new Map<number, TrackState>();
  private readonly leader: number;
  private readonly leaderClock: number;
  private started = false;
  private partStart = 0;
  private segStart = 0;
  private partWallMs = 0;
  /**
   * PROGRAM-DATE-TIME = the first frame's wall clock + media time since it. The units' own wallMs
   * can jump when the publisher's first RTCP SR replaces arrival time; PDT that does not advance
   * exactly with EXTINF makes hls.js (which places parts by PDT) reload the same parts in a loop.
   */
  private anchorWallMs = 0;
  private anchorDts = 0;
  /** The first key frame's pts (leader ticks): other tracks start at or after it. */
  private startPts = 0;
  /**
   * Leader ticks added to video decode times: the first key frame's pts - dts (its reorder delay,
   * 2 frames from the DTS estimate, with or without B-frames), so a key frame decodes at its
   * presentation time and the frames around it get negative composition offsets (trun v1).
   * Cuts are decided on these decode times, so every part and segment starts where its video is
   * presented and the other tracks are cut at that same time. Cut at the unshifted dts, each
   * segment's audio ended ~2 frames (67 ms at 30 fps) before its video did: MSE's buffered range
   * (the intersection of the tracks) stopped short of where hls.js places the next segment (at its
   * video's presentation time), and hls.js loading parts at the live edge looks the next fragment
   * up at the buffered end with no tolerance: it found the segment it had just loaded, loaded
   * nothing, and stalled until that segment's parts left the playlist (three target durations).
   */
  private shift = 0;
  private partIndependent = true;
  /** Where the last decided cut is (leader ticks): part durations are decided from here. */
  private decidedStart = 0;
  /** Cuts decided on the leader, waiting for the other tracks to reach them. */
  private cuts: { end: number; next: TimedUnit | undefined; newSegment: boolean }[] = [];
  private sequence = 1;
  private failed = false;
  /** ftyp+moov, made at the first key frame (live parameter sets may arrive in band). */
  init: Uint8Array | undefined;

  constructor(
    tracks: Track[],
    private readonly opts: SegmenterOptions,
    private readonly sink: SegmenterSink,
  ) {
    for (const t of tracks) {
      this.states.set(t.id, { fmp4: { id: t.id + 1, track: t, timescale: t.clockRate }, video: t.kind === 'video', pending: undefined, queue: [] });
    }
    const lead = tracks.find((t) => t.kind === 'video') ?? tracks[0];
    if (!lead) throw new Error('no track to segment');
    this.leader = lead.id;
    this.leaderClock = lead.clockRate;
  }

  get tracks(): Fmp4Track[] {
    return [...this.states.values()].map((s) => s.fmp4);
  }

  push(u: TimedUnit): void {
    const st = this.states.get(u.trackId);
    if (!st || this.failed) return;
    const isLeader = u.trackId === this.leader;
    if (!this.started) {
      // Everything starts at the leader's first key frame; earlier units of any track are dropped.
      if (!isLeader || (st.video && !u.au.key)) return;
      // Parameter sets (video) or the first frame header (MP3, AC-3) still unknown: the init segment waits.
      if ([...this.states.values()].some((s) => !fmp4Supports(s.fmp4.track))) return;
      this.started = true;
      this.init = writeInitSegment(this.tracks);
      // Bounded: a reorder delay is a few frames; anything longer is not one to align on.
      this.shift = st.video ? Math.min(Math.max(0, u.au.pts - u.au.dts), this.leaderClock) : 0;
      const start = u.au.dts + this.shift;
      this.partStart = this.segStart = this.decidedStart = start;
      this.anchorWallMs = this.partWallMs = u.wallMs;
      this.anchorDts = start;
      this.startPts = u.au.pts;
    }
    // Video decode times on the presentation timeline (see `shift`); pts and the samples' cto follow.
    if (isLeader && this.shift !== 0) u = { ...u, au: { ...u.au, dts: u.au.dts + this.shift } };
    // Audio from before the first key frame arrives after it (see emitReady): not part of the stream here.
    if (!isLeader && !st.pending && u.au.pts / st.fmp4.timescale < this.startPts / this.leaderClock) return;
    if (st.pending) this.enqueue(st, st.pending, u.au.dts - st.pending.au.dts);
    if (isLeader) this.decide(u);
    st.pending = u;
    this.emitReady();
  }

  /** The source ended: the held frames go out as a last part. */
  flush(): void {
    if (!this.started || this.failed) return;
    let end = this.decidedStart;
    for (const st of this.states.values()) {
      const p = st.pending;
      if (!p) continue;
      this.enqueue(st, p, p.au.duration);
      if (p.trackId === this.leader) end = p.au.dts + p.au.duration;
      st.pending = undefined;
    }
    if (end > this.decidedStart) this.cuts.push({ end, next: undefined, newSegment: true });
    for (const c of this.cuts.splice(0)) this.cut(c.end, c.next, c.newSegment);
  }

  private decide(next: TimedUnit): void {
    const st = this.states.get(this.leader)!;
    const clock = this.leaderClock;
    const prev = st.pending;
    const frame = prev ? next.au.dts - prev.au.dts : 0;
    const segElapsed = next.au.dts - this.segStart;
    const canStartSegment = st.video ? next.au.key : true;
    if (canStartSegment && segElapsed >= this.opts.segmentMin * clock) {
      this.decideCut(next, true);
      return;
    }
    if (segElapsed > this.opts.segmentMax * clock) {
      this.failed = true;
      this.sink.fail(`no key frame for ${this.opts.segmentMax} s: HLS segments must start at key frames; publish with a shorter GOP`);
      return;
    }
    // Cut when the part is within half a frame of the target: parts are whole frames, and this
    // keeps them closest to the target (0.2 s at 30 fps = 6 frames, at 24 fps 5 frames = 0.208 s).
    if (next.au.dts - this.decidedStart >= this.opts.partTarget * clock - frame / 2) this.decideCut(next, false);
  }

  private decideCut(next: TimedUnit, newSegment: boolean): void {
    this.cuts.push({ end: next.au.dts, next, newSegment });
    this.decidedStart = next.au.dts;
    if (newSegment) this.segStart = next.au.dts;
  }

  /**
   * Emits the decided cuts every track has reached. Publishers send audio somewhat after the video
   * of the same time (ffmpeg ~0.3 s, measured); a part closed on video alone would end its audio
   * early, and MSE's buffered range (the intersection of the tracks) would then end before the
   * segment does: hls.js, joining there, reloaded that segment's parts in a loop. A track that
   * lags more than MAX_LAG (or never sent anything) does not hold the parts back.
   */
  private emitReady(): void {
    const leadPending = this.states.get(this.leader)!.pending;
    while (this.cuts.length > 0) {
      const c = this.cuts[0]!;
      const t = c.end / this.leaderClock;
      const lagging = leadPending !== undefined && (leadPending.au.dts - c.end) / this.leaderClock > MAX_LAG;
      let reached = true;
      for (const st of this.states.values()) {
        if (st.fmp4.track.id === this.leader || !st.pending) continue;
        if (st.pending.au.dts / st.fmp4.timescale < t) reached = false;
      }
      if (!reached && !lagging) return;
      this.cuts.shift();
      this.cut(c.end, c.next, c.newSegment);
    }
  }

  private enqueue(st: TrackState, u: TimedUnit, duration: number): void {
    const au = u.au;
    const base = BASE_SECONDS * st.fmp4.timescale;
    if (au.dts + base < 0) return; // far before the stream's zero: cannot be placed
    st.queue.push({ dts: au.dts, sample: sampleOf(au, duration > 0 ? duration : au.duration, st.video, au.pts - au.dts, st.video && nalSamples(st.fmp4.track)) });
    if (st.queue.length > MAX_QUEUE) st.queue.shift();
  }

  /** Emits the queued samples of every track before `end` (leader ticks) as one part. */
  private cut(end: number, next: TimedUnit | undefined, newSegment: boolean): void {
    const runs: Fmp4Run[] = [];
    const t = end / this.leaderClock;
    for (const st of this.states.values()) {
      let n = 0;
      while (n < st.queue.length && st.queue[n]!.dts / st.fmp4.timescale < t) n++;
      if (next === undefined) n = st.queue.length; // the last part takes everything
      if (n === 0) continue;
      const base = BASE_SECONDS * st.fmp4.timescale;
      const taken = st.queue.splice(0, n);
      runs.push({ trackId: st.fmp4.id, baseDecodeTime: taken[0]!.dts + base, samples: taken.map((q) => q.sample) });
    }
    if (runs.length > 0) {
      this.sink.part({
        data: writeFragment(this.sequence++, runs),
        duration: (end - this.partStart) / this.leaderClock,
        independent: this.partIndependent,
        wallMs: this.partWallMs,
      });
    }
    this.partStart = end;
    if (next) {
      this.partWallMs = this.anchorWallMs + ((next.au.dts - this.anchorDts) * 1000) / this.leaderClock;
      const lead = this.states.get(this.leader)!;
      this.partIndependent = lead.video ? next.au.key : true;
    }
    if (newSegment) this.sink.segmentEnd();
  }
}
