// WebCodecs configurations for VP8, VP9 and AV1: codec strings (vp8, vp09.PP.LL.DD, av01.P.LLT.DD) learnt from a key frame, and the chunk bytes of a frame.
import type { Av1Config, Track, VpxConfig } from '../../server/media/track.js';
import { findSequenceHeader } from '../../server/rtp/codecs/av1-obu.js';
import { vp8FrameInfo } from '../../server/rtp/codecs/vp8.js';
import { vp9FrameInfo } from '../../server/rtp/codecs/vp9.js';
import { vp9Level } from '../../server/mux/fmp4/vpx-av1-entry.js';
import type { VideoSetup } from './codec-config.js';

const dd = (n: number): string => String(n).padStart(2, '0');

export const FRAME_CODECS = new Set(['VP8', 'VP9', 'AV1']);

/** VP Codec ISO Media File Format Binding, "Codecs Parameter String": vp09.<profile>.<level>.<bitDepth>. */
export function vp09CodecString(c: Pick<VpxConfig, 'profile' | 'bitDepth'>, width: number, height: number): string {
  return `vp09.${dd(c.profile)}.${dd(vp9Level(width, height))}.${dd(c.bitDepth)}`;
}

/** AV1 ISO BMFF binding, "Codecs Parameter String": av01.<profile>.<level><tier>.<bitDepth>. */
export function av01CodecString(c: Pick<Av1Config, 'profile' | 'level' | 'tier' | 'bitDepth'>): string {
  return `av01.${c.profile}.${dd(c.level)}${c.tier ? 'H' : 'M'}.${dd(c.bitDepth)}`;
}

/** A codec string to ask the browser about before any frame arrived: the SDP's profile when it says one. */
export function probeCodecString(track: Track): string {
  const fmtp = track.sdp?.fmtp ?? '';
  if (track.codec === 'VP8') return 'vp8';
  if (track.codec === 'VP9') {
    const profile = Number(/profile-id=(\d)/.exec(fmtp)?.[1] ?? track.vpx?.profile ?? 0);
    return vp09CodecString({ profile, bitDepth: profile >= 2 ? 10 : 8 }, track.width ?? 640, track.height ?? 480);
  }
  const profile = Number(/(?:^|;)\s*profile=(\d)/.exec(fmtp)?.[1] ?? track.av1?.profile ?? 0);
  const level = Number(/level-idx=(\d+)/.exec(fmtp)?.[1] ?? track.av1?.level ?? 8);
  return av01CodecString({ profile, level, tier: 0, bitDepth: 8 });
}

/**
 * The decoder configuration a VP8/VP9 key frame or an AV1 temporal unit with a sequence header
 * says (RTP carries no configuration out of band); undefined for any other frame.
 */
export function frameDecoderConfig(track: Track, data: Uint8Array[]): VideoSetup | undefined {
  let codec: string | undefined;
  let size: { width: number; height: number } | undefined;
  if (track.codec === 'VP8') {
    size = data[0] ? vp8FrameInfo(data[0]) : undefined;
    codec = size && 'vp8';
  } else if (track.codec === 'VP9') {
    const info = data[0] ? vp9FrameInfo(data[0]) : undefined;
    size = info;
    codec = info && vp09CodecString(info, info.width, info.height);
  } else if (track.codec === 'AV1') {
    const seq = findSequenceHeader(data);
    size = seq?.info;
    codec = seq && av01CodecString(seq.info);
  }
  if (!codec || !size) return undefined;
  const config: VideoDecoderConfig = { codec, codedWidth: size.width, codedHeight: size.height, optimizeForLatency: true };
  return { config, lengthPrefixed: false };
}

/** What a chunk carries: the VP8/VP9 frame, or the AV1 temporal unit's OBUs in low-overhead format. */
export function frameChunkData(data: Uint8Array[]): Uint8Array {
  if (data.length === 1) return data[0]!;
  const out = new Uint8Array(data.reduce((n, d) => n + d.length, 0));
  let off = 0;
  for (const d of data) {
    out.set(d, off);
    off += d.length;
  }
  return out;
}
