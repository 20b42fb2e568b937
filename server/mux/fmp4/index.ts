// fMP4/CMAF writer (runtime-neutral): an init segment for a set of tracks, then fragments of any samples.
//
// API, for HLS, progressive MP4 and recorders alike:
//   fmp4Supports(track)                      -> can this Track go into fMP4 (H.264, H.265, VP8, VP9, AV1, AAC, Opus <= 2 ch)
//   writeInitSegment([{ id, track, timescale }]) -> ftyp+moov (avc1/avcC, hvc1/hvcC, mp4a/esds, Opus/dOps, mvex/trex)
//   writeFragment(seq, [{ trackId, baseDecodeTime, samples }]) -> moof+mdat
//       samples: { duration, cto (signed), key, data: Uint8Array[], nal } — sampleOf(au, duration, isVideo) builds one.
// A fragment may start anywhere (not only at a key frame: LL-HLS parts), hold any number of
// samples per track, and several tracks; sync flags come from `key`. Decode times are the
// caller's: non-negative integers in the track timescale (shift the stream's dts as needed).
// videoInfo(track) gives width/height/bit depth parsed from the SPS (live tracks lack width/height).
export { BoxWriter } from './bytes.js';
export { writeInitSegment, type Fmp4Track } from './init.js';
export { writeFragment, sampleOf, sampleSize, type Fmp4Run, type Fmp4Sample } from './fragment.js';
export { fmp4Supports, nalSamples, videoInfo } from './sample-entry.js';
export { parseH264Sps, parseH265Sps, unescapeRbsp, type SpsInfo } from './sps.js';
export { codecString } from './codec-string.js';
