// What each HTTP URL needs: the API `api`, /metrics `metrics`, streams, HLS and .sdp descriptions `read` of their path, media files and recordings `playback`; pages are public.
import type { AuthAction } from '../../config-auth.js';
import type { AuthProtocol } from '../../auth/auth.js';
import { HttpError } from '../errors.js';

export type HttpRule =
  | { kind: 'public' }
  | { kind: 'login' }
  | { kind: 'logout' }
  | { kind: 'check'; action: AuthAction; path: string; protocol: AuthProtocol };

/** The dashboard's scripts and style (server/http/dashboard/routes.ts serves them): public like the page. */
export const DASHBOARD_ASSET = /^\/dashboard\/[a-z-]+\.(?:js|css)$/;
const STREAM = /^\/(.+)\/(?:stream\.(?:mp4|ts)|renditions\.json|subtitles\.vtt)$/;
/** GET /<path>.sdp and /<path>/description.sdp (description.ts): the description is a read of the path. */
export const SDP_ROUTE = /^\/(.+?)(?:\/description)?\.sdp$/;
/** Recordings by time: playback.mp4/.ts/.m3u8 and the playlist's playback/init.mp4 and playback/<n>.m4s. */
/** POST /api/v1/paths/<path>/captions (server/http/api/captions-routes.ts): publishing text on the path. */
export const CAPTIONS_ROUTE = /^\/api\/v1\/paths\/(.+)\/captions$/;
const PLAYBACK = /^\/(.+)\/playback(?:\.(mp4|ts|m3u8)|\/(?:init\.mp4|\d+\.m4s))$/;
const HLS = /^\/(.+)\/(?:index\.m3u8|media\.m3u8|video\.m3u8|subs(?:-[1-9]\d{0,2})?\.m3u8|audio-\d{1,3}\.m3u8|subs-[0-9a-f]+(?:s\d{1,3})?-\d+\.vtt|init-[0-9a-f]+(?:t\d{1,3})?\.mp4|seg-[0-9a-f]+(?:t\d{1,3})?-\d+\.mp4|part-[0-9a-f]+-\d+-\d+\.mp4)$/;

/**
 * The dashboard page and the player's files are public (they hold no data: what they show comes
 * from the API and the streams, which are checked). Anything not recognised is checked as a read
 * of that path, so a new route is closed until it is listed here.
 */
export function ruleFor(urlPath: string): HttpRule {
  if (urlPath === '/api/v1/login') return { kind: 'login' };
  if (urlPath === '/api/v1/logout') return { kind: 'logout' };
  if (urlPath === '/' || urlPath === '/player' || urlPath.startsWith('/player/') || urlPath === '/favicon.ico') return { kind: 'public' };
  if (DASHBOARD_ASSET.test(urlPath)) return { kind: 'public' };
  const captions = CAPTIONS_ROUTE.exec(urlPath);
  if (captions) return { kind: 'check', action: 'publish', path: decodePath(captions[1]!), protocol: 'api' };
  if (urlPath === '/api' || urlPath.startsWith('/api/')) return { kind: 'check', action: 'api', path: '', protocol: 'api' };
  if (urlPath === '/metrics') return { kind: 'check', action: 'metrics', path: '', protocol: 'metrics' };
  const playback = PLAYBACK.exec(urlPath);
  if (playback) return { kind: 'check', action: 'playback', path: decodePath(playback[1]!), protocol: playback[2] === 'mp4' || playback[2] === 'ts' ? 'http' : 'hls' };
  const hls = HLS.exec(urlPath);
  if (hls) return { kind: 'check', action: 'read', path: decodePath(hls[1]!), protocol: 'hls' };
  const sdp = SDP_ROUTE.exec(urlPath);
  if (sdp) return { kind: 'check', action: 'read', path: decodePath(sdp[1]!), protocol: 'http' };
  const stream = STREAM.exec(urlPath);
  if (stream) return { kind: 'check', action: 'read', path: decodePath(stream[1]!), protocol: 'http' };
  // GET /<file>: the stored file itself, whole or by byte ranges.
  const path = decodePath(urlPath.slice(1));
  return { kind: 'check', action: /\.\w{2,4}$/.test(path) ? 'playback' : 'read', path, protocol: 'http' };
}

/** "live/cam%201" -> "live/cam 1": permissions name paths as RTSP and the path manager do. */
function decodePath(p: string): string {
  try {
    return p.split('/').map(decodeURIComponent).join('/');
  } catch {
    throw new HttpError(400, `the path ${p} has a malformed percent escape`);
  }
}
