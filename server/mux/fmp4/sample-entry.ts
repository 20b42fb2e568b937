// Sample entries for the init segment's stsd: avc1/avcC, hvc1/hvcC, vp08/vp09 + vpcC, av01/av1C, mp4a/esds, Opus/dOps.
import { concatBytes } from '../../media/bytes.js';
import type { Track } from '../../media/track.js';
import type { BoxWriter } from './bytes.js';
import { dac3Of, parseAc3Header } from '../../rtp/codecs/ac3.js';
import { parseMpaHeader } from '../../rtp/codecs/mpa.js';
import { parseH264Sps, parseH265Sps, type SpsInfo } from './sps.js';
import { av1C, vpcC } from './vpx-av1-entry.js';

/** Codecs an fMP4 track can carry here (G.711 has no sample entry MSE players accept). */
export function fmp4Supports(track: Track): boolean {
  switch (track.codec) {
    case 'H264':
      return !!track.h264 && track.h264.sps.length > 0 && track.h264.pps.length > 0;
    case 'H265':
      return !!track.h265 && track.h265.vps.length > 0 && track.h265.sps.length > 0 && track.h265.pps.length > 0;
    case 'AAC':
      return !!track.aac && track.aac.asc.length >= 2;
    case 'OPUS':
      return (track.channels ?? 2) <= 2;
    case 'MPA':
      return !!track.audioHeader && !!parseMpaHeader(track.audioHeader);
    case 'AC3':
      return !!track.audioHeader && !!parseAc3Header(track.audioHeader);
    case 'VP8':
    case 'VP9':
      // Known from the first key frame (live) or the file's own header.
      return !!track.vpx && !!track.width && !!track.height;
    case 'AV1':
      return !!track.av1 && !!track.width && !!track.height;
    case 'L16':
    case 'L24':
      return (track.sampleRate ?? track.clockRate) <= 0xffff;
    case 'MJPEG':
      return !!track.width && !!track.height;
    default:
      return false;
  }
}

/** Whether samples are NAL units to length-prefix (H.264/H.265); VP8/VP9 frames and AV1 OBUs (with sizes) go in as they are. */
export function nalSamples(track: Track): boolean {
  return track.codec === 'H264' || track.codec === 'H265';
}

/** Picture size and format from the SPS (live tracks often carry no width/height). */
export function videoInfo(track: Track): SpsInfo {
  const sps = track.codec === 'H265' ? track.h265?.sps[0] : track.h264?.sps[0];
  let info: SpsInfo | undefined;
  try {
    if (sps) info = track.codec === 'H265' ? parseH265Sps(sps) : parseH264Sps(sps);
  } catch {
    info = undefined; // a malformed SPS: fall back to the track's own size; decoders read the SPS themselves
  }
  return {
    chromaFormat: 1,
    bitDepthLuma: 8,
    bitDepthChroma: 8,
    ...info,
    width: info?.width || track.width || 0,
    height: info?.height || track.height || 0,
  };
}

export function writeSampleEntry(w: BoxWriter, track: Track): void {
  switch (track.codec) {
    case 'H264':
      return visualEntry(w, 'avc1', track, () => avcC(w, track));
    case 'H265':
      return visualEntry(w, 'hvc1', track, () => hvcC(w, track));
    case 'VP8':
      return visualEntry(w, 'vp08', track, () => vpcC(w, track));
    case 'VP9':
      return visualEntry(w, 'vp09', track, () => vpcC(w, track));
    case 'AV1':
      return visualEntry(w, 'av01', track, () => av1C(w, track));
    case 'AAC':
      return audioEntry(w, 'mp4a', track, track.sampleRate ?? track.clockRate, () => esds(w, 0x40, track.aac!.asc));
    case 'MPA': {
      // ISO 14496-1 objectTypeIndication: 0x6B MPEG-1 audio, 0x69 MPEG-2 (13818-3) audio; no DecoderSpecificInfo.
      const h = parseMpaHeader(track.audioHeader!)!;
      return audioEntry(w, 'mp4a', track, h.sampleRate, () => esds(w, h.version === 1 ? 0x6b : 0x69));
    }
    case 'AC3': {
      const h = parseAc3Header(track.audioHeader!)!;
      return audioEntry(w, 'ac-3', track, h.sampleRate, () => w.box('dac3', () => w.bytes(dac3Of(h))));
    }
    case 'OPUS':
      return audioEntry(w, 'Opus', track, 48000, () => dOps(w, track));
    case 'L16':
    case 'L24':
      return audioEntry(w, 'ipcm', track, track.clockRate, () => pcmC(w, track.codec === 'L24' ? 24 : 16), track.codec === 'L24' ? 24 : 16);
    case 'MJPEG':
      // ISO 14496-14 'mp4v' with objectTypeIndication 0x6C (JPEG), streamType 4 (visual), no decoder config.
      return visualEntry(w, 'mp4v', track, () => esds(w, 0x6c, undefined, 0x11));
    default:
      throw new Error(`${track.codec} cannot be carried in fMP4 here`);
  }
}

// ISO 14496-12 12.1.3 VisualSampleEntry.
function visualEntry(w: BoxWriter, type: string, track: Track, config: () => void): void {
  const { width, height } = videoInfo(track);
  w.box(type, () => {
    w.zeros(6).u16(1); // reserved, data_reference_index
    w.zeros(16); // pre_defined, reserved, pre_defined[3]
    w.u16(width).u16(height);
    w.u32(0x00480000).u32(0x00480000); // 72 dpi
    w.u32(0).u16(1); // reserved, frame_count
    w.zeros(32); // compressorname
    w.u16(0x0018).u16(0xffff); // depth, pre_defined = -1
    config();
  });
}

// ISO 14496-15 5.3.3.1 AVCDecoderConfigurationRecord.
function avcC(w: BoxWriter, track: Track): void {
  const { sps, pps } = track.h264!;
  const s = sps[0]!;
  w.box('avcC', () => {
    w.u8(1).u8(s[1] ?? 0).u8(s[2] ?? 0).u8(s[3] ?? 0);
    w.u8(0xfc | 3); // 4-byte NAL lengths
    w.u8(0xe0 | sps.length);
    for (const n of sps) w.u16(n.length).bytes(n);
    w.u8(pps.length);
    for (const n of pps) w.u16(n.length).bytes(n);
    // Chrome and ffmpeg accept the record without the high-profile extension (chroma/bit depth),
    // and the decoder takes those from the SPS anyway, so it is left out.
  });
}

// ISO 14496-15 8.3.3.1 HEVCDecoderConfigurationRecord.
function hvcC(w: BoxWriter, track: Track): void {
  const { vps, sps, pps } = track.h265!;
  const info = videoInfo(track);
  const ptl = info.generalPtl ?? new Uint8Array(12);
  w.box('hvcC', () => {
    w.u8(1);
    w.bytes(ptl); // profile space/tier/idc, compatibility flags, constraint flags, level
    w.u16(0xf000); // min_spatial_segmentation_idc 0
    w.u8(0xfc); // parallelismType 0
    w.u8(0xfc | (info.chromaFormat & 3));
    w.u8(0xf8 | ((info.bitDepthLuma - 8) & 7));
    w.u8(0xf8 | ((info.bitDepthChroma - 8) & 7));
    w.u16(0); // avgFrameRate unknown
    w.u8(0x0f); // constantFrameRate 0, numTemporalLayers 1, temporalIdNested 1, lengthSizeMinusOne 3
    const arrays: [number, Uint8Array[]][] = [
      [32, vps],
      [33, sps],
      [34, pps],
    ];
    w.u8(arrays.length);
    for (const [type, list] of arrays) {
      w.u8(0x80 | type); // array_completeness: parameter sets are in the record (hvc1)
      w.u16(list.length);
      for (const n of list) w.u16(n.length).bytes(n);
    }
  });
}

// ISO 14496-12 12.2.3 AudioSampleEntry (version 0).
function audioEntry(w: BoxWriter, type: string, track: Track, rate: number, config: () => void, sampleSize = 16): void {
  w.box(type, () => {
    w.zeros(6).u16(1);
    w.zeros(8);
    w.u16(track.channels ?? 2).u16(sampleSize);
    w.u16(0).u16(0);
    // 16.16 sample rate; rates above 65535 do not fit and are written as 0 (the codec config has the rate).
    w.u32(rate <= 0xffff ? rate * 0x10000 : 0);
    config();
  });
}

// ISO 14496-1 7.2.6.5 ES_Descriptor, with the AudioSpecificConfig (if any) as DecoderSpecificInfo;
// streamByte is streamType << 2 | 1 (0x15 audio, 0x11 visual).
function esds(w: BoxWriter, oti: number, dsiBytes?: Uint8Array, streamByte = 0x15): void {
  const dsi = dsiBytes ? [descriptor(5, dsiBytes)] : [];
  const dcd = descriptor(4, concat([new Uint8Array([oti, streamByte, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), ...dsi]));
  const sl = descriptor(6, new Uint8Array([2]));
  const es = descriptor(3, concat([new Uint8Array([0, 0, 0]), dcd, sl]));
  w.fullBox('esds', 0, 0, () => w.bytes(es));
}

function descriptor(tag: number, body: Uint8Array): Uint8Array {
  // Four-byte expandable size (0x80 continuation bits), as ffmpeg and most muxers write it.
  const n = body.length;
  const head = new Uint8Array([tag, 0x80 | ((n >> 21) & 0x7f), 0x80 | ((n >> 14) & 0x7f), 0x80 | ((n >> 7) & 0x7f), n & 0x7f]);
  return concat([head, body]);
}

// Encapsulation of Opus in ISO BMFF (opus-codec.org) 4.3.2 OpusSpecificBox.
function dOps(w: BoxWriter, track: Track): void {
  w.box('dOps', () => {
    w.u8(0).u8(track.channels ?? 2);
    // RTP Opus carries no pre-skip (RFC 7587 leaves it to the sender), so none is claimed.
    w.u16(0);
    w.u32(track.sampleRate ?? 48000);
    w.u16(0); // output gain
    w.u8(0); // channel mapping family 0: mono or stereo
  });
}

// ISO/IEC 23003-5 5.1 PCMConfig: format_flags (bit 0 little-endian: RTP LPCM is big-endian), PCM_sample_size.
function pcmC(w: BoxWriter, bits: number): void {
  w.fullBox('pcmC', 0, 0, () => w.u8(0).u8(bits));
}

const concat = concatBytes;
