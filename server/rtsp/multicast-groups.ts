// Multicast groups for live readers: hands out free groups of the configured range.
import { formatIpv4, isLocalControl, parseIpv4, type Ipv4Range } from '../util/multicast-range.js';

/** Hands out distinct groups of the range; a released group can be given again. */
export class GroupPool {
  private readonly used = new Set<number>();
  /** Where the next search starts: a released group is reused last, so a late packet meant for the old stream is unlikely to reach a new one. */
  private next = 0;

  constructor(readonly range: Ipv4Range) {}

  /** A free group, or undefined when every usable address of the range is taken. */
  take(): string | undefined {
    const { base, size } = this.range;
    for (let i = 0; i < size; i++) {
      const n = base + ((this.next + i) % size);
      if (this.used.has(n) || !this.usable(n)) continue;
      this.used.add(n);
      this.next = n - base + 1;
      return formatIpv4(n);
    }
    return undefined;
  }

  release(group: string): void {
    const n = parseIpv4(group);
    if (n !== undefined) this.used.delete(n);
  }

  get inUse(): number {
    return this.used.size;
  }

  private usable(n: number): boolean {
    if (isLocalControl(n)) return false;
    // In a range of 4 or more, skip the first and last address: people read x.y.0.0 and x.y.255.255
    // as network/broadcast addresses, and some firewall rules treat them so even for multicast.
    const { base, size } = this.range;
    return size < 4 || (n !== base && n !== base + size - 1);
  }
}
