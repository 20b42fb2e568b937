// Capped exponential backoff for sources that reconnect or restart: 1 s doubling to 30 s.

export class Backoff {
  private delay: number;

  constructor(
    private readonly firstMs = 1000,
    private readonly maxMs = 30_000,
  ) {
    this.delay = firstMs;
  }

  /** The wait before the next attempt; each call doubles the following one, up to the cap. */
  next(): number {
    const d = this.delay;
    this.delay = Math.min(this.delay * 2, this.maxMs);
    return d;
  }

  /** After a stable run, start over at the first delay. */
  reset(): void {
    this.delay = this.firstMs;
  }
}
