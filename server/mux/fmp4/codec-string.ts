// RFC 6381 codec strings of tracks ("avc1.64001e", "mp4a.40.2"), for an HLS multivariant playlist's CODECS attribute.
import type { Track } from '../../media/track.js';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/**
 * The codec string of a track as its fMP4 sample entry names it, or undefined when it is not
 * worked out here (H.265, VP9, AV1: the playlist then leaves CODECS out and players read the init
 * segment instead).
 */
export function codecString(t: Track): string | undefined {
  switch (t.codec) {
    case 'H264': {
      // RFC 6381 §3.3: profile_idc, constraint flags and level_idc, the SPS's bytes 1-3.
      const sps = t.h264?.sps[0];
      return sps && sps.length >= 4 ? `avc1.${hex2(sps[1]!)}${hex2(sps[2]!)}${hex2(sps[3]!)}` : undefined;
    }
    case 'AAC': {
      // RFC 6381 §3.3: mp4a.40.<audioObjectType>, the ASC's first 5 bits (31 escapes to 6 more).
      const asc = t.aac?.asc;
      if (!asc || asc.length < 2) return undefined;
      let aot = asc[0]! >> 3;
      if (aot === 31) aot = 32 + (((asc[0]! & 7) << 3) | (asc[1]! >> 5));
      return `mp4a.40.${aot}`;
    }
    case 'OPUS':
      return 'opus';
    case 'MPA':
      return 'mp4a.40.34';
    case 'AC3':
      return 'ac-3';
    default:
      return undefined;
  }
}
