// Reader placement over RTSP: a DESCRIBE of a live path that the placement sends elsewhere answers 302 + Location there.
import type { ServerContext } from '../context.js';
import type { RtspRequest } from '../message.js';
import type { RtspTarget } from '../url.js';
import type { ConnectionInfo } from './request-context.js';
import { redirectError } from './open-stream.js';

/** Our own relay (an edge pulling the path) is never placed elsewhere: the pull must reach this origin. */
const RELAY_AGENT = /^Tidecast\//;

/**
 * Only DESCRIBE is placed: ffmpeg and VLC follow a 302 to DESCRIBE, while a publisher (ANNOUNCE after
 * OPTIONS) must stay here, and ffmpeg's muxer does not follow a 302 to its OPTIONS. Tunnelled and TLS
 * connections stay: their clients cannot follow to a plain rtsp:// URL.
 */
export function checkPlacement(server: ServerContext, conn: ConnectionInfo, req: RtspRequest, method: string, target: RtspTarget): void {
  if (method !== 'DESCRIBE' || !target.path || conn.tunnel !== undefined || conn.secure) return;
  if (RELAY_AGENT.test(req.headers.get('User-Agent') ?? '')) return;
  const node = server.paths.placeReader(target.path, hostOf(req.uri));
  if (!node) return;
  const path = target.path.split('/').map(encodeURIComponent).join('/');
  throw redirectError(target.path, `${node.rtsp}/${path}${target.query !== undefined ? `?${target.query}` : ''}`);
}

/** The host of the request URI ("rtsp://cam.example:8554/x" -> "cam.example", IPv6 in brackets). */
function hostOf(uri: string): string {
  try {
    return new URL(uri).hostname || '127.0.0.1';
  } catch {
    return '127.0.0.1';
  }
}
