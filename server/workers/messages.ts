// What an edge process tells its origin over the IPC channel of `tidecast serve --workers N` (process.send).
import type { ClusterNode } from '../core/cluster-view.js';
import { nodeOf } from '../core/node-record.js';

/** How an edge process is started: the origin passes it in TIDECAST_EDGE as JSON. */
export interface EdgeSpec {
  /** 1..N-1. */
  index: number;
  /** The origin's RTSP base URL the edge pulls every path from ("rtsp://127.0.0.1:8554"). */
  origin: string;
  rtspPort: number;
  httpPort: number;
  rtpPort: number;
  rtspsPort?: number;
  httpsPort?: number;
}

/** The environment variable carrying an EdgeSpec; set only by the origin. */
export const EDGE_ENV = 'TIDECAST_EDGE';

/** An edge process's record, as a Redis node writes it: `ready` once it listens, then `load` every half second. */
export type EdgeMessage = { type: 'ready' | 'load'; node: ClusterNode };

/** The message with its record checked, or undefined when it is not an edge message. */
export function edgeMessage(m: unknown): EdgeMessage | undefined {
  if (typeof m !== 'object' || m === null) return undefined;
  const o = m as { type?: unknown; node?: unknown };
  const node = nodeOf(o.node);
  return (o.type === 'ready' || o.type === 'load') && node ? { type: o.type, node } : undefined;
}

/** The worker ids: the origin is worker-0, edge k worker-k. */
export const workerId = (index: number): string => `worker-${index}`;

/** A worker's URLs in its record; the origin's Location names the host each reader dialled instead. */
export const workerUrls = (p: { rtspPort: number; httpPort: number }): { rtsp: string; http: string } => ({ rtsp: `rtsp://127.0.0.1:${p.rtspPort}`, http: `http://127.0.0.1:${p.httpPort}` });

/**
 * A worker's capacity in its record: 1, so that the chooser's "an edge already pulling the path and under capacity"
 * only keeps an idle puller first and readers go to the least-loaded process (a pull over loopback costs the origin little).
 */
export const WORKER_CAPACITY = 1;
