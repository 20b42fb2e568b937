// rtpmap and fmtp lines for each codec, per the RTP payload format RFCs and INTEROP.md.
import type { Track } from '../media/track.js';
import { base64Encode } from './base64.js';

export interface RtpMapEntry {
  payload: number;
  codec: string;
  rate: number;
  encoding?: number;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

export function rtpMapFor(track: Track): RtpMapEntry {
  const pt = track.payloadType;
  // A publisher's own rtpmap is what its packets were made for (e.g. a 44100 Hz AAC clock).
  if (track.sdp) return { payload: pt, ...track.sdp.rtpmap };
  switch (track.codec) {
    case 'H264':
      return { payload: pt, codec: 'H264', rate: 90000 };
    case 'H265':
      return { payload: pt, codec: 'H265', rate: 90000 };
    case 'AAC':
      return { payload: pt, codec: 'MPEG4-GENERIC', rate: track.clockRate, encoding: track.channels ?? 2 };
    case 'OPUS':
      // RFC 7587 §7: always opus/48000/2, whatever the real channel count.
      return { payload: pt, codec: 'opus', rate: 48000, encoding: 2 };
    case 'PCMU':
    case 'PCMA':
    case 'MPA':
    case 'AC3':
    case 'G722':
    case 'L16':
    case 'L24':
      return { payload: pt, codec: track.codec, rate: track.clockRate, ...(track.channels && track.channels > 1 ? { encoding: track.channels } : {}) };
    case 'MJPEG':
      return { payload: pt, codec: 'JPEG', rate: 90000 };
    case 'KLV':
      return { payload: pt, codec: 'smpte336m', rate: track.clockRate };
    case 'T140':
      // RFC 4103 §6: t140/1000, no redundancy (the "red" format) offered.
      return { payload: pt, codec: 't140', rate: 1000 };
    case 'VP8':
    case 'VP9':
    case 'AV1':
      // RFC 7741 §6.1, RFC 9628 §6.1, AV1 RTP §7.1: 90 kHz, no channel count.
      return { payload: pt, codec: track.codec, rate: 90000 };
  }
}

/** Whether a publisher's fmtp has the H.264/H.265 parameter sets VLC and ffmpeg build extradata from. */
function carriesConfig(track: Track, fmtp: string | undefined): boolean {
  if (track.codec === 'H264') return /sprop-parameter-sets=/i.test(fmtp ?? '');
  if (track.codec === 'H265') return /sprop-sps=/i.test(fmtp ?? '');
  return true;
}

/** Whether the track's codec configuration (parameter sets, AudioSpecificConfig) is known. */
function hasConfig(track: Track): boolean {
  if (track.codec === 'H264') return !!track.h264?.sps[0] && track.h264.pps.length > 0;
  if (track.codec === 'H265') return !!track.h265?.vps[0] && !!track.h265.sps[0] && !!track.h265.pps[0];
  if (track.codec === 'AAC') return !!track.aac;
  return true;
}

/**
 * The fmtp parameter string, or undefined when the codec needs none. Throws when required config
 * is missing from a track that is not a publisher's (a file's tracks always have it).
 */
export function fmtpFor(track: Track): string | undefined {
  // A publisher's fmtp verbatim, unless it lacks the parameter sets clients need (they came
  // in-band): then the config learnt since is described. Before any is learnt, its own fmtp again:
  // sprop-parameter-sets is optional (RFC 6184 §8.1, RFC 7798 §7.1), clients take them in band.
  if (track.sdp && (carriesConfig(track, track.sdp.fmtp) || !hasConfig(track))) return track.sdp.fmtp;
  switch (track.codec) {
    case 'H264': {
      const sps = track.h264?.sps[0];
      const pps = track.h264?.pps ?? [];
      // VLC and ffmpeg build extradata from sprop-parameter-sets: never send it empty.
      if (!sps || pps.length === 0) throw new Error(`track ${track.id}: H.264 without SPS/PPS cannot be described`);
      const profileLevelId = hex(sps.subarray(1, 4));
      const sprop = [sps, ...pps].map(base64Encode).join(',');
      return `packetization-mode=1;profile-level-id=${profileLevelId};sprop-parameter-sets=${sprop}`;
    }
    case 'H265': {
      const c = track.h265;
      if (!c || !c.vps[0] || !c.sps[0] || !c.pps[0]) throw new Error(`track ${track.id}: H.265 without VPS/SPS/PPS cannot be described`);
      return `sprop-vps=${c.vps.map(base64Encode).join(',')};sprop-sps=${c.sps.map(base64Encode).join(',')};sprop-pps=${c.pps.map(base64Encode).join(',')}`;
    }
    case 'AAC': {
      if (!track.aac) throw new Error(`track ${track.id}: AAC without AudioSpecificConfig cannot be described`);
      // RFC 3640 §3.3.6 high bit-rate AAC; profile-level-id 1 is what ffmpeg and live555 send.
      return `profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=${hex(track.aac.asc)}`;
    }
    case 'OPUS':
      return (track.channels ?? 2) > 1 ? 'sprop-stereo=1' : undefined;
    case 'AV1':
      // AV1 RTP §7.2.1: profile, level-idx and tier are optional; say them when the sequence header is known.
      return track.av1 ? `profile=${track.av1.profile};level-idx=${track.av1.level};tier=${track.av1.tier}` : undefined;
    case 'VP9':
      // RFC 9628 §6.1: profile-id is optional (0 when absent).
      return track.vpx && track.vpx.profile > 0 ? `profile-id=${track.vpx.profile}` : undefined;
    default:
      return undefined;
  }
}
