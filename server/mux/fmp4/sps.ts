// H.264 and H.265 sequence parameter set fields a container needs: picture size, profile, chroma and bit depth.
import { BitReader } from '../../rtp/codecs/bit-reader.js';

export interface SpsInfo {
  width: number;
  height: number;
  chromaFormat: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /**
   * H.265 only: the 12 bytes of general_profile_tier_level (profile space/tier/idc, 32 compatibility
   * flags, 48 constraint flags, level), copied verbatim into hvcC.
   */
  generalPtl?: Uint8Array;
}

/** Removes emulation prevention bytes (00 00 03 -> 00 00), ITU-T H.264 7.4.1. */
export function unescapeRbsp(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let n = 0;
  let zeros = 0;
  for (let i = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[n++] = b;
  }
  return out.subarray(0, n);
}

/** A reader of the RBSP from byte `offset` (after the NAL header). */
function bitsAt(b: Uint8Array, offset: number): BitReader {
  const r = new BitReader(b, 'SPS');
  r.pos = offset * 8;
  return r;
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** ITU-T H.264 7.3.2.1.1; throws on a truncated or malformed SPS. */
export function parseH264Sps(nal: Uint8Array): SpsInfo {
  const b = unescapeRbsp(nal);
  const r = bitsAt(b, 1);
  const profile = r.u(8);
  r.skip(16); // constraint flags, level
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  let separateColourPlane = 0;
  if (HIGH_PROFILES.has(profile)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlane = r.u(1);
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.u(1)) {
      const lists = chromaFormat !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (!r.u(1)) continue;
        const size = i < 6 ? 16 : 64;
        let last = 8;
        let next = 8;
        for (let j = 0; j < size && next !== 0; j++) {
          next = (last + r.se() + 256) % 256;
          if (next !== 0) last = next;
        }
      }
    }
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.skip(1);
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const wMbs = r.ue() + 1;
  const hMapUnits = r.ue() + 1;
  const frameMbsOnly = r.u(1);
  if (!frameMbsOnly) r.skip(1);
  r.skip(1); // direct_8x8_inference_flag
  let crop = [0, 0, 0, 0];
  if (r.u(1)) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
  const arrayType = separateColourPlane ? 0 : chromaFormat;
  const subW = arrayType === 1 || arrayType === 2 ? 2 : 1;
  const subH = arrayType === 1 ? 2 : 1;
  const cropX = arrayType === 0 ? 1 : subW;
  const cropY = (arrayType === 0 ? 1 : subH) * (2 - frameMbsOnly);
  return {
    width: wMbs * 16 - cropX * (crop[0]! + crop[1]!),
    height: (2 - frameMbsOnly) * hMapUnits * 16 - cropY * (crop[2]! + crop[3]!),
    chromaFormat,
    bitDepthLuma,
    bitDepthChroma,
  };
}

/** ITU-T H.265 7.3.2.2.1 up to the bit depths; throws on a truncated or malformed SPS. */
export function parseH265Sps(nal: Uint8Array): SpsInfo {
  const b = unescapeRbsp(nal);
  const r = bitsAt(b, 2);
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.u(3);
  r.skip(1); // sps_temporal_id_nesting_flag
  // general_profile_tier_level is byte aligned: RBSP bytes 3..14.
  if (b.length < 15) throw new Error('SPS ends early');
  const generalPtl = b.slice(3, 15);
  r.skip(96);
  const subProfile: number[] = [];
  const subLevel: number[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    subProfile.push(r.u(1));
    subLevel.push(r.u(1));
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (subProfile[i]) r.skip(88);
    if (subLevel[i]) r.skip(8);
  }
  r.ue(); // sps_seq_parameter_set_id
  const chromaFormat = r.ue();
  let separateColourPlane = 0;
  if (chromaFormat === 3) separateColourPlane = r.u(1);
  let width = r.ue();
  let height = r.ue();
  if (r.u(1)) {
    const arrayType = separateColourPlane ? 0 : chromaFormat;
    const subW = arrayType === 1 || arrayType === 2 ? 2 : 1;
    const subH = arrayType === 1 ? 2 : 1;
    const [l, rt, t, bt] = [r.ue(), r.ue(), r.ue(), r.ue()];
    width -= subW * (l + rt);
    height -= subH * (t + bt);
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  return { width, height, chromaFormat, bitDepthLuma, bitDepthChroma, generalPtl };
}
