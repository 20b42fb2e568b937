// The front's memory of its own redirects: a reader sent to an edge counts there until the edge's next record can include it.
import type { ClusterNode } from '../core/cluster-view.js';
import type { Recent } from './placement.js';

/** A redirect this long before a record's time may still be on its way (302, then a new connection): counted anyway. */
const IN_FLIGHT_MS = 500;
/** A path sent to an edge is preferred there this long, while its pull starts and shows up in a record. */
const PATH_MEMORY_MS = 10_000;
/** Redirects remembered at most (bounded memory under a flood). */
const MAX_SENT = 100_000;

interface Sent {
  node: string;
  path: string;
  at: number;
}

export class RecentPlacements implements Recent {
  private sent: Sent[] = [];

  note(node: string, path: string, at = Date.now()): void {
    this.sent.push({ node, path, at });
    if (this.sent.length > MAX_SENT) this.sent.splice(0, this.sent.length - MAX_SENT);
  }

  /** Forgets what no record or path preference needs any more. */
  prune(now = Date.now()): void {
    const keep = now - PATH_MEMORY_MS;
    if (this.sent.length > 0 && this.sent[0]!.at < keep) this.sent = this.sent.filter((s) => s.at >= keep);
  }

  readers(node: ClusterNode): number {
    let n = 0;
    for (const s of this.sent) if (s.node === node.id && s.at >= node.at - IN_FLIGHT_MS) n++;
    return n;
  }

  sentPath(node: ClusterNode, path: string): boolean {
    return this.sent.some((s) => s.node === node.id && s.path === path);
  }
}
