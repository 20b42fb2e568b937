// The media model's tracks: kind, codec, clock and codec configuration, shared by sources, packetizers,
// SDP, muxers and the browser player. A leaf: runtime-neutral, imports nothing.

/**
 * `application`: a data track (KLV metadata, RFC 6597), passed through over RTSP only.
 * `text`: timed text (subtitle cues as T.140, RFC 4103, clock 1000), carried over RTSP only.
 */
export type MediaKind = 'video' | 'audio' | 'application' | 'text';
export type CodecName = 'H264' | 'H265' | 'VP8' | 'VP9' | 'AV1' | 'MJPEG' | 'AAC' | 'OPUS' | 'PCMU' | 'PCMA' | 'MPA' | 'AC3' | 'G722' | 'L16' | 'L24' | 'KLV' | 'T140';

export interface H264Config {
  /** Sequence and picture parameter sets, raw NAL units without start codes. */
  sps: Uint8Array[];
  pps: Uint8Array[];
}

export interface H265Config {
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
}

export interface AacConfig {
  /** AudioSpecificConfig (ISO 14496-3 1.6.2.1) bytes; empty until learnt when LATM carries it in band. */
  asc: Uint8Array;
  /** On the wire as RFC 6416 MP4A-LATM (not RFC 3640): `cpresent` when the StreamMuxConfig is in band. */
  latm?: { cpresent: boolean };
  /** LATM: the StreamMuxConfig of the SDP's config= (RFC 6416 §7.3), when given out of band. */
  streamMuxConfig?: Uint8Array;
}

/**
 * VP8/VP9 stream format, read from a key frame's header (VP9 §6.2 uncompressed header): what the
 * vpcC box (VP Codec ISO Media File Format Binding §2.2) and the vp09 codec string need.
 */
export interface VpxConfig {
  profile: number;
  bitDepth: number;
  /** vpcC chromaSubsampling: 0/1 = 4:2:0 (vertical/colocated), 2 = 4:2:2, 3 = 4:4:4. */
  chromaSubsampling: number;
  fullRange: boolean;
  /** VP9 color_space (§7.2.2): 0 unknown, 1 BT.601, 2 BT.709, 3 SMPTE-170, 4 SMPTE-240, 5 BT.2020, 7 sRGB. */
  colorSpace: number;
}

export interface Av1Config {
  /** The sequence header OBU, with its obu_size field (the av1C configOBUs). */
  seqHeader: Uint8Array;
  profile: number;
  level: number;
  tier: number;
  bitDepth: number;
  monochrome: boolean;
  subsamplingX: number;
  subsamplingY: number;
  chromaSamplePosition: number;
}

export interface Track {
  /** Index in the stream, also the control id: `a=control:trackID=<id>`. */
  id: number;
  kind: MediaKind;
  codec: CodecName;
  /** RTP clock rate: 90000 for video, the sample rate for AAC, 48000 for Opus, 8000 for G.711. */
  clockRate: number;
  /** Audio channel count. */
  channels?: number;
  /** Audio sample rate in Hz (may differ from clockRate for Opus). */
  sampleRate?: number;
  width?: number;
  height?: number;
  /** Dynamic (96-127) or static (0, 8) RTP payload type. */
  payloadType: number;
  h264?: H264Config;
  h265?: H265Config;
  aac?: AacConfig;
  /** MPA (MPEG-1/2 audio, 90 kHz clock) and AC3: the first frame's header (4 / 8 bytes), for muxers. */
  audioHeader?: Uint8Array;
  /** VP8 and VP9: learnt from the first key frame (RTP carries no out-of-band configuration). */
  vpx?: VpxConfig;
  /** AV1: learnt from the first sequence header OBU. */
  av1?: Av1Config;
  /**
   * The track's language as its source tagged it (an ISO 639 code or RFC 5646 tag: "eng", "fre",
   * "fr-CA"); absent when untagged or "und". SDP a=lang (RFC 4566 §6), HLS LANGUAGE, MP4 mdhd.
   */
  language?: string;
  /** A human name for the track ("Français", "Director's commentary"), when its source gave one. */
  name?: string;
  /**
   * A publisher's own rtpmap and fmtp (ANNOUNCE), verbatim: re-describing the track with them
   * keeps every parameter the publisher's packets depend on, including ones we do not model.
   */
  sdp?: TrackSdp;
}

export interface TrackSdp {
  rtpmap: { codec: string; rate: number; encoding?: number };
  /** The a=fmtp parameter string after the payload type, as written. */
  fmtp?: string;
}
