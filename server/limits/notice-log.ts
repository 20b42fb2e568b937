// Logs a refusal once per client address, limit and minute: a flood of refused attempts writes a line a minute, not a line each.
import type { Logger } from '../log.js';

/** Addresses remembered at once; past it, entries older than the window go, then the oldest. */
const MAX_ADDRESSES = 4096;
const WINDOW_MS = 60_000;

interface Entry {
  at: number;
  /** Refusals not logged since `at`. */
  quiet: number;
}

export class NoticeLog {
  private readonly seen = new Map<string, Entry>();

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Entries held (bounded by MAX_ADDRESSES). */
  get size(): number {
    return this.seen.size;
  }

  /**
   * Warns with `msg` unless this address was logged for the same limit (`limit`) in the last
   * minute; the next line logged counts the ones left out.
   */
  warn(address: string, limit: string, fields: Record<string, unknown>, msg: string): void {
    this.note('warn', address, limit, fields, msg);
  }

  /** As warn, at `level`: a refusal that is part of a normal exchange (a first 401 challenge) is `info`. */
  note(level: 'warn' | 'info', address: string, limit: string, fields: Record<string, unknown>, msg: string): void {
    const t = this.now();
    const key = `${limit} ${address}`;
    const e = this.seen.get(key);
    if (e && t - e.at < WINDOW_MS) {
      e.quiet++;
      return;
    }
    const quiet = e?.quiet ?? 0;
    this.seen.delete(key);
    if (this.seen.size >= MAX_ADDRESSES) this.prune(t);
    this.seen.set(key, { at: t, quiet: 0 });
    this.log[level]({ peer: address, limit, ...fields, ...(quiet > 0 ? { notLoggedInTheLastMinute: quiet } : {}) }, msg);
  }

  private prune(t: number): void {
    for (const [k, v] of this.seen) if (t - v.at >= WINDOW_MS) this.seen.delete(k);
    // Map order is insertion order: the first keys are the oldest.
    for (const k of this.seen.keys()) {
      if (this.seen.size < MAX_ADDRESSES) break;
      this.seen.delete(k);
    }
  }
}
