// HLS subtitle renditions (RFC 8216bis 4.4.6.1, 3.1.4): a media playlist of WebVTT segments cut where the media's are, each mapped onto the media's timeline.
import { cuesBetween, formatWebVtt, type Cue } from '../../media/subtitles.js';
import { extinfSecs } from './playlist.js';

/** The playlist name of the first subtitles rendition (EXT-X-MEDIA TYPE=SUBTITLES URI). */
export const SUBS_URI = 'subs.m3u8';
/** The playlist name of subtitles rendition `n` (0-based): subs.m3u8, subs-1.m3u8, subs-2.m3u8... */
export const subsUri = (n: number): string => (n === 0 ? SUBS_URI : `subs-${n}.m3u8`);
/** Subtitles renditions listed per media file; further text tracks are not offered. */
export const MAX_SUBTITLE_RENDITIONS = 32;

/** The rendition a subtitle playlist name stands for (subs.m3u8: 0, subs-3.m3u8: 3), or undefined. */
export function subsIndex(name: string): number | undefined {
  if (name === SUBS_URI) return 0;
  const m = /^subs-([1-9]\d{0,2})\.m3u8$/.exec(name);
  const n = m ? Number(m[1]) : NaN;
  return n < MAX_SUBTITLE_RENDITIONS ? n : undefined;
}

/** A segment id names its rendition after the playlist's id: `<id>` for the first, `<id>s<n>` for rendition n. */
export const subsSegmentId = (id: string, n: number): string => (n === 0 ? id : `${id}s${n}`);

/** The playlist id and rendition of a segment id (`7fa8s2` -> 7fa8, 2). */
export function parseSubsSegmentId(segId: string): { id: string; index: number } {
  const at = segId.indexOf('s');
  return at < 0 ? { id: segId, index: 0 } : { id: segId.slice(0, at), index: Number(segId.slice(at + 1)) };
}
/** The group every variant names (EXT-X-STREAM-INF SUBTITLES=). */
export const SUBS_GROUP = 'subs';

export interface SubtitleSpan {
  msn: number;
  /** Seconds on the media's timeline. */
  start: number;
  duration: number;
  /** Unix ms (EXT-X-PROGRAM-DATE-TIME, live): the media segment's, so players line both up. */
  programDateTime?: number;
}

export interface SubtitlePlaylistInput {
  /** In every segment's name (`subs-<id>-<msn>.vtt`; see subsSegmentId for renditions after the first). */
  id: string;
  spans: SubtitleSpan[];
  /** VOD (EXT-X-ENDLIST) or a live window. */
  vod: boolean;
  /** Appended to every URI (`?token=...`), or "". */
  query: string;
  /** EXT-X-TARGETDURATION: the media playlist's (live); by default the rounded longest span. */
  targetDuration?: number;
  /** A live playlist whose stream ended (EXT-X-ENDLIST). */
  ended?: boolean;
}

export const subtitleSegmentName = (id: string, msn: number): string => `subs-${id}-${msn}.vtt`;

export function formatSubtitlePlaylist(p: SubtitlePlaylistInput): string {
  const target = p.targetDuration ?? Math.max(1, ...p.spans.map((s) => Math.round(s.duration)));
  const out = ['#EXTM3U', '#EXT-X-VERSION:6', `#EXT-X-TARGETDURATION:${target}`, `#EXT-X-MEDIA-SEQUENCE:${p.spans[0]?.msn ?? 0}`];
  if (p.vod) out.push('#EXT-X-PLAYLIST-TYPE:VOD');
  // EXTINFs written as the media playlist's are (whole VOD fragments; live ones rounded down).
  for (const s of p.spans) {
    if (s.programDateTime !== undefined) out.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.programDateTime).toISOString()}`);
    out.push(`#EXTINF:${p.vod ? s.duration.toFixed(5) : extinfSecs(s.duration)},`, subtitleSegmentName(p.id, s.msn) + p.query);
  }
  if (p.vod || p.ended) out.push('#EXT-X-ENDLIST');
  return out.join('\n') + '\n';
}

/**
 * The WebVTT segment of one span: the cues showing in it, in media seconds, with
 * X-TIMESTAMP-MAP MPEGTS:0 at LOCAL 0: the fMP4 segments present each frame at its media time
 * (pts over the track's clock), so local cue time and media time are the same clock.
 */
export function subtitleSegment(cues: readonly Cue[], span: SubtitleSpan): string {
  return formatWebVtt(cuesBetween(cues, span.start, span.start + span.duration), 0);
}
