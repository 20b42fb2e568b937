// The multivariant playlist of a path with renditions (RFC 8216bis 4.4.6.2): one EXT-X-STREAM-INF per variant, so players switch by themselves.
import type { Track } from '../../media/track.js';
import { codecString, videoInfo } from '../../mux/fmp4/index.js';
import { RENDITION_CODEC, renditionPathName, type Rendition } from '../../config-renditions.js';

export interface Variant {
  /** Relative to the multivariant playlist. */
  uri: string;
  /** Peak bits per second. */
  bandwidth: number;
  width: number;
  height: number;
  codecs: string[];
}

/** Audio a rendition copies is assumed at most this rate when the main stream's is unknown. */
const AUDIO_ALLOWANCE = 128_000;
/** RTP and fMP4 overhead over the encoder's bitrate, and x264's peaks over its average. */
const OVERHEAD = 1.1;

/**
 * The variants of `path`: the main stream first (media.m3u8 beside this playlist, its bandwidth
 * measured from what the stream has carried), then each rendition at `../<last segment>~<name>/index.m3u8`.
 */
export function variantsOf(path: string, tracks: Track[], measuredBps: number, renditions: Rendition[]): Variant[] {
  const video = tracks.find((t) => t.kind === 'video');
  const audio = tracks.find((t) => t.kind === 'audio');
  const size = video ? videoInfo(video) : { width: 0, height: 0 };
  const audioCodec = audio ? codecString(audio) : undefined;
  const mainCodecs = [video && codecString(video), audioCodec].filter((c): c is string => c !== undefined);
  const main: Variant = { uri: 'media.m3u8', bandwidth: Math.round(measuredBps * OVERHEAD), width: size.width, height: size.height, codecs: mainCodecs };
  const last = path.slice(path.lastIndexOf('/') + 1);
  const rest = renditions.map((r): Variant => {
    // ffmpeg's scale=-2:h: the width keeps the aspect ratio, rounded to an even number.
    const width = size.height ? 2 * Math.round((size.width * r.height) / size.height / 2) : 0;
    return {
      uri: `../${encodeURIComponent(renditionPathName(last, r.name))}/index.m3u8`,
      bandwidth: Math.round(r.videoBitrate * OVERHEAD + (audio ? AUDIO_ALLOWANCE : 0)),
      width,
      height: r.height,
      codecs: [RENDITION_CODEC, ...(audioCodec ? [audioCodec] : [])],
    };
  });
  return [main, ...rest];
}

/** The playlist text; `token` (?token=) is carried into every variant's URI. */
export function formatMultivariant(variants: Variant[], token?: string): string {
  const out = ['#EXTM3U', '#EXT-X-VERSION:9', '#EXT-X-INDEPENDENT-SEGMENTS'];
  for (const v of variants) {
    const attrs = [`BANDWIDTH=${Math.max(1, v.bandwidth)}`];
    if (v.width && v.height) attrs.push(`RESOLUTION=${v.width}x${v.height}`);
    if (v.codecs.length) attrs.push(`CODECS="${v.codecs.join(',')}"`);
    out.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`);
    out.push(token === undefined ? v.uri : `${v.uri}?token=${encodeURIComponent(token)}`);
  }
  return out.join('\n') + '\n';
}
