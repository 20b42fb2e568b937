// The front's memory of its own redirects: a reader sent to an edge counts there until the edge's record shows it arrived.
import type { ClusterNode } from './cluster-view.js';
import type { Recent } from './node-chooser.js';

/** A redirect whose reader never arrives (it gave up, it went elsewhere) stops counting after this long. */
const PENDING_MS = 10_000;
/** A path sent to an edge is preferred there this long, while its pull starts and shows up in a record. */
const PATH_MEMORY_MS = 10_000;
/** Redirects remembered per edge at most (bounded memory under a flood). */
const MAX_PENDING = 100_000;

interface Edge {
  /** Times of redirects whose readers the edge's records do not show yet, oldest first. */
  pending: number[];
  /** The edge's `accepted` count when the front last looked. */
  accepted: number;
  /** Paths sent there, and when last. */
  paths: Map<string, number>;
}

export class RecentPlacements implements Recent {
  private readonly edges = new Map<string, Edge>();

  private edge(id: string): Edge {
    let e = this.edges.get(id);
    if (!e) this.edges.set(id, (e = { pending: [], accepted: -1, paths: new Map() }));
    return e;
  }

  note(node: string, path: string, at = Date.now()): void {
    const e = this.edge(node);
    e.pending.push(at);
    if (e.pending.length > MAX_PENDING) e.pending.shift();
    e.paths.set(path, at);
  }

  /** Takes in the nodes' latest records: each reader an edge accepted since the last look settles one pending redirect. */
  sync(nodes: readonly ClusterNode[], now = Date.now()): void {
    const alive = new Set<string>();
    for (const n of nodes) {
      alive.add(n.id);
      const e = this.edge(n.id);
      // The first look, or an edge that restarted (its count went down): nothing to settle.
      if (e.accepted >= 0 && n.accepted > e.accepted) e.pending.splice(0, n.accepted - e.accepted);
      e.accepted = n.accepted;
    }
    for (const [id, e] of this.edges) {
      if (!alive.has(id)) {
        this.edges.delete(id);
        continue;
      }
      while (e.pending.length > 0 && e.pending[0]! < now - PENDING_MS) e.pending.shift();
      for (const [p, at] of e.paths) if (at < now - PATH_MEMORY_MS) e.paths.delete(p);
    }
  }

  readers(node: ClusterNode): number {
    return this.edges.get(node.id)?.pending.length ?? 0;
  }

  sentPath(node: ClusterNode, path: string): boolean {
    return this.edges.get(node.id)?.paths.has(path) ?? false;
  }
}
