// Failed-login throttling: after 5 failures within a minute from one address, its logins are refused for a minute; memory is bounded.
import { parseAddress } from '../util/cidr.js';

export interface ThrottleOptions {
  /** Failures within `windowMs` that block the address. */
  maxFailures: number;
  windowMs: number;
  /** How long a blocked address's logins are refused. */
  blockMs: number;
  /** Addresses remembered at most; the least recently failed is forgotten first. */
  maxAddresses: number;
  now: () => number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { maxFailures: 5, windowMs: 60_000, blockMs: 60_000, maxAddresses: 10_000, now: Date.now };

interface Entry {
  /** Times of the failures within the window, oldest first (at most maxFailures). */
  failures: number[];
  blockedUntil: number;
}

/**
 * Counts failed logins per address. IPv6 addresses count per /64, the block one subscriber gets
 * (RFC 6177), so rotating through a /64 does not give an attacker fresh tries.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly o: ThrottleOptions;

  constructor(opts: Partial<ThrottleOptions> = {}) {
    this.o = { ...DEFAULT_THROTTLE, ...opts };
  }

  /** Milliseconds until `ip` may try again; 0 when it may now. */
  blockedFor(ip: string): number {
    const e = this.entries.get(keyOf(ip));
    if (!e) return 0;
    return Math.max(0, e.blockedUntil - this.o.now());
  }

  /** Records a failure; true when it blocks the address. */
  fail(ip: string): boolean {
    const key = keyOf(ip);
    const now = this.o.now();
    const e = this.entries.get(key) ?? { failures: [], blockedUntil: 0 };
    this.entries.delete(key);
    if (this.entries.size >= this.o.maxAddresses) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, e);
    e.failures = e.failures.filter((t) => now - t < this.o.windowMs);
    e.failures.push(now);
    if (e.failures.length < this.o.maxFailures) return false;
    e.failures = [];
    e.blockedUntil = now + this.o.blockMs;
    return true;
  }

  /** Addresses remembered (bounded by maxAddresses). */
  get size(): number {
    return this.entries.size;
  }
}

const MAPPED = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

/** IPv4 (and IPv4-mapped) by its 4 bytes; IPv6 by its first 64 bits; anything unreadable as written. */
function keyOf(ip: string): string {
  const b = parseAddress(ip);
  if (!b) return ip;
  if (MAPPED.every((x, i) => b[i] === x)) return b.subarray(12).join('.');
  return `${Buffer.from(b.subarray(0, 8)).toString('hex')}/64`;
}
