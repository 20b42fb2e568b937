// A playlist fetched with ?token= names its init, segments and parts with the same token: players resolve them relative to the playlist and drop its query.
import type { MediaPlaylist, PlaylistPart } from './playlist.js';

/** The token characters we issue (base64url and a dot); anything else is not carried along. */
const TOKEN = /^[A-Za-z0-9._~+/=-]{1,2048}$/;

/** The `token` query value when there is a usable one. */
export function queryToken(query: Record<string, unknown>): string | undefined {
  const v = query['token'];
  const t = Array.isArray(v) ? v[0] : v;
  return typeof t === 'string' && TOKEN.test(t) ? t : undefined;
}

/** The playlist with `?token=` added to every URI in it (ffplay, VLC, hls.js and native players keep a URI's own query). */
export function withToken(p: MediaPlaylist, token: string | undefined): MediaPlaylist {
  if (token === undefined) return p;
  const q = `token=${encodeURIComponent(token)}`;
  const uri = (u: string): string => `${u}${u.includes('?') ? '&' : '?'}${q}`;
  const part = (x: PlaylistPart): PlaylistPart => ({ ...x, uri: uri(x.uri) });
  return {
    ...p,
    map: uri(p.map),
    segments: p.segments.map((s) => ({ ...s, uri: uri(s.uri), ...(s.parts ? { parts: s.parts.map(part) } : {}) })),
    ...(p.open ? { open: { ...p.open, parts: p.open.parts.map(part) } } : {}),
    ...(p.preloadHint !== undefined ? { preloadHint: uri(p.preloadHint) } : {}),
  };
}
