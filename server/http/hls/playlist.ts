// HLS media playlists (RFC 8216bis with the Low-Latency tags): a typed model and its text form; blocking-reload query parsing.
import { HttpError } from '../errors.js';

export interface PlaylistPart {
  /** Seconds. */
  duration: number;
  uri: string;
  /** Starts with a key frame (EXT-X-PART INDEPENDENT=YES). */
  independent: boolean;
}

export interface PlaylistSegment {
  msn: number;
  /** Seconds (EXTINF). */
  duration: number;
  uri: string;
  /** Unix ms of the segment's first frame (EXT-X-PROGRAM-DATE-TIME). */
  programDateTime?: number;
  /** Listed before the segment line for segments near the live edge. */
  parts?: PlaylistPart[];
}

export interface LowLatency {
  /** Seconds (EXT-X-PART-INF:PART-TARGET). */
  partTarget: number;
  partHoldBack: number;
  holdBack: number;
}

export interface MediaPlaylist {
  version: number;
  targetDuration: number;
  mediaSequence: number;
  /** EXT-X-MAP URI of the init segment. */
  map: string;
  type?: 'VOD' | 'EVENT';
  endList: boolean;
  lowLatency?: LowLatency;
  /** Complete segments, oldest first. */
  segments: PlaylistSegment[];
  /** The segment being written: its parts so far (no EXTINF yet). */
  open?: { programDateTime?: number; parts: PlaylistPart[] };
  /** EXT-X-PRELOAD-HINT URI of the next part. */
  preloadHint?: string;
}

/** Seconds with 5 decimals (targets and hold-backs). */
const secs = (s: number): string => s.toFixed(5);
/**
 * Part durations: 5 decimals, rounded down (the epsilon keeps exact values such as 0.2 from
 * flooring a float error away), so parts add up to their segment within microseconds and never
 * to more than their media.
 */
export const durationSecs = (s: number): string => (Math.floor(s * 1e5 + 1e-6) / 1e5).toFixed(5);

/**
 * EXTINF: rounded down as parts are, and at least 2 µs short of the media, so a player that
 * places segments by adding EXTINFs up places each one inside the media buffered before it.
 * hls.js loading parts at the live edge looks the next segment up at MSE's buffered end with no
 * tolerance; MSE keeps whole microseconds and its end came out 1 µs short of an exact boundary
 * (19.999999 for 20), or 3 µs short when a 2.0106777 s segment (a looping publisher's 10.7 ms
 * wrap) was listed as 2.01068. Either way hls.js found the segment it had just loaded, loaded
 * nothing, and stalled until that segment's parts left the playlist (three target durations).
 */
export const extinfSecs = (s: number): string => (Math.floor((s - 2e-6) * 1e5 + 1e-6) / 1e5).toFixed(5);

export function formatPlaylist(p: MediaPlaylist): string {
  const out = ['#EXTM3U', `#EXT-X-VERSION:${p.version}`, `#EXT-X-TARGETDURATION:${p.targetDuration}`];
  if (p.lowLatency) {
    const ll = p.lowLatency;
    // No CAN-SKIP-UNTIL: delta playlists are not served (hls.js would ask for them).
    out.push(`#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${secs(ll.partHoldBack)},HOLD-BACK=${secs(ll.holdBack)}`);
    out.push(`#EXT-X-PART-INF:PART-TARGET=${secs(ll.partTarget)}`);
  }
  out.push(`#EXT-X-MEDIA-SEQUENCE:${p.mediaSequence}`);
  if (p.type) out.push(`#EXT-X-PLAYLIST-TYPE:${p.type}`);
  out.push('#EXT-X-INDEPENDENT-SEGMENTS');
  out.push(`#EXT-X-MAP:URI="${p.map}"`);
  for (const s of p.segments) {
    if (s.programDateTime !== undefined) out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
    for (const part of s.parts ?? []) out.push(formatPart(part));
    // VOD segments are whole fragments, placed as listed: their exact durations are written.
    out.push(`#EXTINF:${p.lowLatency ? extinfSecs(s.duration) : secs(s.duration)},`, s.uri);
  }
  if (p.open) {
    if (p.open.programDateTime !== undefined) out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(p.open.programDateTime).toISOString()}`);
    for (const part of p.open.parts) out.push(formatPart(part));
  }
  if (p.preloadHint) out.push(`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${p.preloadHint}"`);
  if (p.endList) out.push('#EXT-X-ENDLIST');
  return out.join('\n') + '\n';
}

function formatPart(p: PlaylistPart): string {
  return `#EXT-X-PART:DURATION=${durationSecs(p.duration)},URI="${p.uri}"${p.independent ? ',INDEPENDENT=YES' : ''}`;
}

/** A blocking playlist reload: wait for segment `msn` (and part `part` of it) before answering. */
export interface BlockingRequest {
  msn: number;
  /** Absent: wait for the whole segment. */
  part?: number;
}

/**
 * `_HLS_msn` / `_HLS_part` from a query (RFC 8216bis 6.2.5.2): undefined when absent;
 * 400 for `_HLS_part` alone or values that are not non-negative integers.
 */
export function parseBlockingQuery(query: Record<string, unknown>): BlockingRequest | undefined {
  const msn = query['_HLS_msn'];
  const part = query['_HLS_part'];
  if (msn === undefined) {
    if (part !== undefined) throw new HttpError(400, '_HLS_part needs _HLS_msn (RFC 8216bis 6.2.5.2)');
    return undefined;
  }
  const n = integer('_HLS_msn', msn);
  return part === undefined ? { msn: n } : { msn: n, part: integer('_HLS_part', part) };
}

function integer(name: string, v: unknown): number {
  if (typeof v !== 'string' || !/^\d{1,15}$/.test(v)) {
    throw new HttpError(400, `${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}
