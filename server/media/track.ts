// The media model's tracks: kind, codec, clock and codec configuration, shared by sources, packetizers,
// SDP, muxers and the browser player. A leaf: runtime-neutral, imports nothing.

export type MediaKind = 'video' | 'audio';
export type CodecName = 'H264' | 'H265' | 'AAC' | 'OPUS' | 'PCMU' | 'PCMA' | 'MPA' | 'AC3';

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
