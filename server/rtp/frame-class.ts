// Which video frames a thinned reader may go without, from one RTP payload or a whole access unit: key frames,
// reference frames, and droppable ones no other frame predicts from (H.264 nal_ref_idc 0; H.265 sub-layer
// non-reference pictures and TemporalId > 0). Never throws: a payload it cannot read says 'unknown'.
import type { CodecName } from '../media/track.js';
import { isKeyFrameAccessUnit, keyFrameHint } from './keyframe.js';

/**
 * `key`: a random access point starts here. `reference`: a frame later frames may predict from.
 * `droppable`: no frame that stays predicts from it. `unknown`: this payload does not say (SEI,
 * AUD, parameter sets, a continuation fragment): look at the next packet of the same unit.
 */
export type FrameClass = 'key' | 'reference' | 'droppable' | 'unknown';

const STAP_A = 24;
const FU_A = 28;
const H265_AP = 48;
const H265_FU = 49;

/** H.264 §7.4.1: nal_ref_idc 0 on a slice means no other picture references it. */
function h264Nal(type: number, nri: number): FrameClass {
  if (type === 5 || type === 7) return 'key';
  if (type >= 1 && type <= 4) return nri === 0 ? 'droppable' : 'reference';
  return 'unknown';
}

/**
 * H.265 §7.4.2.2: VCL types 0..14 with an even number (TRAIL_N, TSA_N, STSA_N, RADL_N, RASL_N,
 * RSV_VCL_N10/12/14) are sub-layer non-reference pictures; a picture with TemporalId > 0 is never
 * referenced by one of a lower sub-layer. Dropping both keeps TemporalId 0 reference pictures, which
 * predict only from each other. IRAP (16..23), VPS and SPS start a key frame.
 */
function h265Nal(type: number, tid: number): FrameClass {
  if (type === 32 || type === 33 || (type >= 16 && type <= 23)) return 'key';
  if (type > 15) return 'unknown';
  return tid > 0 || (type <= 14 && type % 2 === 0) ? 'droppable' : 'reference';
}

/** Units of (16-bit size, NAL) after `header` bytes: the first one that decides. */
function aggregated(p: Uint8Array, header: number, nal: (n: Uint8Array) => FrameClass): FrameClass {
  let off = header;
  while (off + 2 < p.length) {
    const len = (p[off]! << 8) | p[off + 1]!;
    if (len === 0 || off + 2 + len > p.length) return 'unknown';
    const c = nal(p.subarray(off + 2, off + 2 + len));
    if (c !== 'unknown') return c;
    off += 2 + len;
  }
  return 'unknown';
}

const h264Whole = (n: Uint8Array): FrameClass => (n.length < 1 ? 'unknown' : h264Nal(n[0]! & 0x1f, (n[0]! >>> 5) & 3));
const h265Whole = (n: Uint8Array): FrameClass => (n.length < 2 ? 'unknown' : h265Nal((n[0]! >>> 1) & 0x3f, (n[1]! & 7) - 1));

function h264Payload(p: Uint8Array): FrameClass {
  if (p.length < 1) return 'unknown';
  const type = p[0]! & 0x1f;
  if (type === STAP_A) return aggregated(p, 1, h264Whole);
  // RFC 6184 §5.8: the FU indicator carries the NAL's NRI; the FU header (S bit) its type.
  if (type === FU_A) return p.length < 2 || !(p[1]! & 0x80) ? 'unknown' : h264Nal(p[1]! & 0x1f, (p[0]! >>> 5) & 3);
  return type >= 1 && type <= 23 ? h264Whole(p) : 'unknown';
}

function h265Payload(p: Uint8Array): FrameClass {
  if (p.length < 2) return 'unknown';
  const type = (p[0]! >>> 1) & 0x3f;
  if (type === H265_AP) return aggregated(p, 2, h265Whole);
  // RFC 7798 §4.4.3: the PayloadHdr carries the fragmented NAL's TID; the FU header (S bit) its type.
  if (type === H265_FU) return p.length < 3 || !(p[2]! & 0x80) ? 'unknown' : h265Nal(p[2]! & 0x3f, (p[1]! & 7) - 1);
  return type < H265_AP ? h265Whole(p) : 'unknown';
}

/** What one RTP payload says about its frame. Codecs without a non-reference notion say key or reference. */
export function frameClassOfPayload(codec: CodecName, payload: Uint8Array): FrameClass {
  if (codec === 'H264') return h264Payload(payload);
  if (codec === 'H265') return h265Payload(payload);
  const hint = keyFrameHint(codec, payload);
  return hint === 'key' ? 'key' : hint === 'delta' ? 'reference' : 'unknown';
}

/** The class of a whole access unit (NAL units without start codes, or one frame); never 'unknown'. */
export function frameClassOfUnit(codec: CodecName, nalus: Uint8Array[]): Exclude<FrameClass, 'unknown'> {
  const whole = codec === 'H264' ? h264Whole : codec === 'H265' ? h265Whole : undefined;
  if (whole) {
    for (const n of nalus) {
      const c = whole(n);
      if (c !== 'unknown') return c;
    }
  }
  return isKeyFrameAccessUnit(codec, nalus) ? 'key' : 'reference';
}
