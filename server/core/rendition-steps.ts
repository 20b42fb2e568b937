// Which step of a path's rendition ladder one reader should read, from its link's QoS state after each receiver report
// (core/qos.ts): down one step when the link stays failing, back up one step after it has been good for a while, never
// two switches close together. Protocol-neutral and clock-injected: tests drive it with a simulated clock.
import type { QosState } from './qos.js';

/** What the ladder needs of a rendition (config-renditions.ts). */
export interface RenditionRung {
  name: string;
  height: number;
  videoBitrate: number;
}

/** A path's renditions from the highest to the lowest: by video bitrate, then picture height (the main path is above all). */
export function renditionLadder<T extends RenditionRung>(renditions: readonly T[]): T[] {
  return [...renditions].sort((a, b) => b.videoBitrate - a.videoBitrate || b.height - a.height);
}

export interface StepOptions {
  /** Monotonic milliseconds. */
  now: () => number;
  /** Reports in a row, in state failing, before a step down. */
  downReports?: number;
  /** Least time after a switch before the next one, whichever way. */
  holdMs?: number;
  /** Time in state good (with at least `upReports` reports) before a step up. */
  upGoodMs?: number;
  upReports?: number;
  /** A step down within this time of a step up means the probe failed: the next step up waits twice as long. */
  probeWindowMs?: number;
  /** The longest wait before a step up, however many probes failed. */
  maxUpGoodMs?: number;
}

/**
 * Two failing reports in a row: one can be a burst (a Wi-Fi hiccup, a key frame over a tight link), and
 * thinning already answers the first by sending key frames only; a link still failing a report later
 * cannot carry this stream even thinned, and a reader at one or two frames per second is better off
 * with every frame of a smaller one.
 */
export const DOWN_REPORTS = 2;
export const HOLD_MS = 5000;
/** Good for 8 s (and two reports) before trying the next step up: longer than QosJudge's own step-up hysteresis. */
export const UP_GOOD_MS = 8000;
export const UP_REPORTS = 2;
export const PROBE_WINDOW_MS = 30_000;
export const MAX_UP_GOOD_MS = 64_000;

export class RenditionStepper {
  /** 0: the main path; n: the n-th rendition of the ladder. */
  level = 0;
  /** A switch asked and not yet done: no other decision meanwhile. */
  pending = false;
  private failing = 0;
  private goodSince: number | undefined;
  private goodReports = 0;
  private switchedAt = -Infinity;
  /** When the last step up was done, while it is still on probation (-Infinity otherwise). */
  private upAt = -Infinity;
  private upWaitMs: number;
  private readonly o: Required<StepOptions>;

  constructor(
    /** Renditions below the main path. */
    public rungs: number,
    opts: StepOptions,
  ) {
    this.o = {
      downReports: DOWN_REPORTS,
      holdMs: HOLD_MS,
      upGoodMs: UP_GOOD_MS,
      upReports: UP_REPORTS,
      probeWindowMs: PROBE_WINDOW_MS,
      maxUpGoodMs: MAX_UP_GOOD_MS,
      ...opts,
    };
    this.upWaitMs = this.o.upGoodMs;
  }

  /** The wait in state good before the next step up (it doubles after each failed probe). */
  get upWait(): number {
    return this.upWaitMs;
  }

  /** The link's state after one report; returns the level to switch to (and marks it pending), or undefined. */
  report(state: QosState): number | undefined {
    const now = this.o.now();
    this.failing = state === 'failing' ? this.failing + 1 : 0;
    if (state === 'good') {
      this.goodSince ??= now;
      this.goodReports++;
    } else {
      this.goodSince = undefined;
      this.goodReports = 0;
    }
    // A step up that has held a probe window has proven itself: the next one waits the base time again.
    if (this.upAt !== -Infinity && now - this.upAt > this.o.probeWindowMs) {
      this.upWaitMs = this.o.upGoodMs;
      this.upAt = -Infinity;
    }
    if (this.pending || now - this.switchedAt < this.o.holdMs) return undefined;
    // On probation after a step up (a probe of the rung above), one failing report is proof enough.
    const downAfter = this.upAt === -Infinity ? this.o.downReports : 1;
    if (this.failing >= downAfter && this.level < this.rungs) return this.ask(this.level + 1);
    const goodFor = this.goodSince === undefined ? 0 : now - this.goodSince;
    if (this.level > 0 && this.goodReports >= this.o.upReports && goodFor >= this.upWaitMs) return this.ask(this.level - 1);
    return undefined;
  }

  /** The switch asked for ended: done (`ok`) at `level`, or given up (the level stays). */
  switched(level: number, ok: boolean): void {
    this.pending = false;
    const now = this.o.now();
    if (!ok) {
      // Not before a hold time again: a rendition that cannot start is not tried at every report.
      this.switchedAt = now;
      return;
    }
    // Down again soon after a step up: the probe failed, the next one waits longer (no flapping on a link that stays tight).
    if (level > this.level && now - this.upAt <= this.o.probeWindowMs) this.upWaitMs = Math.min(this.o.maxUpGoodMs, this.upWaitMs * 2);
    this.upAt = level < this.level ? now : -Infinity;
    this.level = level;
    this.switchedAt = now;
    this.failing = 0;
    this.goodSince = undefined;
    this.goodReports = 0;
  }

  /** The reader stopped (PAUSE): it starts again on the main path with a clean slate. */
  reset(): void {
    this.level = 0;
    this.pending = false;
    this.failing = 0;
    this.goodSince = undefined;
    this.goodReports = 0;
    this.switchedAt = -Infinity;
    this.upAt = -Infinity;
    this.upWaitMs = this.o.upGoodMs;
  }

  private ask(level: number): number {
    this.pending = true;
    return level;
  }
}
