// Who may send an RTSP request: the permission its method needs on its path (401/403), and sessions answered only to the address and user that made them (454).
import type { AccessResult } from '../auth/auth.js';
import { fromAuthorization } from '../auth/credentials.js';
import { NonceMemory } from '../auth/digest.js';
import type { AuthAction } from '../config-auth.js';
import type { ServerContext } from './context.js';
import { RtspError } from './errors.js';
import { parseSession } from './headers/session.js';
import { parseTransport } from './headers/transport.js';
import { formatChallenge } from './headers/www-authenticate.js';
import type { RtspRequest } from './message.js';
import type { ConnectionInfo } from './methods/request-context.js';
import type { RtspSession } from './session.js';
import type { Method } from './state-table.js';
import type { RtspTarget } from './url.js';

export interface Access {
  /** The session the request names, checked to be the requester's. */
  session: RtspSession | undefined;
  /** Who a session this request makes belongs to. */
  owner: string;
}

/** Nonces each connection has used: its keepalives go on with them after they expire. */
const nonceMemory = new WeakMap<ConnectionInfo, NonceMemory>();

/**
 * Runs before the handler. A request naming a session gets 454 with the not-found wording when the
 * session is someone else's (another address, another user, or wrong credentials), so nobody learns
 * that it exists; UDP sessions may be resumed on a new connection from the same address and user.
 */
export async function checkAccess(server: ServerContext, conn: ConnectionInfo, req: RtspRequest, method: Method, target: RtspTarget): Promise<Access> {
  const header = req.headers.get('Session');
  const id = header === undefined ? undefined : parseSession(header).id;
  let session = id === undefined ? undefined : server.sessions.get(id);
  if (id !== undefined && (!session || session.peerAddress !== conn.remoteAddress)) throw notFound(server, id);
  // A publisher's SETUP may omit the Session of its ANNOUNCE: the connection names it.
  const implied = session ?? announcedSession(server, conn, method, req, target);
  const need = needed(method, req, implied, conn, target);
  let owner = '';
  if (need) {
    const r = await server.auth.check({
      ip: conn.remoteAddress,
      action: need.action,
      path: need.path,
      protocol: 'rtsp',
      presented: presentedBy(req, conn),
      uri: req.uri,
      nonces: nonces(conn),
      local: conn.localAddress,
    });
    if (!r.ok) {
      if (id !== undefined && (r.status === 403 || (r.status === 401 && !r.stale))) throw notFound(server, id);
      throw refusal(server, conn, r);
    }
    owner = r.owner;
  }
  if (implied && implied.owner !== owner) throw notFound(server, implied.id);
  // The session is theirs: a refusal to play its recording is said as such (403), not hidden as 454.
  if (session && needsPlayback(method, req, session)) {
    const r = await server.auth.check({ ip: conn.remoteAddress, action: 'playback', path: session.path, protocol: 'rtsp', presented: presentedBy(req, conn), uri: req.uri, nonces: nonces(conn), local: conn.localAddress });
    if (!r.ok) throw refusal(server, conn, r);
  }
  if (session) {
    session.touch();
    if (session.transportKind === 'tcp' && session.connection !== conn && !session.connection.closed) {
      throw new RtspError(454, `session ${session.id} belongs to another connection: its RTP is interleaved on that one`);
    }
  }
  if (id === undefined) session = undefined;
  return { session, owner };
}

/** The action and path a method needs; none for OPTIONS and for keepalives outside a session. */
function needed(method: Method, req: RtspRequest, session: RtspSession | undefined, conn: ConnectionInfo, target: RtspTarget): { action: AuthAction; path: string } | undefined {
  if (session) return { action: session.media.kind === 'publish' ? 'publish' : session.recorded ? 'playback' : 'read', path: session.path };
  // ?start= on the URL (or on the DESCRIBE a SETUP follows) plays the recording: the `playback` action.
  const query = target.query ?? (method === 'SETUP' && conn.described?.path === target.path ? conn.described.query : undefined);
  const recorded = hasStart(query);
  switch (method) {
    case 'DESCRIBE':
      return { action: recorded ? 'playback' : 'read', path: target.path };
    case 'ANNOUNCE':
      return { action: 'publish', path: target.path };
    case 'SETUP':
      return { action: isRecord(req) ? 'publish' : recorded ? 'playback' : 'read', path: target.path };
    default:
      // Everything else either needs a session (455 follows) or touches nothing (OPTIONS, keepalives).
      return undefined;
  }
}

/** A live session's PLAY with a clock= range turns it to the recording: the `playback` action on top of `read`. */
function needsPlayback(method: Method, req: RtspRequest, session: RtspSession): boolean {
  if (session.media.kind === 'publish' || session.recorded || method !== 'PLAY') return false;
  return /^\s*clock\s*=/i.test(req.headers.get('Range') ?? '');
}

function hasStart(query: string | undefined): boolean {
  return query !== undefined && new URLSearchParams(query).has('start');
}

function isRecord(req: RtspRequest): boolean {
  const t = req.headers.get('Transport');
  return t !== undefined && parseTransport(t).some((o) => o.mode === 'record' || o.mode === 'receive');
}

function announcedSession(server: ServerContext, conn: ConnectionInfo, method: Method, req: RtspRequest, target: RtspTarget): RtspSession | undefined {
  const a = conn.announced;
  if (method !== 'SETUP' || !a || !isRecord(req)) return undefined;
  if (target.path !== a.path && !target.path.startsWith(`${a.path}/`)) return undefined;
  return server.sessions.get(a.sessionId);
}

/** The request's Authorization, else what its tunnel's opening request presented (the player's token). */
function presentedBy(req: RtspRequest, conn: ConnectionInfo) {
  const p = fromAuthorization(req.headers.get('Authorization'), req.method);
  return p.kind === 'none' && conn.credentials ? conn.credentials : p;
}

function nonces(conn: ConnectionInfo): NonceMemory {
  let m = nonceMemory.get(conn);
  if (!m) nonceMemory.set(conn, (m = new NonceMemory()));
  return m;
}

/** The same words whether the session is gone or someone else's. */
function notFound(server: ServerContext, id: string): RtspError {
  return new RtspError(454, `session ${id} not found: it timed out after ${server.config.sessionTimeout} s without a request or RTCP, or was torn down`);
}

function refusal(server: ServerContext, conn: ConnectionInfo, r: Exclude<AccessResult, { ok: true }>): RtspError {
  if (r.status === 401) {
    // One header line per challenge: ffmpeg reads a line as one scheme (INTEROP.md).
    return new RtspError(401, r.reason, false, { 'WWW-Authenticate': server.auth.challenges(conn.remoteAddress, r.stale === true).map(formatChallenge) });
  }
  // RTSP has no 429; 503 with Retry-After (RFC 2326 §12.38) says the same.
  if (r.status === 429) return new RtspError(503, r.reason, false, { 'Retry-After': String(r.retryAfterS ?? 60) });
  return new RtspError(r.status, r.reason);
}
