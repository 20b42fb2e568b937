// Which node a new reader of a path goes to: an edge that already pulls it and is under capacity, else the least loaded (by share of capacity).
// The same rule for a Redis front and for the origin of `--workers N` (which is a candidate itself: `also`).
import { createHash } from 'node:crypto';
import type { ClusterNode } from './cluster-view.js';

/** What the front adds to the records: readers it sent since a node last reported, paths it sent there. */
export interface Recent {
  readers(node: ClusterNode): number;
  sentPath(node: ClusterNode, path: string): boolean;
}

const NONE: Recent = { readers: () => 0, sentPath: () => false };

/** Nodes that can take readers: edges that told how to reach them, and `also` (the id of a placing origin that serves readers too). */
export function candidates(nodes: readonly ClusterNode[], also?: string): ClusterNode[] {
  return nodes.filter((n) => (n.role === 'edge' || n.id === also) && n.rtsp !== '' && n.http !== '');
}

/** Ties go to an edge (an origin also ingests), then to the smaller id, so the choice is stable. */
const before = (a: ClusterNode, b: ClusterNode): boolean => (a.role === b.role ? a.id < b.id : a.role === 'edge');

/** The best node for `path`, or undefined when there is none. */
export function chooseEdge(nodes: readonly ClusterNode[], path: string, recent: Recent = NONE, also?: string): ClusterNode | undefined {
  const edges = candidates(nodes, also);
  const load = (n: ClusterNode): number => n.readers + recent.readers(n);
  const share = (n: ClusterNode): number => load(n) / Math.max(1, n.capacity);
  const least = (list: ClusterNode[]): ClusterNode | undefined =>
    list.reduce<ClusterNode | undefined>((best, n) => (best === undefined || share(n) < share(best) || (share(n) === share(best) && before(n, best)) ? n : best), undefined);
  // An edge that pulls the path already serves a new reader without a new upstream pull.
  const pulling = edges.filter((n) => (n.pulls.includes(path) || recent.sentPath(n, path)) && load(n) < n.capacity);
  return least(pulling) ?? least(edges);
}

/**
 * The node for one client across many requests (HLS playlist reloads, parts): rendezvous hashing of
 * `key` (the client address and path) over the nodes with room, so the same client keeps landing on
 * the same edge, whose segment numbers its playlist names, while the set of edges stays the same.
 */
export function stickyEdge(nodes: readonly ClusterNode[], key: string, also?: string): ClusterNode | undefined {
  const edges = candidates(nodes, also);
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
