// Resolves a request path to a media file or live stream, turning path errors into RTSP statuses (404, 415, 503, 302).
import { SourceUnavailableError } from '../../core/on-demand.js';
import { PathNotFoundError, PathRedirectError, UnsupportedMediaError } from '../../core/path-manager.js';
import type { Resolved } from '../../core/path-manager.js';
import type { SeekableMedia } from '../../core/seekable-media.js';
import type { ServerContext } from '../context.js';
import { RtspError } from '../errors.js';
import { webSocketLocation } from '../server-requests/redirect.js';

export async function openStream(server: ServerContext, path: string): Promise<SeekableMedia> {
  return guard(() => server.paths.open(path));
}

/** A file or a live stream for a reader, errors mapped to RTSP statuses. */
export async function resolveStream(server: ServerContext, path: string): Promise<Resolved> {
  return guard(() => server.paths.resolve(path));
}

async function guard<T>(f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof PathNotFoundError) throw new RtspError(404, e.message);
    if (e instanceof UnsupportedMediaError) throw new RtspError(415, e.message);
    if (e instanceof SourceUnavailableError) throw new RtspError(503, e.message);
    if (e instanceof PathRedirectError) throw redirectError(e.path, e.location);
    throw e;
  }
}

/** 302 Moved Temporarily with Location (RFC 2326 §11.3.3, §12.25): the client repeats the request there. */
export function redirectError(path: string, location: string, extra: Record<string, string> = {}): RtspError {
  return new RtspError(302, `/${path} is served at ${location}`, false, { Location: location, ...extra });
}

/** Methods a client sends to a stream URL before it has a session there; each is answered with the redirect. */
export const REDIRECTED = new Set(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY']);

/** Throws the 302 when `path` is configured to redirect (or the server drains) and `method` addresses the stream. */
export function checkRedirect(server: ServerContext, method: string, path: string, tunnel?: 'websocket' | 'http'): void {
  if (!path || !REDIRECTED.has(method)) return;
  const location = server.paths.redirectOf(path);
  if (location === undefined) return;
  // A draining server tells a web player where the other server's WebSocket is (docs/drain.md).
  const ws = tunnel === 'websocket' && server.paths.drain.target ? webSocketLocation(server.paths.drain.target.httpLocation) : undefined;
  throw redirectError(path, location, ws ? { 'X-WebSocket-Location': ws } : {});
}
