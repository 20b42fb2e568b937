// Plain status records that delivery layers report and the HTTP API, metrics and dashboard show.

export interface SessionSummary {
  id: string;
  path: string;
  /** What the session does: plays a file, reads a live stream, or publishes one. */
  role: 'file' | 'live' | 'publish';
  state: string;
  /** Lower transport of each set-up track. */
  transports: ('udp' | 'tcp' | 'multicast')[];
  peer: string;
  since: string;
  /** Packets this session was not sent because its queue was full (slow reader). */
  dropped: number;
  /** The client's latest receiver-report figures per track (RFC 3550 §6.4.1), when it sends them. */
  receiverReports: { trackId: number; fractionLost: number; cumulativeLost: number; jitter: number }[];
}

/** Delivery layers that keep sessions (RTSP) report them through this. */
export interface SessionDirectory {
  sessions(): SessionSummary[];
  connections(): number;
}
