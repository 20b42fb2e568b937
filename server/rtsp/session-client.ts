// RTSP sessions in the server-wide client registry (core/clients.ts): each session is one record from
// the moment it exists until it is gone; kick sends BYE and closes its connection.
import { BitrateMeter, type ClientHandle, type ClientProtocol, type ClientRecord, type ClientRegistry } from '../core/clients.js';
import type { ServerContext } from './context.js';
import type { RtspSession } from './session.js';
import { redirectSession } from './server-requests/redirect.js';

/** The protocol an operator debugs: the tunnel, else TLS and the lower transport of the first track. */
export function sessionProtocol(s: RtspSession): ClientProtocol {
  const first = s.tracks.values().next().value;
  if (!first) return 'rtsp';
  const c = s.connection;
  if (c.tunnel === 'websocket') return 'rtsp-ws';
  if (c.tunnel === 'http') return 'rtsp-http';
  const kind = first.transport.kind;
  if (kind === 'multicast') return 'rtsp-multicast';
  return c.secure ? (kind === 'tcp' ? 'rtsps-tcp' : 'rtsps-udp') : kind === 'tcp' ? 'rtsp-tcp' : 'rtsp-udp';
}

export function sessionRecord(s: RtspSession, meter: BitrateMeter): ClientRecord {
  const clockOf = (id: number): number => s.mediaTracks.find((t) => t.id === id)?.clockRate ?? 90000;
  const reports = [...s.tracks.values()].flatMap((t) =>
    t.rr
      ? [{
          trackId: t.trackId,
          fractionLost: t.rr.fractionLost,
          cumulativeLost: t.rr.cumulativeLost,
          jitterMs: Math.round((t.rr.jitter / clockOf(t.trackId)) * 1000 * 100) / 100,
        }]
      : [],
  );
  const port = s.connection.remotePort;
  return {
    id: s.id,
    role: s.media.kind === 'publish' ? 'publisher' : 'reader',
    protocol: sessionProtocol(s),
    path: s.path,
    ...(s.owner ? { user: s.owner } : {}),
    ...(s.query ? { query: s.query } : {}),
    address: s.peerAddress,
    ...(port !== undefined ? { port } : {}),
    since: new Date(s.createdAt).toISOString(),
    bytes: s.bytes,
    ...(s.media.kind === 'publish' ? {} : { packets: s.packets }),
    bitrate: meter.rate(s.bytes),
    state: s.state,
    dropped: s.dropped,
    receiverReports: reports,
    ...(s.qos ? { qos: s.qos.record() } : {}),
    media: s.media.kind,
    transports: [...s.tracks.values()].map((t) => t.transport.kind),
  };
}

/**
 * Ends a session for the operator: a reader gets BYE (file or live), a publisher's stream ends (its
 * readers get BYE); then its connection is flushed and closed. A UDP session whose connection is
 * already gone simply ends.
 */
export function kickSession(server: ServerContext, s: RtspSession, reason: string): void {
  const why = `kicked: ${reason}`;
  server.destroySession(s, why, true);
  const c = s.connection;
  if (!c.closed) c.end(why);
}

/** The server's session map: a session set in it is registered with the clients, one deleted is removed. */
export class RegisteredSessions extends Map<string, RtspSession> {
  private readonly undo = new Map<string, () => void>();
  private server: ServerContext | undefined;
  private registry: ClientRegistry | undefined;

  bind(server: ServerContext, registry: ClientRegistry): void {
    this.server = server;
    this.registry = registry;
  }

  override set(id: string, s: RtspSession): this {
    const prev = this.get(id);
    if (prev !== s) this.undo.get(id)?.();
    super.set(id, s);
    if (prev !== s && this.registry && this.server) {
      const server = this.server;
      const meter = new BitrateMeter();
      const handle: ClientHandle = {
        snapshot: () => sessionRecord(s, meter),
        kick: (reason) => kickSession(server, s, reason),
        redirect: (location, httpBase) => redirectSession(server, s, location, httpBase),
      };
      this.undo.set(id, this.registry.add(id, handle));
    }
    return this;
  }

  override delete(id: string): boolean {
    const had = super.delete(id);
    const undo = this.undo.get(id);
    this.undo.delete(id);
    undo?.();
    return had;
  }

  override clear(): void {
    for (const id of [...this.keys()]) this.delete(id);
  }
}
