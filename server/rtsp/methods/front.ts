// Reader placement over RTSP (docs/deploy.md, docs/cluster.md): a reader's request for a stream is answered 302 to the node
// paths.placeReader picks, or 503 on a front with no edge alive. One code path for a Redis front and the origin of --workers.
import type { ServerContext } from '../context.js';
import { RtspError } from '../errors.js';
import type { RtspRequest } from '../message.js';
import type { RtspTarget } from '../url.js';
import { webSocketLocation } from '../server-requests/redirect.js';
import { REDIRECTED } from './open-stream.js';
import type { ConnectionInfo } from './request-context.js';

/** The request URI's path and query ("/cam?x=1"), kept as the reader wrote them; "/<path>" when the URI has no such part. */
export function pathAndQuery(uri: string, path: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([/?][^#]*)?/i.exec(uri);
  const rest = m?.[1];
  if (rest === undefined || rest === '') return `/${path}`;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/** Our own relay (an edge pulling the path) is never placed elsewhere: the pull must reach this origin. */
const RELAY_AGENT = /^Tidecast\//;

/**
 * Whether this request is placed. A front places every stream request. A placing origin (--workers) places only
 * DESCRIBE: ffmpeg and VLC follow a 302 to DESCRIBE, while a publisher (ANNOUNCE after OPTIONS) must stay here, and
 * ffmpeg's muxer does not follow a 302 to its OPTIONS; tunnelled and TLS connections stay (their clients cannot follow
 * to a plain rtsp:// URL on another port), and so do our own relays.
 */
function placed(server: ServerContext, conn: ConnectionInfo, req: RtspRequest, method: string): boolean {
  const placing = server.paths.cluster?.placing;
  if (placing === 'front') return REDIRECTED.has(method);
  if (placing !== 'origin' || method !== 'DESCRIBE' || conn.tunnel !== undefined || conn.secure) return false;
  return !RELAY_AGENT.test(req.headers.get('User-Agent') ?? '');
}

/** Throws the 302 to the node a reader of `target.path` goes to (counted there at once), or a 503 that says why there is none. */
export function checkPlacement(server: ServerContext, conn: ConnectionInfo, req: RtspRequest, method: string, target: RtspTarget): void {
  if (!target.path || !placed(server, conn, req, method)) return;
  const node = server.paths.placeReader(target.path, hostOf(req.uri));
  if (node === 'here') return;
  if (node === 'none') {
    throw new RtspError(503, `no edge is alive in the cluster to serve /${target.path}: this front (${server.paths.cluster!.id}) sees none in Redis; try again later`);
  }
  const location = node.rtsp + pathAndQuery(req.uri, target.path);
  // RTSP over WebSocket: the web player is told the edge's WebSocket too, as a drain does (docs/drain.md).
  const ws = conn.tunnel === 'websocket' ? webSocketLocation(node.http) : undefined;
  throw new RtspError(302, `/${target.path} is served by ${node.role} ${node.id} at ${location}`, false, { Location: location, ...(ws !== undefined ? { 'X-WebSocket-Location': ws } : {}) });
}

/** The host of the request URI ("rtsp://cam.example:8554/x" -> "cam.example", IPv6 in brackets). */
function hostOf(uri: string): string {
  try {
    return new URL(uri).hostname || '127.0.0.1';
  } catch {
    return '127.0.0.1';
  }
}
