// Picture sizes from H.264 and H.265 sequence parameter sets, for the SDP reader (track width and height).
import { BitReader } from '../rtp/codecs/bit-reader.js';

/** H.264 §7.4.1: drops the 0x03 of every 00 00 03 so the RBSP can be read. */
function unescape(nal: Uint8Array): Uint8Array {
  const out = new Uint8Array(nal.length);
  let o = 0;
  let zeros = 0;
  for (const b of nal) {
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[o++] = b;
  }
  return out.subarray(0, o);
}

/** Picture size from an H.264 SPS (H.264 §7.3.2.1.1, cropping per §7.4.2.1.1); undefined if unreadable. */
export function h264Dimensions(sps: Uint8Array): { width: number; height: number } | undefined {
  try {
    const r = new BitReader(unescape(sps), 'SPS');
    r.u(8); // NAL header
    const profile = r.u(8);
    r.u(16); // constraint flags, level_idc
    r.ue(); // seq_parameter_set_id
    let chroma = 1;
    let separate = 0;
    if ([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].includes(profile)) {
      chroma = r.ue();
      if (chroma === 3) separate = r.u(1);
      r.ue(); // bit_depth_luma_minus8
      r.ue(); // bit_depth_chroma_minus8
      r.u(1); // qpprime_y_zero_transform_bypass_flag
      if (r.u(1)) {
        for (let i = 0; i < (chroma === 3 ? 12 : 8); i++) {
          if (!r.u(1)) continue;
          let last = 8;
          let next = 8;
          for (let j = 0; j < (i < 6 ? 16 : 64); j++) {
            if (next !== 0) next = (last + r.se() + 256) % 256;
            last = next === 0 ? last : next;
          }
        }
      }
    }
    r.ue(); // log2_max_frame_num_minus4
    const pocType = r.ue();
    if (pocType === 0) r.ue();
    else if (pocType === 1) {
      r.u(1);
      r.se();
      r.se();
      const n = r.ue();
      if (n > 255) return undefined;
      for (let i = 0; i < n; i++) r.se();
    }
    r.ue(); // max_num_ref_frames
    r.u(1); // gaps_in_frame_num_value_allowed_flag
    const wMbs = r.ue() + 1;
    const hMaps = r.ue() + 1;
    const frameMbsOnly = r.u(1);
    if (!frameMbsOnly) r.u(1); // mb_adaptive_frame_field_flag
    r.u(1); // direct_8x8_inference_flag
    let crop = [0, 0, 0, 0];
    if (r.u(1)) crop = [r.ue(), r.ue(), r.ue(), r.ue()];
    // Table 6-1: crop units are chroma samples (SubWidthC/SubHeightC), lines doubled for fields.
    const mono = chroma === 0 || separate === 1;
    const cropX = mono ? 1 : chroma === 3 ? 1 : 2;
    const cropY = (mono ? 1 : chroma === 1 ? 2 : 1) * (2 - frameMbsOnly);
    const width = wMbs * 16 - cropX * (crop[0]! + crop[1]!);
    const height = (2 - frameMbsOnly) * hMaps * 16 - cropY * (crop[2]! + crop[3]!);
    return width > 0 && height > 0 && width <= 16384 && height <= 16384 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

/** Picture size from an H.265 SPS (H.265 §7.3.2.2.1, conformance window per §7.4.3.2.1); undefined if unreadable. */
export function h265Dimensions(sps: Uint8Array): { width: number; height: number } | undefined {
  try {
    const r = new BitReader(unescape(sps), 'SPS');
    r.u(16); // NAL header
    r.u(4); // sps_video_parameter_set_id
    const subLayers = r.u(3); // sps_max_sub_layers_minus1
    r.u(1); // sps_temporal_id_nesting_flag
    // profile_tier_level(1, subLayers) §7.3.3: 88 bits of general profile, 8 of general level.
    r.u(88);
    r.u(8);
    const present: [number, number][] = [];
    for (let i = 0; i < subLayers; i++) present.push([r.u(1), r.u(1)]);
    if (subLayers > 0) for (let i = subLayers; i < 8; i++) r.u(2);
    for (const [profile, level] of present) {
      if (profile) r.u(88);
      if (level) r.u(8);
    }
    r.ue(); // sps_seq_parameter_set_id
    const chroma = r.ue();
    const separate = chroma === 3 ? r.u(1) : 0;
    let width = r.ue();
    let height = r.ue();
    if (r.u(1)) {
      // Offsets are in chroma samples (Table 6-1).
      const mono = chroma === 0 || separate === 1;
      const subW = !mono && chroma !== 3 ? 2 : 1;
      const subH = !mono && chroma === 1 ? 2 : 1;
      width -= subW * (r.ue() + r.ue());
      height -= subH * (r.ue() + r.ue());
    }
    return width > 0 && height > 0 && width <= 16384 && height <= 16384 ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}
