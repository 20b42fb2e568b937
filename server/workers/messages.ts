// What an edge process tells its origin over the IPC channel of `tidecast serve --workers N` (process.send).

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

export type EdgeMessage =
  /** The edge listens: the ports it bound. */
  | { type: 'ready'; rtspPort: number; httpPort: number }
  /** Every half second: readers served (relay pulls excluded) and the paths it pulls from the origin. */
  | { type: 'load'; readers: number; pulls: string[] };

export function isEdgeMessage(m: unknown): m is EdgeMessage {
  if (typeof m !== 'object' || m === null) return false;
  const t = (m as { type?: unknown }).type;
  if (t === 'ready') return typeof (m as { rtspPort?: unknown }).rtspPort === 'number' && typeof (m as { httpPort?: unknown }).httpPort === 'number';
  return t === 'load' && typeof (m as { readers?: unknown }).readers === 'number' && Array.isArray((m as { pulls?: unknown }).pulls);
}
