// What a VP8, VP9 or AV1 key frame tells about its track (size, profile, bit depth, chroma, the AV1 sequence header): RTP carries none of it out of band.
import type { Track } from '../../media/track.js';
import { findSequenceHeader } from './av1-obu.js';
import { vp8FrameInfo } from './vp8.js';
import { vp9FrameInfo } from './vp9.js';

/**
 * Fills `track.vpx` / `track.av1` and width/height from a key frame (data as the depacketizer
 * gives it). The first key frame decides; a later change of size or format (a new sequence) updates it.
 */
export function learnVideoConfig(track: Track, data: Uint8Array[]): void {
  switch (track.codec) {
    case 'VP8': {
      const info = data[0] ? vp8FrameInfo(data[0]) : undefined;
      if (!info) return;
      track.width = info.width;
      track.height = info.height;
      // RFC 6386 §9.2: color space and clamping are in the compressed header; VP8 is always 8-bit 4:2:0.
      track.vpx = { profile: info.profile, bitDepth: 8, chromaSubsampling: 0, fullRange: false, colorSpace: 0 };
      return;
    }
    case 'VP9': {
      const info = data[0] ? vp9FrameInfo(data[0]) : undefined;
      if (!info) return;
      const { width, height, ...vpx } = info;
      track.width = width;
      track.height = height;
      track.vpx = vpx;
      return;
    }
    case 'AV1': {
      const seq = findSequenceHeader(data);
      if (!seq) return;
      const { width, height, reducedStillPicture: _still, ...rest } = seq.info;
      track.width = width;
      track.height = height;
      track.av1 = { seqHeader: seq.obu, ...rest };
      return;
    }
    default:
      return;
  }
}
