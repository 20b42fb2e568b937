// RTSP sessions as plain status records for the API and metrics (no live objects leave the RTSP layer).
import type { SessionDirectory, SessionSummary } from '../core/status.js';
import type { RtspServer } from './server.js';
import type { RtspSession } from './session.js';

export function summarizeSession(s: RtspSession): SessionSummary {
  const tracks = [...s.tracks.values()];
  return {
    id: s.id,
    path: s.path,
    role: s.media.kind,
    state: s.state,
    transports: tracks.map((t) => t.transport.kind),
    peer: s.peerAddress,
    since: new Date(s.createdAt).toISOString(),
    dropped: s.dropped,
    receiverReports: tracks.flatMap((t) =>
      t.rr ? [{ trackId: t.trackId, fractionLost: t.rr.fractionLost, cumulativeLost: t.rr.cumulativeLost, jitter: t.rr.jitter }] : [],
    ),
  };
}

export function rtspDirectory(server: RtspServer): SessionDirectory {
  return {
    sessions: () => [...server.sessions.values()].map(summarizeSession),
    connections: () => server.connections.size,
  };
}
