// Receiver-based rate control for the ws mode: from the player's own loss and jitter figures, which rendition to ask for.
//
// Levels are ordered best first: 0 is the main path, the last the lowest rendition. One sample a
// second; a few bad seconds in a row step down one level, many clean ones step up one. After a
// switch the figures of the new session's join (its GOP burst) are not judged for a while, and a
// step up that is followed by trouble soon after waits longer before the next try (no flapping).

/** The video track's receive counters (cumulative over one session) and its interarrival jitter. */
export interface LinkSample {
  packets: number;
  lost: number;
  jitterMs: number;
}

export interface PickerOptions {
  /** Loss fraction in a second at or above which that second is bad. */
  downLoss: number;
  /** Jitter (ms) at or above which a second is bad. */
  downJitterMs: number;
  /** A second is clean below both of these. */
  upLoss: number;
  upJitterMs: number;
  /** Bad seconds in a row before stepping down. */
  badToDown: number;
  /** Clean seconds in a row before stepping up (doubled after each failed step up, up to 8 times). */
  goodToUp: number;
  /** Seconds not judged after a switch (the new session's join). */
  holdAfterSwitch: number;
}

export const DEFAULT_PICKER: PickerOptions = {
  downLoss: 0.05,
  downJitterMs: 40,
  upLoss: 0.01,
  upJitterMs: 15,
  badToDown: 2,
  goodToUp: 8,
  holdAfterSwitch: 3,
};

export class RenditionPicker {
  /** The level asked for now. */
  level = 0;
  private prev: LinkSample | undefined;
  private bad = 0;
  private good = 0;
  private hold: number;
  /** Multiplies goodToUp after a step up that did not last. */
  private backoff = 1;
  private lastWasUp = false;
  readonly opts: PickerOptions;

  constructor(
    readonly levels: number,
    opts: Partial<PickerOptions> = {},
  ) {
    this.opts = { ...DEFAULT_PICKER, ...opts };
    this.hold = this.opts.holdAfterSwitch;
  }

  /** One second's figures of the session now playing; returns the new level when it should change. */
  update(s: LinkSample): number | undefined {
    const prev = this.prev;
    this.prev = s;
    if (this.hold > 0) {
      this.hold--;
      return undefined;
    }
    if (!prev || s.packets < prev.packets) return undefined;
    const got = s.packets - prev.packets;
    const lost = Math.max(0, s.lost - prev.lost);
    const loss = got + lost > 0 ? lost / (got + lost) : 0;
    const isBad = loss >= this.opts.downLoss || s.jitterMs >= this.opts.downJitterMs || got === 0;
    const isGood = loss < this.opts.upLoss && s.jitterMs < this.opts.upJitterMs && got > 0;
    this.bad = isBad ? this.bad + 1 : 0;
    this.good = isGood ? this.good + 1 : 0;
    if (this.lastWasUp && this.good >= this.opts.goodToUp) {
      // The step up held: the next one is tried as soon as ever.
      this.lastWasUp = false;
      this.backoff = 1;
    }
    if (this.bad >= this.opts.badToDown && this.level < this.levels - 1) {
      // Trouble soon after a step up: the next try waits longer.
      this.backoff = this.lastWasUp ? Math.min(8, this.backoff * 2) : this.backoff;
      return this.switchTo(this.level + 1, false);
    }
    if (this.good >= this.opts.goodToUp * this.backoff && this.level > 0) return this.switchTo(this.level - 1, true);
    return undefined;
  }

  /** A level chosen by hand (or a switch done): the figures start over with the new session. */
  switchTo(level: number, up = false): number {
    this.level = Math.max(0, Math.min(this.levels - 1, level));
    this.prev = undefined;
    this.bad = 0;
    this.good = 0;
    this.hold = this.opts.holdAfterSwitch;
    this.lastWasUp = up;
    return this.level;
  }
}
