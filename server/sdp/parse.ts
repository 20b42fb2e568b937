// Reads a publisher's SDP (ANNOUNCE, RFC 2326 §10.3) into tracks, refusing what we cannot carry.
import sdpTransform from 'sdp-transform';
import type { CodecName, MediaKind, Track, TrackSdp } from '../media/track.js';
import { parseAudioSpecificConfig } from '../rtp/codecs/aac.js';
import { readLatm } from './latm.js';
import { base64Decode } from './base64.js';
import { srtpOfMedia } from './srtp-media.js';
import { cleanLanguage } from '../media/language.js';
import { h264Dimensions, h265Dimensions } from './sps-dimensions.js';

export { h264Dimensions, h265Dimensions };

/** A problem with an SDP, in words for the publisher's log; `unsupported` when valid but beyond us. */
export class SdpError extends Error {
  override readonly name = 'SdpError';
  constructor(
    message: string,
    readonly reason: 'invalid' | 'unsupported' = 'invalid',
  ) {
    super(message);
  }
}

export interface ParsedSdp {
  /** One per m= line, `id` = its index. */
  tracks: Track[];
  /**
   * a=control per media, as written: relative ("trackID=0", "streamid=0", "stream=1") or absolute
   * (rtsp://...). "" when a lone medium has none: it is set up at the session URL (RFC 2326 C.1.1).
   */
  controls: string[];
  sessionControl?: string;
  /** The s= line. */
  name?: string;
  /**
   * Per m= line: the base64 MIKEY message of its `a=key-mgmt:mikey` (RFC 4567 §3.1; the session-level
   * one when the medium has none), or undefined. Only RTP/SAVP media carry one.
   */
  keyMgmt: (string | undefined)[];
  /** Per m= line: RTP/SAVP (SRTP), whose packets need the key to be read. */
  srtp: boolean[];
}

const SUPPORTED = 'supported: H264, H265, VP8, VP9, AV1, MPEG4-GENERIC and MP4A-LATM (AAC), opus, PCMU, PCMA, MPA (MP3), AC3, JPEG, G722, L16, L24, smpte336m (KLV), t140 (timed text)';

/** rtpmap encoding name (case-insensitive, RFC 4566 §6) -> our codec. */
const CODECS: Record<string, { codec: CodecName; kind: MediaKind }> = {
  H264: { codec: 'H264', kind: 'video' },
  H265: { codec: 'H265', kind: 'video' },
  VP8: { codec: 'VP8', kind: 'video' },
  VP9: { codec: 'VP9', kind: 'video' },
  AV1: { codec: 'AV1', kind: 'video' },
  'MPEG4-GENERIC': { codec: 'AAC', kind: 'audio' },
  'MP4A-LATM': { codec: 'AAC', kind: 'audio' },
  MPA: { codec: 'MPA', kind: 'audio' },
  AC3: { codec: 'AC3', kind: 'audio' },
  OPUS: { codec: 'OPUS', kind: 'audio' },
  PCMU: { codec: 'PCMU', kind: 'audio' },
  PCMA: { codec: 'PCMA', kind: 'audio' },
  G722: { codec: 'G722', kind: 'audio' },
  L16: { codec: 'L16', kind: 'audio' },
  L24: { codec: 'L24', kind: 'audio' },
  JPEG: { codec: 'MJPEG', kind: 'video' },
  SMPTE336M: { codec: 'KLV', kind: 'application' },
  T140: { codec: 'T140', kind: 'text' },
};

/** RFC 3551 §6 static payload types we can carry, used when a publisher (ffmpeg) omits the rtpmap. */
const STATIC_PT: Record<number, TrackSdp['rtpmap']> = {
  0: { codec: 'PCMU', rate: 8000 },
  8: { codec: 'PCMA', rate: 8000 },
  // G.722 samples at 16 kHz but its RTP clock is 8000 (RFC 3551 §4.5.2, an old error kept).
  9: { codec: 'G722', rate: 8000 },
  10: { codec: 'L16', rate: 44100, encoding: 2 },
  11: { codec: 'L16', rate: 44100, encoding: 1 },
  14: { codec: 'MPA', rate: 90000 },
  26: { codec: 'JPEG', rate: 90000 },
};

/** Names of the other RFC 3551 static types, so the refusal can say what was offered. */
const STATIC_NAMES: Record<number, string> = {
  3: 'GSM', 4: 'G723', 5: 'DVI4', 6: 'DVI4', 7: 'LPC', 9: 'G722', 10: 'L16', 11: 'L16', 12: 'QCELP', 13: 'CN',
  14: 'MPA', 15: 'G728', 16: 'DVI4', 17: 'DVI4', 18: 'G729', 25: 'CelB', 26: 'JPEG', 28: 'nv', 31: 'H261',
  32: 'MPV', 33: 'MP2T', 34: 'H263',
};

/** sdp-transform turns numeric-looking values into numbers; everything here is text. */
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));

/**
 * fmtp parameters with lower-cased names (RFC 3640 §4.1, RFC 6184 §8.1: case-insensitive), values
 * as text. Not sdp-transform's parseParams: it turns "1190" into a number and trims one space only.
 */
export function parseFmtpParams(config: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of config.split(';')) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.set(p.toLowerCase(), '');
    else out.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
  }
  return out;
}

export function parseSdpTracks(sdp: string): ParsedSdp {
  if (!/^\s*v=/.test(sdp)) throw new SdpError('not an SDP: it must start with "v=0" (RFC 4566 §5)');
  let session: sdpTransform.SessionDescription;
  try {
    session = sdpTransform.parse(sdp);
  } catch (e) {
    throw new SdpError(`SDP could not be parsed: ${(e as Error).message}`);
  }
  const media = session.media ?? [];
  if (media.length === 0) throw new SdpError('SDP has no m= lines: a publisher must describe at least one medium');
  const tracks: Track[] = [];
  const controls: string[] = [];
  const sessionLang = langOf(session.invalid);
  media.forEach((m, i) => {
    const track = parseMedia(m, i);
    // RFC 4566 §6: a session-level a=lang is the default of media that give none.
    const language = langOf(m.invalid) ?? sessionLang;
    if (language) track.language = language;
    const title = str(m.description)?.trim();
    if (title) track.name = title.slice(0, 120);
    tracks.push(track);
    const control = str(m.control);
    if (control === undefined || control === '') {
      // RFC 2326 C.3: without a=control a medium can only be addressed by the session URL.
      if (media.length > 1) throw new SdpError(`media ${i}: no a=control; with several media each needs its own (RFC 2326 C.3)`);
      controls.push('');
    } else {
      const dup = controls.indexOf(control);
      if (dup >= 0) throw new SdpError(`media ${i}: a=control:${control} is the same as media ${dup}'s; SETUP could not tell them apart`);
      controls.push(control);
    }
  });
  const out: ParsedSdp = { tracks, controls, ...srtpOfMedia(session, media) };
  const sessionControl = str(session.control);
  if (sessionControl) out.sessionControl = sessionControl;
  const name = str(session.name);
  if (name !== undefined) out.name = name;
  return out;
}

type Media = sdpTransform.MediaDescription;

/** The a=lang value among attributes sdp-transform does not know (RFC 4566 §6), if it is a language tag. */
function langOf(attrs: { value: unknown }[] | undefined): string | undefined {
  for (const a of attrs ?? []) {
    const m = /^lang:(.*)$/.exec(str(a.value) ?? '');
    if (m) return cleanLanguage(m[1]);
  }
  return undefined;
}

function parseMedia(m: Media, i: number): Track {
  const where = `media ${i}`;
  const type = str(m.type) ?? '';
  if (type !== 'video' && type !== 'audio' && type !== 'application' && type !== 'text') {
    throw new SdpError(`${where}: media type "${type}" is not supported; only audio, video, application (KLV) and text (T.140)`, 'unsupported');
  }
  // RTP/AVPF only adds feedback messages; SAVP is SRTP, readable with the MIKEY key of a=key-mgmt or SETUP.
  const proto = str(m.protocol) ?? '';
  if (!/^RTP\/S?AVPF?(\/(UDP|TCP))?$/i.test(proto)) {
    throw new SdpError(`${where}: transport protocol "${proto}" is not supported; use RTP/AVP (or RTP/SAVP over RTSPS)`, 'unsupported');
  }
  // With several formats the first is the preferred one (RFC 3264 §5.1); a publisher sends that.
  const first = (str(m.payloads) ?? '').trim().split(/\s+/)[0] ?? '';
  if (!/^\d{1,3}$/.test(first) || Number(first) > 127) {
    throw new SdpError(`${where}: payload type "${first}" on the m= line is not a number 0-127`);
  }
  const pt = Number(first);
  const entry = (m.rtp ?? []).find((r) => Number(r.payload) === pt);
  let rtpmap: TrackSdp['rtpmap'];
  if (entry) {
    const codec = str(entry.codec) ?? '';
    const rate = Number(entry.rate);
    if (!codec) throw new SdpError(`${where}: a=rtpmap:${pt} has no encoding name`);
    if (!Number.isInteger(rate) || rate <= 0) throw new SdpError(`${where}: a=rtpmap:${pt} ${codec} has no valid clock rate`);
    rtpmap = { codec, rate };
    const enc = str(entry.encoding);
    if (enc !== undefined && enc !== '') {
      if (!/^\d{1,2}$/.test(enc) || Number(enc) < 1) throw new SdpError(`${where}: a=rtpmap:${pt} ${codec} channel count "${enc}" is invalid`);
      rtpmap.encoding = Number(enc);
    }
  } else if (STATIC_PT[pt]) {
    rtpmap = { ...STATIC_PT[pt]! };
  } else if (pt >= 96) {
    throw new SdpError(`${where}: dynamic payload type ${pt} has no a=rtpmap (RFC 4566 §6)`);
  } else {
    const name = STATIC_NAMES[pt] ?? `static payload type ${pt}`;
    throw new SdpError(`${where}: codec ${name} is not supported; ${SUPPORTED}`, 'unsupported');
  }
  const known = CODECS[rtpmap.codec.toUpperCase()];
  if (!known) {
    throw new SdpError(`${where}: codec ${rtpmap.codec} is not supported; ${SUPPORTED}`, 'unsupported');
  }
  if (known.kind !== type) throw new SdpError(`${where}: codec ${rtpmap.codec} cannot be carried in m=${type}`);

  const fmtpEntry = (m.fmtp ?? []).find((f) => Number(f.payload) === pt);
  const fmtp = fmtpEntry ? (str(fmtpEntry.config) ?? '') : undefined;
  const params = parseFmtpParams(fmtp ?? '');
  const track: Track = { id: i, kind: known.kind, codec: known.codec, clockRate: rtpmap.rate, payloadType: pt };
  track.sdp = fmtp !== undefined ? { rtpmap, fmtp } : { rtpmap };

  switch (known.codec) {
    case 'H264':
      readH264(track, params, where);
      break;
    case 'H265':
      readH265(track, params, where);
      break;
    case 'AAC':
      if (/^MP4A-LATM$/i.test(rtpmap.codec)) {
        const refusal = readLatm(track, params, where, rtpmap.encoding);
        if (refusal) throw new SdpError(refusal.message, refusal.reason);
      } else readAac(track, params, where, rtpmap.encoding);
      break;
    case 'MPA':
      // RFC 2250/3551: a 90 kHz clock; rate and channels come from the first frame header.
      if (rtpmap.encoding) track.channels = rtpmap.encoding;
      break;
    case 'VP8':
    case 'VP9':
    case 'AV1':
      // No out-of-band configuration (RFC 7741 §6.1, RFC 9628 §6.1, AV1 RTP §7.1): the first key frame tells.
      break;
    case 'OPUS':
      // RFC 7587 §7.1: sprop-stereo defaults to 0 (mono); the rtpmap always says /2.
      track.channels = params.get('sprop-stereo') === '1' ? 2 : 1;
      track.sampleRate = 48000;
      break;
    case 'G722':
      // RFC 3551 §4.5.2: 16 kHz audio on an 8000 Hz RTP clock.
      track.channels = rtpmap.encoding ?? 1;
      track.sampleRate = 16000;
      break;
    case 'MJPEG':
    case 'KLV':
    case 'T140':
      break; // JPEG sizes come in each frame's header; KLV and T.140 are data
    default:
      track.channels = rtpmap.encoding ?? 1;
      track.sampleRate = rtpmap.rate;
  }
  if (track.kind === 'video' && track.width === undefined) {
    // Our own DESCRIBE writes x-dimensions (describe.ts); read it back when the SPS did not say.
    const dims = (m.invalid ?? []).map((a) => /^x-dimensions:\s*(\d+)\s*,\s*(\d+)/.exec(str(a.value) ?? '')).find((x) => x);
    if (dims) {
      track.width = Number(dims[1]);
      track.height = Number(dims[2]);
    }
  }
  return track;
}

/** Comma-separated base64 NAL units of a sprop-* parameter (RFC 6184 §8.1, RFC 7798 §7.1). */
function nalList(value: string | undefined, what: string, where: string): Uint8Array[] {
  if (!value) return [];
  try {
    return value.split(',').filter((s) => s.trim()).map((s) => base64Decode(s)).filter((n) => n.length > 0);
  } catch (e) {
    throw new SdpError(`${where}: ${what} is not valid base64 (${(e as Error).message})`);
  }
}

function readH264(track: Track, params: Map<string, string>, where: string): void {
  // Mode 2 (interleaved) adds STAP-B/MTAP/FU-B and DON reordering, which we do not depacketize.
  const mode = params.get('packetization-mode') ?? '0';
  if (mode !== '0' && mode !== '1') {
    throw new SdpError(`${where}: H.264 packetization-mode=${mode} is not supported; only 0 and 1 (RFC 6184 §6)`, 'unsupported');
  }
  const nalus = nalList(params.get('sprop-parameter-sets'), 'sprop-parameter-sets', where);
  const sps = nalus.filter((n) => (n[0]! & 0x1f) === 7);
  const pps = nalus.filter((n) => (n[0]! & 0x1f) === 8);
  // Without them the publisher sends them in-band; the source fills the config later.
  if (sps.length > 0 || pps.length > 0) track.h264 = { sps, pps };
  const dims = sps[0] ? h264Dimensions(sps[0]) : undefined;
  if (dims) {
    track.width = dims.width;
    track.height = dims.height;
  }
}

function readH265(track: Track, params: Map<string, string>, where: string): void {
  // RFC 7798 §7.1: sprop-max-don-diff > 0 puts a DONL field in every payload; we do not parse it.
  const don = params.get('sprop-max-don-diff');
  if (don !== undefined && don !== '0') {
    throw new SdpError(`${where}: H.265 with sprop-max-don-diff=${don} (DONL fields) is not supported`, 'unsupported');
  }
  const vps = nalList(params.get('sprop-vps'), 'sprop-vps', where);
  const sps = nalList(params.get('sprop-sps'), 'sprop-sps', where);
  const pps = nalList(params.get('sprop-pps'), 'sprop-pps', where);
  if (vps.length + sps.length + pps.length > 0) track.h265 = { vps, sps, pps };
  const dims = sps[0] ? h265Dimensions(sps[0]) : undefined;
  if (dims) {
    track.width = dims.width;
    track.height = dims.height;
  }
}

function readAac(track: Track, params: Map<string, string>, where: string, rtpChannels: number | undefined): void {
  // AacDepacketizer reads 16-bit AU headers: RFC 3640 §3.3.6 AAC-hbr, 13/3/3. AAC-lbr (6/2/2)
  // would be misread, so it is refused rather than garbled.
  const mode = params.get('mode') ?? '';
  const sizes = ['sizelength', 'indexlength', 'indexdeltalength'].map((k) => params.get(k) ?? '').join('/');
  if (mode.toLowerCase() !== 'aac-hbr' || sizes !== '13/3/3') {
    throw new SdpError(
      `${where}: MPEG4-GENERIC with mode=${mode || '(none)'} and size/index/delta lengths ${sizes} is not supported; only mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3`,
      'unsupported',
    );
  }
  const hex = params.get('config') ?? '';
  if (!/^([0-9a-f]{2})+$/i.test(hex)) {
    throw new SdpError(`${where}: MPEG4-GENERIC needs config=<AudioSpecificConfig in hex> in a=fmtp (RFC 3640 §4.1), got "${hex}"`);
  }
  const asc = Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16));
  let info;
  try {
    info = parseAudioSpecificConfig(asc);
  } catch (e) {
    throw new SdpError(`${where}: config=${hex}: ${(e as Error).message}`);
  }
  track.aac = { asc };
  track.sampleRate = info.sampleRate;
  // channelConfiguration 0 defers to a program config element: the rtpmap is the next best word.
  track.channels = info.channels > 0 ? info.channels : (rtpChannels ?? 2);
}
