// One log line per refused RTSP request: the path, the client (address:port, user) and the reason, through the rate-limited notice log.
import { fromAuthorization } from '../auth/credentials.js';
import { hideSecrets } from '../util/hide-secrets.js';
import type { ServerContext } from './context.js';
import type { RtspError } from './errors.js';
import type { RtspRequest } from './message.js';
import type { ConnectionInfo } from './methods/request-context.js';

/** `address:port` (IPv6 in brackets), or the address alone when the transport has no port. */
export function clientOf(address: string, port: number | undefined): string {
  if (port === undefined) return address;
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;
}

/** The user a request names (Basic or Digest username); never its password or token. */
export function userOf(authorization: string | undefined, method: string): string | undefined {
  const p = fromAuthorization(authorization, method);
  if (p.kind === 'basic') return p.user;
  if (p.kind === 'digest') return p.auth.username;
  return undefined;
}

/**
 * Logs an answer of 400 or more (a 500 is logged where it happened): `info` for a 401 to a request
 * without credentials (the first step of Digest, not a refusal), `warn` for the rest. Once per
 * client address and status a minute: a flood of refused requests writes a line a minute.
 */
export function logRefusal(server: ServerContext, conn: ConnectionInfo, req: RtspRequest | undefined, err: RtspError, path?: string): void {
  if (err.status < 400 || err.status === 500) return;
  const authorization = req?.headers.get('Authorization');
  const presented = authorization !== undefined && authorization.trim() !== '';
  const user = req ? userOf(authorization, req.method) : undefined;
  const tunnelled = conn.credentials !== undefined && conn.credentials.kind !== 'none';
  const level = err.status === 401 && !presented && !tunnelled ? 'info' : 'warn';
  const where = path !== undefined ? `/${path}` : req ? hideSecrets(req.uri) : undefined;
  const reason = hideSecrets(err.reason);
  const fields = {
    client: clientOf(conn.remoteAddress, conn.remotePort),
    ...(user !== undefined ? { user } : {}),
    ...(where !== undefined ? { path: where } : {}),
    ...(req ? { method: req.method } : {}),
    status: err.status,
    reason,
    conn: conn.id,
    ...(conn.tunnel ? { tunnel: conn.tunnel } : {}),
  };
  const what = req ? `${req.method} ${where ?? ''}`.trim() : 'request';
  server.notices.note(level, conn.remoteAddress, `RTSP ${err.status}`, fields, `RTSP ${what} refused with ${err.status} for ${fields.client}: ${reason}`);
}
