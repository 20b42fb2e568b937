// Which tracks of an fMP4 init segment (hls and mp4 modes) the browser's Media Source Extensions can decode, named in words for the page.
import { FatalPlayerError } from './engine.js';

/** Words for an RFC 6381 codec string: "hvc1.1.6.L93.B0" -> "H.265 video". */
export function codecWords(codec: string): string {
  const c = codec.toLowerCase();
  if (c.startsWith('avc1') || c.startsWith('avc3')) return 'H.264 video';
  if (c.startsWith('hvc1') || c.startsWith('hev1')) return 'H.265 video';
  if (c.startsWith('av01')) return 'AV1 video';
  if (c.startsWith('vp09') || c === 'vp9') return 'VP9 video';
  if (c === 'vp8') return 'VP8 video';
  if (c.startsWith('mp4a.40')) return 'AAC audio';
  if (c === 'mp4a.6b' || c === 'mp3') return 'MP3 audio';
  if (c === 'ac-3') return 'AC-3 audio';
  if (c === 'opus') return 'Opus audio';
  if (c === 'flac') return 'FLAC audio';
  return `${codec} track`;
}

/** The MIME type MSE is asked about for one codec (audio codecs in audio/mp4). */
export function mseType(codec: string): string {
  return `${/audio$/.test(codecWords(codec)) ? 'audio' : 'video'}/mp4; codecs="${codec}"`;
}

export interface CodecCheck {
  supported: string[];
  unsupported: string[];
}

/** Splits `codecs` into what `isTypeSupported` (MediaSource's) takes, one track at a time. */
export function checkCodecs(codecs: readonly string[], isTypeSupported: (type: string) => boolean): CodecCheck {
  const supported: string[] = [];
  const unsupported: string[] = [];
  for (const c of codecs) (isTypeSupported(mseType(c)) ? supported : unsupported).push(c);
  return { supported, unsupported };
}

/**
 * The page's message when a track cannot be decoded: which one, and what the rest would need
 * (an element mode feeds one muxed stream, so a track cannot be left out on the page's side).
 */
export function undecodableError(mode: 'hls' | 'mp4', check: CodecCheck): FatalPlayerError {
  const names = check.unsupported.map((c) => `${codecWords(c)} (${c})`).join(' and ');
  const rest = check.supported.map(codecWords).join(' and ');
  const alone = rest ? `; its ${rest} cannot be played alone in ${mode} mode (the tracks come muxed)` : '';
  return new FatalPlayerError(`this browser cannot decode the ${names} of this stream through Media Source Extensions${alone}. Try the ws mode or another browser.`, 'unsupported');
}

/** The EXT-X-MAP init segment of a media playlist, as a URL (relative URIs resolved against the playlist). */
export function initSegmentUrl(playlist: string, playlistUrl: string): string | undefined {
  const m = /^#EXT-X-MAP:.*URI="([^"]+)"/m.exec(playlist);
  return m ? new URL(m[1]!, playlistUrl).toString() : undefined;
}

/** The CODECS of a multivariant playlist's first variant, when the playlist is one. */
export function variantCodecs(playlist: string): string[] | undefined {
  const m = /^#EXT-X-STREAM-INF:.*CODECS="([^"]+)"/m.exec(playlist);
  return m ? m[1]!.split(',').map((c) => c.trim()).filter(Boolean) : undefined;
}
