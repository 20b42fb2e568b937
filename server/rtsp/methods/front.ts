// A cluster front (docs/cluster.md): a reader's first request for a stream is answered 302 to the best edge, or 503 when no edge is alive.
import type { ClusterView } from '../../core/cluster-view.js';
import { RtspError } from '../errors.js';

/** The request URI's path and query ("/cam?x=1"), kept as the reader wrote them; "/<path>" when the URI has no such part. */
export function pathAndQuery(uri: string, path: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*([/?][^#]*)?/i.exec(uri);
  const rest = m?.[1];
  if (rest === undefined || rest === '') return `/${path}`;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * The 302 to the edge the cluster picks for `path` (counted there at once), or a 503 that says why there is none.
 * `webSocketAt` (RTSP over WebSocket): the web player is told the edge's WebSocket too, as a drain does (docs/drain.md).
 */
export function frontAnswer(cluster: ClusterView, path: string, uri: string, webSocketAt?: (httpBase: string) => string | undefined): RtspError {
  const edge = cluster.place(path);
  if (!edge) return new RtspError(503, `no edge is alive in the cluster to serve /${path}: this front (${cluster.id}) sees none in Redis; try again later`);
  const location = edge.rtsp + pathAndQuery(uri, path);
  const wsUrl = webSocketAt?.(edge.http);
  const ws: Record<string, string> = wsUrl !== undefined ? { 'X-WebSocket-Location': wsUrl } : {};
  return new RtspError(302, `/${path} is served by edge ${edge.id} at ${location}`, false, { Location: location, ...ws });
}
