// Finds random access points in RTP payloads and access units, so ingest can mark where a reader may start.
import type { CodecName } from '../media/track.js';
import { isH264KeyFrame } from './codecs/h264.js';
import { isH265KeyFrame } from './codecs/h265.js';
import { av1KeyFrameHint } from './codecs/av1.js';
import { isAv1KeyFrame } from './codecs/av1-obu.js';
import { isVp8KeyFrame, vp8KeyFrameHint } from './codecs/vp8.js';
import { isVp9KeyFrame, vp9KeyFrameHint } from './codecs/vp9.js';
import type { KeyFrameHint } from './key-frame-hint.js';

export type { KeyFrameHint } from './key-frame-hint.js';

// H.264 nal_unit_type (H.264 Table 7-1) and RFC 6184 §5.2 payload types.
const H264_IDR = 5;
const H264_SPS = 7;
const STAP_A = 24;
const FU_A = 28;

// H.265 nal_unit_type (H.265 Table 7-1) and RFC 7798 §4.4 payload types.
const H265_VPS = 32;
const H265_SPS = 33;
const AP = 48;
const FU = 49;

/** H.264: IDR or SPS (it precedes an IDR) is a start; slices 1..4 are not; the rest says nothing. */
function h264Nal(type: number): KeyFrameHint {
  if (type === H264_IDR || type === H264_SPS) return 'key';
  if (type >= 1 && type <= 4) return 'delta';
  return 'unknown';
}

/** H.265: VPS, SPS or an IRAP picture (BLA/IDR/CRA, 16..23, H.265 §7.4.2.2) is a start; other VCL (0..15) is not. */
function h265Nal(type: number): KeyFrameHint {
  if (type === H265_VPS || type === H265_SPS || (type >= 16 && type <= 23)) return 'key';
  if (type <= 15) return 'delta';
  return 'unknown';
}

/**
 * The first decisive NAL of an aggregation packet (STAP-A, AP): after `header` bytes, units of
 * (16-bit size, NAL). A torn packet decides nothing from the part it cannot read.
 */
function aggregated(p: Uint8Array, header: number, nal: (n: Uint8Array) => KeyFrameHint): KeyFrameHint {
  let off = header;
  while (off + 2 < p.length) {
    const len = (p[off]! << 8) | p[off + 1]!;
    if (len === 0 || off + 2 + len > p.length) return 'unknown';
    const hint = nal(p.subarray(off + 2, off + 2 + len));
    if (hint !== 'unknown') return hint;
    off += 2 + len;
  }
  return 'unknown';
}

function h264Hint(p: Uint8Array): KeyFrameHint {
  if (p.length < 1) return 'unknown';
  const type = p[0]! & 0x1f;
  if (type === STAP_A) return aggregated(p, 1, (n) => h264Nal(n[0]! & 0x1f));
  if (type === FU_A) {
    // RFC 6184 §5.8: only the start fragment (S bit) begins a NAL; its type is in the FU header.
    if (p.length < 2 || !(p[1]! & 0x80)) return 'unknown';
    return h264Nal(p[1]! & 0x1f);
  }
  // STAP-B, MTAP, FU-B (interleaved mode) are refused at ANNOUNCE; 0, 30, 31 are reserved.
  return type >= 1 && type <= 23 ? h264Nal(type) : 'unknown';
}

function h265Hint(p: Uint8Array): KeyFrameHint {
  if (p.length < 2) return 'unknown';
  const type = (p[0]! >>> 1) & 0x3f;
  if (type === AP) return aggregated(p, 2, (n) => (n.length < 2 ? 'unknown' : h265Nal((n[0]! >>> 1) & 0x3f)));
  if (type === FU) {
    // RFC 7798 §4.4.3: FU header after the 2-byte PayloadHdr; S bit, then the NAL type.
    if (p.length < 3 || !(p[2]! & 0x80)) return 'unknown';
    return h265Nal(p[2]! & 0x3f);
  }
  return type < AP ? h265Nal(type) : 'unknown';
}

/** What this payload says about its access unit; audio frames are each a random access point. */
export function keyFrameHint(codec: CodecName, payload: Uint8Array): KeyFrameHint {
  switch (codec) {
    case 'H264':
      return h264Hint(payload);
    case 'H265':
      return h265Hint(payload);
    case 'VP8':
      return vp8KeyFrameHint(payload);
    case 'VP9':
      return vp9KeyFrameHint(payload);
    case 'AV1':
      return av1KeyFrameHint(payload);
    default:
      return 'key';
  }
}

/**
 * True when this RTP payload begins a random access point: H.264 SPS/IDR alone, in a STAP-A or
 * as an FU-A start; H.265 VPS/SPS/IRAP alone, in an AP or as an FU start; any audio payload.
 * A unit whose first packet is SEI or AUD only says so in a later packet: see `keyFrameHint`.
 */
export function startsKeyFrame(codec: CodecName, payload: Uint8Array): boolean {
  return keyFrameHint(codec, payload) === 'key';
}

/**
 * Whether a whole access unit is a random access point: NAL units without start codes (H.264/H.265),
 * the frame (VP8/VP9), OBUs (AV1), or an audio frame (always).
 */
export function isKeyFrameAccessUnit(codec: CodecName, nalus: Uint8Array[]): boolean {
  switch (codec) {
    case 'H264':
      return isH264KeyFrame(nalus);
    case 'H265':
      return isH265KeyFrame(nalus);
    case 'VP8':
      return isVp8KeyFrame(nalus[0]);
    case 'VP9':
      return isVp9KeyFrame(nalus[0]);
    case 'AV1':
      return isAv1KeyFrame(nalus);
    default:
      return true;
  }
}
