// At most maxConcurrentDemuxes media files demuxed at once: more wait in a short queue, and past it get 503 (not a queue without end).
import { SourceUnavailableError } from '../../core/on-demand.js';

/** Waiting demuxes allowed per running one: a burst of requests for new files waits briefly instead of failing. */
const QUEUE_PER_SLOT = 8;

export class DemuxSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly max: number,
    readonly queueMax = max * QUEUE_PER_SLOT,
  ) {}

  /** Demuxes running now. */
  get active(): number {
    return this.running;
  }

  /** Demuxes waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `work` in a slot; throws SourceUnavailableError (503) at once when the queue is full too. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.queueMax) {
        throw new SourceUnavailableError(
          `${this.max} media files are being read already and ${this.waiting.length} wait (maxConcurrentDemuxes); try again in a moment`,
        );
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      // The slot passes straight to the next waiter (running stays the same), or is freed.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** `load` with every call run in a slot: the demuxer the file cache is given. */
  wrap<A extends unknown[], T>(load: (...args: A) => Promise<T>): (...args: A) => Promise<T> {
    return (...args) => this.run(() => load(...args));
  }
}
