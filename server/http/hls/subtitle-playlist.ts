// HLS subtitle renditions (RFC 8216bis 4.4.6.1, 3.1.4): a media playlist of WebVTT segments cut where the media's are, each mapped onto the media's timeline.
import { cuesBetween, formatWebVtt, type Cue } from '../../media/subtitles.js';
import { extinfSecs } from './playlist.js';

/** The playlist name of the subtitles rendition (EXT-X-MEDIA TYPE=SUBTITLES URI). */
export const SUBS_URI = 'subs.m3u8';
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
  /** In every segment's name (`subs-<id>-<msn>.vtt`). */
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
