// Which edge a new reader of a path goes to: one that already pulls it and is under capacity, else the least loaded (by share of capacity).
import { createHash } from 'node:crypto';
import type { ClusterNode } from '../core/cluster-view.js';

/** What the front adds to the records: readers it sent since a node last reported, paths it sent there. */
export interface Recent {
  readers(node: ClusterNode): number;
  sentPath(node: ClusterNode, path: string): boolean;
}

const NONE: Recent = { readers: () => 0, sentPath: () => false };

/** Edges that can take readers: they told how to reach them. */
export function liveEdges(nodes: readonly ClusterNode[]): ClusterNode[] {
  return nodes.filter((n) => n.role === 'edge' && n.rtsp !== '' && n.http !== '');
}

/** The best edge for `path`, or undefined when there is none. Ties go to the smaller id, so the choice is stable. */
export function chooseEdge(nodes: readonly ClusterNode[], path: string, recent: Recent = NONE): ClusterNode | undefined {
  const edges = liveEdges(nodes);
  const load = (n: ClusterNode): number => n.readers + recent.readers(n);
  const share = (n: ClusterNode): number => load(n) / Math.max(1, n.capacity);
  const least = (list: ClusterNode[]): ClusterNode | undefined =>
    list.reduce<ClusterNode | undefined>((best, n) => (best === undefined || share(n) < share(best) || (share(n) === share(best) && n.id < best.id) ? n : best), undefined);
  // An edge that pulls the path already serves a new reader without a new upstream pull.
  const pulling = edges.filter((n) => (n.pulls.includes(path) || recent.sentPath(n, path)) && load(n) < n.capacity);
  return least(pulling) ?? least(edges);
}

/**
 * The edge for one client across many requests (HLS playlist reloads, parts): rendezvous hashing of
 * `key` (the client address and path) over the edges with room, so the same client keeps landing on
 * the same edge, whose segment numbers its playlist names, while the set of edges stays the same.
 */
export function stickyEdge(nodes: readonly ClusterNode[], key: string): ClusterNode | undefined {
  const edges = liveEdges(nodes);
  const room = edges.filter((n) => n.readers < n.capacity);
  let best: ClusterNode | undefined;
  let bestScore = '';
  for (const n of room.length > 0 ? room : edges) {
    const score = createHash('sha1').update(key).update('\0').update(n.id).digest('hex');
    if (best === undefined || score > bestScore) {
      best = n;
      bestScore = score;
    }
  }
  return best;
}
