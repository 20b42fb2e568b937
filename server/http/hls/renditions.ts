// Audio alternatives in HLS (RFC 8216bis §4.4.6.1): a multivariant playlist whose variant names an AUDIO group of one rendition per language.
import type { Track } from '../../media/track.js';
import { languageName, languageTag } from '../../media/language.js';
import { codecString } from '../../mux/fmp4/index.js';
import { hlsAudio, hlsTracks } from './segmenter.js';
import { SUBS_GROUP, subsUri } from './subtitle-playlist.js';

/** The group every variant names (EXT-X-STREAM-INF AUDIO=). */
const GROUP = 'audio';

/**
 * The audio tracks offered as renditions: all audio HLS carries, when there are two or more beside
 * a video. One audio track (or none, or no video) stays in the plain single playlist.
 */
export function audioAlternatives(tracks: Track[]): Track[] {
  const video = hlsTracks(tracks).find((t) => t.kind === 'video');
  const audio = tracks.filter(hlsAudio);
  return video && audio.length >= 2 ? audio : [];
}

/** The playlist name of an audio rendition; the video's is `video.m3u8`. */
export const renditionUri = (t: Track): string => `audio-${t.id}.m3u8`;

/** A quoted-string attribute value (RFC 8216bis §4.2): no double quote, CR or LF. */
const quoted = (s: string): string => `"${s.replace(/["\r\n]/g, "'")}"`;

export interface MultivariantInput {
  video: Track;
  alternatives: Track[];
  /** Peak bits per second of the video plus its largest audio (EXT-X-STREAM-INF BANDWIDTH). */
  bandwidth: number;
  /** Appended to every URI (`?token=...`), or "". */
  query: string;
  /** Subtitles renditions (subs.m3u8, subs-1.m3u8...) the variant names; the first is the default. */
  subtitles?: readonly { name: string; language?: string }[];
  /** Tracks the variant's playlist carries besides the video (media.m3u8's audio), for CODECS. */
  others?: Track[];
  /** The variant's playlist: video.m3u8 with audio alternatives, media.m3u8 (every track) without. */
  variantUri?: string;
}

/**
 * The multivariant playlist: one EXT-X-MEDIA per audio track (LANGUAGE as an RFC 5646 tag, NAME
 * the track's title or its language's name, the first DEFAULT), and the video variant naming the group.
 */
export function multivariantPlaylist(m: MultivariantInput): string {
  const out = ['#EXTM3U', '#EXT-X-VERSION:6', '#EXT-X-INDEPENDENT-SEGMENTS'];
  const names = new Set<string>();
  m.alternatives.forEach((t, i) => {
    // NAME must be unique in the group (RFC 8216bis §4.4.6.1.1).
    let name = t.name ?? (t.language ? languageName(t.language) : `Audio ${i + 1}`);
    if (names.has(name)) name = `${name} (${i + 1})`;
    names.add(name);
    const attrs = [`TYPE=AUDIO`, `GROUP-ID=${quoted(GROUP)}`];
    if (t.language) attrs.push(`LANGUAGE=${quoted(languageTag(t.language))}`);
    attrs.push(`NAME=${quoted(name)}`, `DEFAULT=${i === 0 ? 'YES' : 'NO'}`, 'AUTOSELECT=YES');
    if (t.channels) attrs.push(`CHANNELS=${quoted(String(t.channels))}`);
    attrs.push(`URI=${quoted(renditionUri(t) + m.query)}`);
    out.push(`#EXT-X-MEDIA:${attrs.join(',')}`);
  });
  const subs = m.subtitles ?? [];
  out.push(...subtitlesMedia(subs, m.query));
  const codecs = [m.video, ...m.alternatives, ...(m.others ?? [])].map(codecString);
  const inf = [`BANDWIDTH=${Math.max(1, Math.round(m.bandwidth))}`];
  // CODECS lists every format the variant may play (the video and each audio rendition's).
  if (codecs.every((c) => c !== undefined)) inf.push(`CODECS=${quoted([...new Set(codecs)].join(','))}`);
  if (m.video.width && m.video.height) inf.push(`RESOLUTION=${m.video.width}x${m.video.height}`);
  if (m.alternatives.length > 0) inf.push(`AUDIO=${quoted(GROUP)}`);
  if (subs.length > 0) inf.push(`SUBTITLES=${quoted(SUBS_GROUP)}`);
  out.push(`#EXT-X-STREAM-INF:${inf.join(',')}`, `${m.variantUri ?? 'video.m3u8'}${m.query}`);
  return out.join('\n') + '\n';
}

/**
 * EXT-X-MEDIA of each subtitles rendition, NAME unique in the group: the first DEFAULT, all
 * AUTOSELECT, so players show the first unasked and pick another by the viewer's language.
 */
function subtitlesMedia(subs: readonly { name: string; language?: string }[], query: string): string[] {
  const names = new Set<string>();
  return subs.map((s, i) => {
    let name = s.name;
    if (names.has(name)) name = `${name} (${i + 1})`;
    names.add(name);
    const attrs = ['TYPE=SUBTITLES', `GROUP-ID=${quoted(SUBS_GROUP)}`, `NAME=${quoted(name)}`];
    if (s.language) attrs.push(`LANGUAGE=${quoted(languageTag(s.language))}`);
    attrs.push(`DEFAULT=${i === 0 ? 'YES' : 'NO'}`, 'AUTOSELECT=YES', `URI=${quoted(subsUri(i) + query)}`);
    return `#EXT-X-MEDIA:${attrs.join(',')}`;
  });
}
