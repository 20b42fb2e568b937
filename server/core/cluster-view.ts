// Reader placement (docs/deploy.md, docs/cluster.md): the nodes of a cluster or of `--workers N`, and where a new reader of a path goes.
// One mechanism: a store of node records (Redis: server/cluster/registry.ts; the --workers IPC channel: server/workers/ipc-store.ts)
// and one chooser (core/node-chooser.ts) behind the ClusterView delivery asks (paths.cluster).

/** One node as it registers itself (tidecast:node:<id>, or an edge process's IPC report): role, how readers reach it, its load. */
export interface ClusterNode {
  id: string;
  role: 'origin' | 'edge' | 'front';
  /** Base URLs readers use: rtsp://edge1:8554, http://edge1:8888. */
  rtsp: string;
  http: string;
  /** Readers it serves now, of every protocol. */
  readers: number;
  /** Readers it accepted since it started (a front settles its redirects against it). */
  accepted: number;
  /** Readers before a front prefers another edge. */
  capacity: number;
  /** Bits per second sent to readers, over the last few seconds. */
  egressBps: number;
  /** Share of one core this process used since its last report (0..n). */
  cpu: number;
  /** Paths it pulls from the origin now. */
  pulls: string[];
  /** When it wrote this record (ms since the epoch, its own clock). */
  at: number;
}

/** Where the node records live; this node's own record is among them once written. */
export interface NodeStore {
  nodes(): ClusterNode[];
}

/**
 * What this node does with new readers. `front`: every stream request is sent to an edge (503 when none is alive);
 * `origin` (`--workers`: the front in the origin): a new reader of a live path goes to the best process, this one included;
 * `none`: readers are served here.
 */
export type Placing = 'front' | 'origin' | 'none';

/** The cluster as this node sees it. */
export interface ClusterView {
  readonly role: ClusterNode['role'];
  readonly id: string;
  readonly placing: Placing;
  /** Every node alive, as last read (this node's own record included once written). */
  nodes(): ClusterNode[];
  /**
   * The node a new reader of `path` goes to (counted there until its next report), or undefined when no node can take it.
   * `host`: the name the client reached this server by (nodes on this machine are reached by it too).
   * With `sticky` (a client's address): the same node for that client's every request (HLS reloads), not counted as a new reader.
   */
  place(path: string, host: string, sticky?: string): ClusterNode | undefined;
}
