// Server-to-client REDIRECT (RFC 2326 §10.10): tells one session's client to go on at another server.
import type { ServerContext } from '../context.js';
import type { RtspSession } from '../session.js';
import { aggregateUrl } from '../url.js';

/** Where RTSP over WebSocket is served on an HTTP port (http/tunnels/rtsp-over-websocket.ts). */
const WEBSOCKET_PATH = '/rtsp';

/**
 * `X-WebSocket-Location` for a client on a WebSocket (the web player): the other server's RTSP over
 * WebSocket URL, made from its HTTP base (http -> ws, https -> wss). A browser cannot open rtsp://.
 */
export function webSocketLocation(httpBase: string | undefined): string | undefined {
  if (httpBase === undefined || !/^https?:\/\//i.test(httpBase)) return undefined;
  return `${httpBase.replace(/^http/i, 'ws').replace(/\/+$/, '')}${WEBSOCKET_PATH}`;
}

/** `Range: clock=<now>-` (RFC 2326 §3.7, §12.29): the redirect takes effect at once, in UTC. */
export function clockNow(now = new Date()): string {
  return `clock=${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-`;
}

/**
 * Sends REDIRECT with `Location` and `Range` on the session's connection; false when the client
 * cannot be reached (a UDP session whose connection closed). The session goes on as it was: the
 * client TEARDOWNs it when it has moved, or a drain ends it at its grace time.
 */
export function redirectSession(server: ServerContext, s: RtspSession, location: string, httpBase?: string): boolean {
  const conn = s.connection;
  if (conn.closed || !conn.sendRequest) return false;
  const first = s.tracks.values().next().value;
  const uri = first ? aggregateUrl(first.controlUrl, first.trackId) : `rtsp://${conn.localAddress.includes(':') ? `[${conn.localAddress}]` : conn.localAddress}/${s.path}`;
  const headers: Record<string, string> = { Session: s.id, Location: location, Range: clockNow() };
  const ws = conn.tunnel === 'websocket' ? webSocketLocation(httpBase) : undefined;
  if (ws) headers['X-WebSocket-Location'] = ws;
  const sent = conn.sendRequest('REDIRECT', uri, headers);
  if (sent) server.log.info({ session: s.id, path: s.path, location }, `/${s.path}: session ${s.id} redirected to ${location}`);
  return sent;
}
