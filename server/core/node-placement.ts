// The one placement behind paths.cluster: node records from a store (Redis or the --workers IPC channel), one chooser, the front's memory of its redirects.
import type { ClusterNode, ClusterView, NodeStore, Placing } from './cluster-view.js';
import { chooseEdge, stickyEdge } from './node-chooser.js';
import { RecentPlacements } from './recent-placements.js';

export interface NodePlacementOptions {
  id: string;
  role: ClusterNode['role'];
  placing: Placing;
  /**
   * The nodes run on this machine (`--workers`): a Location names the host the client dialled, with the node's port,
   * rather than the host in its record.
   */
  sameMachine?: boolean;
}

export class NodePlacement implements ClusterView {
  readonly id: string;
  readonly role: ClusterNode['role'];
  readonly placing: Placing;
  private readonly recent = new RecentPlacements();

  constructor(private readonly store: NodeStore, private readonly o: NodePlacementOptions) {
    this.id = o.id;
    this.role = o.role;
    this.placing = o.placing;
  }

  nodes(): ClusterNode[] {
    return this.store.nodes();
  }

  place(path: string, host: string, sticky?: string): ClusterNode | undefined {
    const nodes = this.store.nodes();
    // A placing origin serves readers too: it is a candidate beside its edges.
    const also = this.placing === 'origin' ? this.id : undefined;
    if (sticky !== undefined) return this.reached(stickyEdge(nodes, `${sticky}\0${path}`, also), host);
    this.recent.sync(nodes);
    const node = chooseEdge(nodes, path, this.recent, also);
    if (node) this.recent.note(node.id, path);
    return this.reached(node, host);
  }

  private reached(node: ClusterNode | undefined, host: string): ClusterNode | undefined {
    if (!node || !this.o.sameMachine) return node;
    return { ...node, rtsp: withHost(node.rtsp, host), http: withHost(node.http, host) };
  }
}

/** `base` ("rtsp://127.0.0.1:8555") with the host `host` ("cam.example", "[::1]"), its port kept. */
export function withHost(base: string, host: string): string {
  try {
    const u = new URL(base);
    u.hostname = host;
    return u.href.replace(/\/+$/, '');
  } catch {
    return base;
  }
}
