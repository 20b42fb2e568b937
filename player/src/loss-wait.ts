// Loss wait of the jitter buffer: how long past its playout time a missing packet is waited for, learnt from packets given up on that came after all.
//
// Over TCP/WebSocket nothing is lost, only late: a wait there costs one late video frame where a
// give-up costs the frames up to the next key frame. Packets that never come (UDP loss) teach no
// wait, so the wait starts at 0 and decays back to it when late arrivals stop.

/** The loss wait halves every 10 s without a new late arrival. */
const LOSS_WAIT_HALF_LIFE_MS = 10_000;

export class LossWait {
  private wait = 0;
  private since = 0;

  /**
   * `maxMs`: the most a missing packet is waited for (the buffer's `maxLossWaitMs`). `floorMs`: the
   * wait whatever was learnt (maxMs on a transport that loses nothing).
   */
  constructor(
    private readonly maxMs: number,
    private readonly floorMs = 0,
  ) {}

  /** The loss wait now: the last learnt value, halving every LOSS_WAIT_HALF_LIFE_MS, never below the floor. */
  at(nowMs: number): number {
    if (this.wait === 0) return this.floorMs;
    const w = this.wait * 0.5 ** (Math.max(0, nowMs - this.since) / LOSS_WAIT_HALF_LIFE_MS);
    return Math.max(this.floorMs, w < 1 ? 0 : w);
  }

  /** A packet given up on arrived `lateByMs` after that: waiting that long (+20 %) would have saved it. */
  noteLateArrival(lateByMs: number, nowMs: number): void {
    if (!(lateByMs >= 0)) return;
    const w = Math.min(this.maxMs, lateByMs * 1.2 + 1);
    if (w > this.at(nowMs)) {
      this.wait = w;
      this.since = nowMs;
    }
  }
}
