// Splits a request URI into the stream path and, for SETUP, the track control id.
import { RtspError } from './errors.js';

export interface RtspTarget {
  /** Stream path without leading or trailing slash, percent-decoded: "sample.mp4", "cams/door". */
  path: string;
  /** Track id when the URI ends with a track control (trackID=N, streamid=N, stream=N, track=N). */
  trackId?: number;
  /** The URI as the client sent it, without query: used to echo control URLs back (RTP-Info). */
  base: string;
  /** The URL query without '?' (and without a track control ffmpeg put after it), when there is one. */
  query?: string;
}

const TRACK_SEGMENT = /^(?:trackID|trackid|track|streamid|stream)=(\d+)$/;
/** A track control after a query, as ffmpeg sends it ("?token=x/streamid=0"). */
const QUERY_TRACK = /^\?[^#]*\/((?:trackID|trackid|track|streamid|stream)=\d+)$/;

export function parseRtspTarget(uri: string): RtspTarget {
  if (uri === '*') return { path: '', base: uri };
  let rest: string;
  const m = /^rtsps?:\/\/[^/?#]*(.*)$/i.exec(uri);
  if (m) rest = m[1]!;
  else if (uri.startsWith('/')) rest = uri;
  else throw new RtspError(400, `"${uri}" is not an RTSP URL: expected rtsp://host[:port]/path`);
  const q = rest.search(/[?#]/);
  // ffmpeg appends the track control after the publish URL's query ("/cam?token=x/streamid=0"):
  // the control is the path's, the query stays the client's.
  const queryTrack = q >= 0 ? QUERY_TRACK.exec(rest.slice(q)) : null;
  if (q >= 0) rest = rest.slice(0, q);
  if (queryTrack) rest = `${rest}/${queryTrack[1]}`;
  let segments: string[];
  try {
    // An escaped slash (%2F) separates segments like a plain one: otherwise "%2F.." would slip a
    // ".." segment (or a leading "/") past the checks below.
    segments = rest.split('/').flatMap((s) => decodeURIComponent(s).split('/')).filter((s) => s.length > 0);
  } catch {
    throw new RtspError(400, `"${uri}" has a malformed percent-escape`);
  }
  if (segments.some((s) => s === '..' || s === '.' || s.includes('\0'))) {
    throw new RtspError(400, `"${uri}": path segments "." and ".." are not allowed`);
  }
  let trackId: number | undefined;
  const last = segments[segments.length - 1];
  const t = last !== undefined ? TRACK_SEGMENT.exec(last) : null;
  if (t) {
    trackId = Number(t[1]);
    segments.pop();
  }
  const qi = uri.search(/[?#]/);
  const base = qi >= 0 ? uri.slice(0, qi) + (queryTrack ? `/${queryTrack[1]}` : '') : uri;
  const query = uri.slice(qi + 1).split('#')[0]!.slice(0, queryTrack ? -(queryTrack[1]!.length + 1) : undefined);
  return { path: segments.join('/'), ...(trackId !== undefined ? { trackId } : {}), base, ...(qi >= 0 && uri[qi] === '?' && query ? { query } : {}) };
}

/** The aggregate control URL a client should use for the stream (Content-Base, with trailing slash). */
export function contentBase(uri: string): string {
  const q = uri.search(/[?#]/);
  const clean = q >= 0 ? uri.slice(0, q) : uri;
  return clean.endsWith('/') ? clean : `${clean}/`;
}

/** The stream's URL as a client addressed it: `base` without a track control and trailing slash (server requests name it). */
export function aggregateUrl(base: string, trackId: number | undefined): string {
  let u = base.replace(/\/+$/, '');
  if (trackId !== undefined) u = u.replace(/\/(?:trackID|trackid|track|streamid|stream)=\d+$/, '');
  return u;
}
