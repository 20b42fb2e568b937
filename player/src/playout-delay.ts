// Adaptive playout delay of one RTP track: Ramjee et al.'s delay/variation estimator over transit times, bounded and slew-limited.
//
// For the player: the JitterBuffer owns one of these; use it directly only to plot or test it.
//
//   const d = new PlayoutDelay({ minDelayMs: 20, maxDelayMs: 1000 });
//   d.observe(arrivalMs - mediaMs, arrivalMs);   // every packet (mediaMs: RTP time in ms)
//   const playAt = mediaMs + d.offsetAt(nowMs);  // local time that media instant plays
//
// Model. transit = arrival - media time has an unknown constant offset (sender and receiver clocks
// differ), so the estimator works on n = transit - baseline, the extra delay of a packet over the
// fastest one recently seen (a windowed minimum, so slow clock drift and route changes age out).
// Ramjee, Kurose, Towsley, Schulzrinne, "Adaptive playout mechanisms for packetized audio
// applications in wide-area networks" (INFOCOM 1994), algorithm 1:
//   d = a*d + (1-a)*n;  v = a*v + (1-a)*|d - n|;  target = d + 4v
// The applied delay follows the target at most `slewMsPerSec` per second (WebRTC's timing does the
// same, ~100 ms/s), so the player stretches or skips a little instead of freezing or jumping.

/** Ramjee's packets carried 20 ms of voice: `alpha` is per 20 ms of media at most. */
const REF_PACKET_MS = 20;

/*
 * Joining a live path. The server starts a reader at its GOP cache: up to ~2 s of media from the
 * last key frame in one burst, then the live edge in real time. That burst is not network jitter,
 * and neither is what it costs the receiver: the page is busy depacketizing and decoding it, and
 * the first live packets queue behind that work (measured in Chromium on loopback: nothing for
 * ~0.4 s, then those packets at once, 200-400 ms "late"). Fed to Ramjee's d/v, that one stall
 * raised the target by 100-200 ms, and the slew limit then kept the extra delay for seconds.
 * So the join is kept out of the estimator: while packets come in faster than real time (each one
 * lowers the minimum transit, the baseline, by more than JOIN_CATCH_UP_MS: a burst of 20-33 ms
 * frames in a few ms does, live packets with jitter rarely do) and for `joinSettleMs` after the
 * last such packet, transits only set the baseline; d and v keep their prior (the initial delay)
 * and start learning after it. Jitter present from the start is then learnt ~1 s later than
 * before; jitter that comes later is learnt as ever. A new timeline (restart) is a new join.
 */
/**
 * After the join the prior (the initial delay, or what was learnt before a restart) counts as this
 * many packets: the first packets after it move d and v nearly as a running mean would (a =
 * (k + 20) / (k + 21) for the k-th), so the target reaches what the network needs within a second
 * or two instead of decaying from the prior at 1 % a packet; from the 80th packet on, `alpha`.
 */
const PRIOR_PACKETS = 20;
/** A packet lowering the baseline by more than this came in faster than real time: a catch-up burst. */
const JOIN_CATCH_UP_MS = 8;
/** The join ends this long after the first packet at the latest, whatever arrives. */
const JOIN_MAX_MS = 5000;

export interface PlayoutDelayOptions {
  /** Lower bound of the target. Default 20 ms: about one audio frame, some slack for decode. */
  minDelayMs?: number;
  /** Upper bound of the target. Default 1000 ms. */
  maxDelayMs?: number;
  /** Target before any packet has been seen (v starts at a quarter of it). Default 100 ms. */
  initialDelayMs?: number;
  /**
   * Smoothing factor a per packet of up to 20 ms of media. Default 0.99. Ramjee's 0.998002
   * assumed 20 ms voice packets and a spike detector; at our packet rates (50/s audio, 100-300/s
   * video) it would take 20 s and more to forget jitter that stopped, 0.99 forgets it in a few
   * seconds and is still smooth (the estimate's noise is sqrt((1-a)/(1+a)) = 7 % of the jitter's
   * spread). A packet that advances media time by more counts as that many 20 ms packets
   * (a^(step/20)): ffmpeg's AAC packetizer puts up to ~0.5 s of audio in one packet, 2 packets a
   * second, and per packet the estimate would take a minute to move.
   */
  alpha?: number;
  /** Most the applied delay moves per second of local time. Default 100 ms/s. */
  slewMsPerSec?: number;
  /**
   * Time after the first packet (or a restart) during which the applied delay follows the target
   * at once: nothing is playing yet, and a join's GOP-cache burst moves the baseline a lot. 1000 ms.
   */
  warmupMs?: number;
  /**
   * The join: from the first packet (or a restart) until this long after the last packet that came
   * in faster than real time (see JOIN_CATCH_UP_MS), transits set the baseline but do not feed d
   * and v, and the applied delay follows the target at once. Default 1000 ms.
   */
  joinSettleMs?: number;
  /** The baseline is the minimum transit over the last 5-10 s (two 5 s buckets). Default 10000. */
  baselineWindowMs?: number;
  /**
   * A transit that differs from the baseline by more than this is a discontinuity (a paused and
   * resumed sender, a seek, a sender restart) or garbage, not jitter: when `resyncPackets` in a
   * row do, the timeline is rebased at once (not slewed). Default max(2000, 2 * maxDelayMs).
   */
  resyncMs?: number;
  /** Consecutive packets beyond `resyncMs` of the baseline before rebasing (a lone spike is not a new timeline). 8. */
  resyncPackets?: number;
}

export interface PlayoutDelayState {
  /** Ramjee d + 4v bounded to [min, max] (and the floor set by `setFloorMs`). */
  targetMs: number;
  /** The same without the floor: what the network alone asks for. */
  networkTargetMs: number;
  /** The delay applied now: follows `targetMs` under the slew limit. */
  delayMs: number;
  /** Smoothed extra delay d and variation v. */
  meanMs: number;
  variationMs: number;
  /** Timeline rebases (discontinuities), see `resyncMs`. */
  resyncs: number;
}

export class PlayoutDelay {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  private readonly alpha: number;
  private readonly slew: number;
  private readonly warmupMs: number;
  private readonly joinSettleMs: number;
  private readonly bucketMs: number;
  readonly resyncMs: number;
  private readonly resyncPackets: number;
  private floorMs = 0;

  private d = 0;
  private v: number;
  /** Baseline buckets: min transit of the current and of the previous half-window. */
  private curMin = Infinity;
  private curStart = 0;
  private prevMin = Infinity;
  private baseline = NaN;
  /** Applied offset: a media instant m plays at local time m + offset. NaN before the first packet. */
  private offset = NaN;
  private lastMs = 0;
  private warmUntil = 0;
  /** The join (see above): until then d and v are not fed. `joinStart` bounds it. */
  private joinUntil = 0;
  private joinStart = 0;
  /** Arrival of the last packet of the join that came in faster than real time (-Infinity: none). */
  private catchUpAt = -Infinity;
  /** Packets fed to d and v since the join (see PRIOR_PACKETS). */
  private learnt = 0;
  /** Consecutive packets beyond `resyncMs` of the baseline, and their minimum transit. */
  private outlierRun = 0;
  private runMin = Infinity;
  private resyncCount = 0;

  constructor(opts: PlayoutDelayOptions = {}) {
    this.minDelayMs = opts.minDelayMs ?? 20;
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    this.alpha = opts.alpha ?? 0.99;
    this.slew = (opts.slewMsPerSec ?? 100) / 1000;
    this.warmupMs = opts.warmupMs ?? 1000;
    this.joinSettleMs = Math.max(0, opts.joinSettleMs ?? 1000);
    this.bucketMs = (opts.baselineWindowMs ?? 10_000) / 2;
    this.resyncMs = opts.resyncMs ?? Math.max(2000, 2 * this.maxDelayMs);
    this.resyncPackets = opts.resyncPackets ?? 8;
    if (!(this.minDelayMs >= 0 && this.maxDelayMs >= this.minDelayMs)) {
      throw new Error(`playout delay bounds must satisfy 0 <= min <= max, got [${this.minDelayMs}, ${this.maxDelayMs}]`);
    }
    if (!(this.alpha > 0 && this.alpha < 1)) throw new Error(`alpha must be in (0, 1), got ${this.alpha}`);
    if (!(this.slew > 0)) throw new Error(`slewMsPerSec must be > 0, got ${opts.slewMsPerSec}`);
    // d starts at 0 and v at a quarter of the initial delay, so d + 4v starts there and the
    // first packets pull it toward what the network shows.
    this.v = Math.max(0, opts.initialDelayMs ?? 100) / 4;
  }

  /** Ramjee's target, bounded, and at least the floor. */
  get targetMs(): number {
    return Math.max(this.networkTargetMs, Math.min(this.floorMs, this.maxDelayMs));
  }

  /** Ramjee's target bounded to [min, max], without the floor. */
  get networkTargetMs(): number {
    return Math.min(this.maxDelayMs, Math.max(this.minDelayMs, this.d + 4 * this.v));
  }

  /**
   * A runtime lower bound on the target (clamped to maxDelayMs), e.g. to give audio and video the
   * same delay for lip sync (WebRTC's minimum playout delay). 0 removes it.
   */
  setFloorMs(ms: number): void {
    this.floorMs = Number.isFinite(ms) && ms > 0 ? ms : 0;
  }

  /** Whether a packet has been observed since construction or `restart()`. */
  get started(): boolean {
    return !Number.isNaN(this.offset);
  }

  /**
   * One packet: `transitMs` = arrival - media time (any constant offset), `nowMs` its arrival,
   * `mediaStepMs` how far it moved media time on from the previous packet (0: one packet's weight).
   * Late and reordered packets count too: their delay is exactly what the target must cover.
   */
  observe(transitMs: number, nowMs: number, mediaStepMs = 0): void {
    if (!Number.isFinite(transitMs) || !Number.isFinite(nowMs)) return;
    if (!this.started) {
      this.curMin = transitMs;
      this.prevMin = Infinity;
      this.curStart = nowMs;
      this.baseline = transitMs;
      this.offset = transitMs + this.targetMs;
      this.lastMs = nowMs;
      this.warmUntil = nowMs + this.warmupMs;
      this.joinStart = nowMs;
      this.joinUntil = nowMs + this.joinSettleMs;
      this.learnt = 0;
      this.catchUpAt = -Infinity;
      this.outlierRun = 0;
      this.runMin = Infinity;
      return;
    }
    this.advance(nowMs);
    if (Math.abs(transitMs - this.baseline) > this.resyncMs) {
      // Far off the baseline: a spike or one bogus timestamp, or a new timeline if it persists.
      // Outliers stay out of the estimator either way.
      if (transitMs < this.runMin) this.runMin = transitMs;
      if (++this.outlierRun >= this.resyncPackets) this.rebase(this.runMin, nowMs);
      return;
    }
    this.outlierRun = 0;
    this.runMin = Infinity;
    if (nowMs - this.curStart >= this.bucketMs) {
      this.prevMin = this.curMin;
      this.curMin = Infinity;
      this.curStart = nowMs;
    }
    if (transitMs < this.curMin) this.curMin = transitMs;
    const before = this.baseline;
    this.baseline = Math.min(this.curMin, this.prevMin);
    if (this.joining(nowMs)) {
      // Faster than real time: the burst goes on, and the join settles from this packet on.
      if (this.baseline < before - JOIN_CATCH_UP_MS) {
        this.joinUntil = Math.min(nowMs + this.joinSettleMs, this.joinStart + JOIN_MAX_MS);
        this.catchUpAt = nowMs;
      }
      this.offset = this.baseline + this.targetMs;
      return;
    }
    // n against the updated baseline; capped so one wild packet cannot push the target past max.
    const x = Math.min(Math.max(0, transitMs - this.baseline), this.maxDelayMs);
    const aStep = mediaStepMs > REF_PACKET_MS ? this.alpha ** Math.min(mediaStepMs / REF_PACKET_MS, 500) : this.alpha;
    const k = this.learnt++;
    const a = Math.min(aStep, (k + PRIOR_PACKETS) / (k + PRIOR_PACKETS + 1));
    this.d = a * this.d + (1 - a) * x;
    this.v = a * this.v + (1 - a) * Math.abs(this.d - x);
    if (nowMs < this.warmUntil) this.offset = this.baseline + this.targetMs;
  }

  /**
   * Arrival time of the join's last packet that came in faster than real time. Packets that arrived
   * before it were behind the live edge (a GOP-cache burst): what of them is late may be skipped.
   */
  get catchUpAtMs(): number {
    return this.catchUpAt;
  }

  /** Whether `nowMs` is in the join (see above): the estimator learns nothing, the delay follows the target. */
  joining(nowMs: number): boolean {
    return this.started && nowMs < this.joinUntil;
  }

  /** The applied offset at `nowMs`: a media instant m (ms) plays at local time m + offsetAt(now). */
  offsetAt(nowMs: number): number {
    this.advance(nowMs);
    return this.offset;
  }

  /**
   * Forgets the minimum transit seen so far (the next packet sets it), keeping the applied offset
   * to slew from: the media times fed so far turned out to be on another footing (B-frames found).
   */
  forgetBaseline(): void {
    this.curMin = Infinity;
    this.prevMin = Infinity;
  }

  /** Forgets the timeline (keeps d and v: the network did not change), e.g. after a seek or PLAY after PAUSE. */
  restart(): void {
    this.offset = NaN;
    this.baseline = NaN;
    this.outlierRun = 0;
    this.runMin = Infinity;
  }

  state(nowMs: number): PlayoutDelayState {
    this.advance(nowMs);
    const delay = this.started ? this.offset - this.baseline : this.targetMs;
    return { targetMs: this.targetMs, networkTargetMs: this.networkTargetMs, delayMs: delay, meanMs: this.d, variationMs: this.v, resyncs: this.resyncCount };
  }

  private rebase(transitMs: number, nowMs: number): void {
    const delay = this.offset - this.baseline;
    this.prevMin = Infinity;
    this.curMin = transitMs;
    this.curStart = nowMs;
    this.baseline = transitMs;
    // Keep the delay that was applied: the jump is in the timeline, not in the network.
    this.offset = transitMs + delay;
    this.outlierRun = 0;
    this.runMin = Infinity;
    this.resyncCount++;
  }

  /** Moves the applied offset toward baseline + target, at most `slew` ms per elapsed ms. */
  private advance(nowMs: number): void {
    if (!this.started) return;
    const dt = nowMs - this.lastMs;
    if (!(dt > 0)) return;
    this.lastMs = nowMs;
    const want = this.baseline + this.targetMs;
    if (nowMs < this.warmUntil || nowMs < this.joinUntil) {
      this.offset = want;
      return;
    }
    const step = this.slew * dt;
    const diff = want - this.offset;
    this.offset += diff > step ? step : diff < -step ? -step : diff;
  }
}
