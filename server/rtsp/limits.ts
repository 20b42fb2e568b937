// RTSP's limits and timeouts: room for a new session or announced path, and the sweeps that end half-sent requests, idle connections and sessions never started.
import type { Socket } from 'node:net';
import type { ServerContext } from './context.js';
import { RtspError } from './errors.js';
import type { ConnectionInfo } from './methods/request-context.js';

/** Throws 503 with the limit's name when `conn` (or its address) may not open another session. */
export function checkSessionRoom(server: ServerContext, conn: ConnectionInfo): void {
  const { maxSessions, maxSessionsPerConnection, maxSessionsPerAddress } = server.config;
  // Logged where the 503 is answered (dispatch), with the path and the client.
  const refuse = (why: string): never => {
    throw new RtspError(503, why);
  };
  if (conn.sessions.size >= maxSessionsPerConnection) {
    refuse(`this connection already has ${conn.sessions.size} sessions, the most one connection may open (maxSessionsPerConnection); TEARDOWN one first`);
  }
  let fromAddress = 0;
  for (const s of server.sessions.values()) if (s.peerAddress === conn.remoteAddress) fromAddress++;
  if (fromAddress >= maxSessionsPerAddress) {
    refuse(`${conn.remoteAddress} already has ${fromAddress} sessions, the most one address may open (maxSessionsPerAddress); TEARDOWN some first`);
  }
  if (server.sessions.size >= maxSessions) refuse(`the server is at its limit of ${maxSessions} sessions; try again later`);
}

/** Throws 503 when ANNOUNCE would create one live path name more than maxAnnouncedPaths. */
export function checkAnnouncedRoom(server: ServerContext, conn: ConnectionInfo, path: string): void {
  const max = server.config.maxAnnouncedPaths;
  if (server.paths.hasLivePath(path) || server.paths.announcedPaths < max) return;
  const why = `the server already holds ${max} announced paths (maxAnnouncedPaths); publish to one of the paths in use or try again later`;
  throw new RtspError(503, why);
}

/** What the connection sweep needs of a connection. */
export interface Expirable {
  readonly closed: boolean;
  readonly lastInputAt: number;
  /** When the request or frame being received began; undefined between messages. */
  readonly partialSince: number | undefined;
  readonly sessions: ReadonlySet<unknown>;
  timeOut(status: number, why: string): void;
  end(why?: string): void;
}

/**
 * A request (or frame) not complete readTimeout after its first byte gets 408 and the connection
 * closes: a slowloris trickling a byte at a time is cut off like one that stopped. A connection
 * with no session and nothing received for idleTimeout is closed. `now` is performance.now() time.
 */
export function expireConnections(server: ServerContext, connections: Iterable<Expirable>, now: number): void {
  const { readTimeout, idleTimeout } = server.config;
  for (const c of connections) {
    if (c.closed) continue;
    if (c.partialSince !== undefined && now - c.partialSince > readTimeout * 1000) {
      c.timeOut(408, `the request was not completed within ${readTimeout} s of its first byte (readTimeout)`);
    } else if (c.sessions.size === 0 && now - c.lastInputAt > idleTimeout * 1000) {
      c.end(`closed after ${idleTimeout} s without a session or a request (idleTimeout)`);
    }
  }
}

/** Sessions set up (or announced) and never played or recorded within setupTimeout are closed; an announced path goes with them. */
export function expireUnstarted(server: ServerContext, now: number): void {
  const limit = server.config.setupTimeout * 1000;
  for (const s of [...server.sessions.values()]) {
    if (!s.started && now - s.openedAt > limit) {
      server.destroySession(s, `never ${s.media.kind === 'publish' ? 'recorded' : 'played'} within ${server.config.setupTimeout} s of its setup (setupTimeout)`, false);
    }
  }
}

/**
 * Answers 503 with `why` and closes. `first` (the bytes read so far, if any) gives the CSeq to echo.
 * The socket's input is drained so that the peer's close is seen (an unread socket never sees EOF),
 * and it is destroyed if the peer lingers.
 */
export function refuseRtsp(sock: Socket, why: string, first?: Uint8Array): void {
  const cseq = first ? /^CSeq[ \t]*:[ \t]*(\d{1,10})[ \t]*\r?$/im.exec(Buffer.from(first.buffer, first.byteOffset, Math.min(first.length, 4096)).toString('latin1'))?.[1] : undefined;
  const body = `${why}\r\n`;
  sock.on('error', () => sock.destroy());
  sock.end(
    'RTSP/1.0 503 Service Unavailable\r\n' +
      (cseq !== undefined ? `CSeq: ${cseq}\r\n` : '') +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  sock.resume();
  setTimeout(() => sock.destroy(), 2000).unref();
}
