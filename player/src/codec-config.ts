// WebCodecs configurations from SDP tracks: avc1/hev1 codec strings and avcC from SPS/PPS, AAC from its AudioSpecificConfig.
import type { Track } from '../../server/media/track.js';
import { parseAudioSpecificConfig } from '../../server/rtp/codecs/aac.js';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

/** RFC 6381 §3.3: avc1.PPCCLL is profile_idc, the constraint flags byte and level_idc of the SPS. */
export function avc1CodecString(sps: Uint8Array): string {
  return `avc1.${hex2(sps[1] ?? 0x42)}${hex2(sps[2] ?? 0)}${hex2(sps[3] ?? 0x1e)}`;
}

/**
 * AVCDecoderConfigurationRecord (ISO 14496-15 §5.3.3.1) with 4-byte NAL lengths. The High-profile
 * chroma/bit-depth tail is optional for decoders that read the SPS itself (every WebCodecs one does).
 */
export function buildAvcC(sps: Uint8Array[], pps: Uint8Array[]): Uint8Array {
  const first = sps[0]!;
  const size = 7 + sps.reduce((s, n) => s + 2 + n.length, 0) + pps.reduce((s, n) => s + 2 + n.length, 0);
  const out = new Uint8Array(size);
  out.set([1, first[1]!, first[2]!, first[3]!, 0xfc | 3, 0xe0 | sps.length]);
  let o = 6;
  for (const n of sps) {
    out[o++] = n.length >>> 8;
    out[o++] = n.length & 0xff;
    out.set(n, o);
    o += n.length;
  }
  out[o++] = pps.length;
  for (const n of pps) {
    out[o++] = n.length >>> 8;
    out[o++] = n.length & 0xff;
    out.set(n, o);
    o += n.length;
  }
  return out;
}

/** RFC 6381 / ISO 14496-15 Annex E hev1 string from the SPS's profile_tier_level (bytes after the 2-byte NAL header). */
export function hev1CodecString(sps: Uint8Array): string {
  // Byte 2: vps id (4), max_sub_layers (3), nesting (1); then general_profile_space(2) tier(1) profile_idc(5).
  const b = sps[3] ?? 1;
  const space = ['', 'A', 'B', 'C'][b >>> 6]!;
  const tier = b & 0x20 ? 'H' : 'L';
  const profile = b & 0x1f;
  let compat = 0;
  for (let i = 0; i < 4; i++) compat = compat * 256 + (sps[4 + i] ?? 0);
  // The compatibility flags are written bit-reversed (Annex E.3).
  let rev = 0;
  for (let i = 0; i < 32; i++) if (compat & (1 << i)) rev |= 1 << (31 - i);
  const constraints: string[] = [];
  for (let i = 0; i < 6; i++) constraints.push(hex2(sps[8 + i] ?? 0));
  while (constraints.length > 1 && constraints[constraints.length - 1] === '00') constraints.pop();
  const level = sps[14] ?? 93;
  return `hev1.${space}${profile}.${(rev >>> 0).toString(16)}.${tier}${level}.${constraints.join('.')}`;
}

export interface VideoSetup {
  config: VideoDecoderConfig;
  /** true: chunks are 4-byte length-prefixed (avcC given); false: Annex B with start codes. */
  lengthPrefixed: boolean;
}

/** The decoder configuration, or undefined while the parameter sets are not known yet (in-band later). */
export function videoDecoderConfig(track: Track, sps?: Uint8Array[], pps?: Uint8Array[]): VideoSetup | undefined {
  if (track.codec === 'H264') {
    const s = sps?.length ? sps : track.h264?.sps;
    const p = pps?.length ? pps : track.h264?.pps;
    if (!s?.length || !p?.length) return undefined;
    const config: VideoDecoderConfig = { codec: avc1CodecString(s[0]!), description: buildAvcC(s, p), optimizeForLatency: true };
    if (track.width && track.height) {
      config.codedWidth = track.width;
      config.codedHeight = track.height;
    }
    return { config, lengthPrefixed: true };
  }
  if (track.codec === 'H265') {
    const s = sps?.length ? sps : track.h265?.sps;
    // Without a description WebCodecs reads H.265 as Annex B, parameter sets in-band: we prepend them to key frames.
    const config: VideoDecoderConfig = { codec: s?.length ? hev1CodecString(s[0]!) : 'hev1.1.6.L93.B0', optimizeForLatency: true };
    return { config, lengthPrefixed: false };
  }
  return undefined;
}

export function audioDecoderConfig(track: Track): AudioDecoderConfig | undefined {
  const channels = track.channels ?? 2;
  switch (track.codec) {
    case 'AAC': {
      const asc = track.aac?.asc;
      if (!asc) return undefined;
      const info = parseAudioSpecificConfig(asc);
      return { codec: `mp4a.40.${info.objectType}`, sampleRate: track.sampleRate ?? info.sampleRate, numberOfChannels: channels, description: asc };
    }
    case 'OPUS':
      return { codec: 'opus', sampleRate: 48000, numberOfChannels: channels };
    case 'PCMU':
      return { codec: 'ulaw', sampleRate: track.clockRate, numberOfChannels: channels };
    case 'PCMA':
      return { codec: 'alaw', sampleRate: track.clockRate, numberOfChannels: channels };
    default:
      return undefined;
  }
}
