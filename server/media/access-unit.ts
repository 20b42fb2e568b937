// The media model's access unit: one frame of one track, as sources produce it and muxers and
// packetizers consume it. A leaf: runtime-neutral, imports nothing.

/** One frame of one track. Times are integers in the track's clock units. */
export interface AccessUnit {
  pts: number;
  dts: number;
  duration: number;
  key: boolean;
  /**
   * Video: NAL units without start codes or length prefixes.
   * Audio: exactly one element, the raw frame (AAC raw_data_block without ADTS, an Opus packet, G.711 bytes).
   */
  data: Uint8Array[];
}
