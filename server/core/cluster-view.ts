// What delivery sees of a cluster (server/cluster implements it): the nodes in Redis and, on a front, where a reader of a path should go.

/** One node as it registers itself (tidecast:node:<id>): role, how readers reach it, its load. */
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

/** The cluster as this node sees it. */
export interface ClusterView {
  readonly role: ClusterNode['role'];
  readonly id: string;
  /** Every node alive in Redis, as last read (this node's own record included once written). */
  nodes(): ClusterNode[];
  /**
   * Fronts: the edge a new reader of `path` goes to (and counted there until its next report), or undefined when no edge is alive.
   * With `sticky` (a client's address): the same edge for that client's every request (HLS reloads), not counted as a new reader.
   */
  place(path: string, sticky?: string): ClusterNode | undefined;
}
