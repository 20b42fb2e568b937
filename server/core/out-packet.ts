// One RTP packet of a live stream as every reader gets it, and its `$` framing for TCP readers, made once per channel.

/** One RTP packet as every reader receives it: the same bytes for all of them. */
export interface OutPacket {
  trackId: number;
  /** The whole RTP packet. Never modified after publish(). */
  data: Uint8Array;
  seq: number;
  timestamp: number;
  ssrc: number;
  /** First packet of a video access unit a decoder can start from (or any audio packet). */
  keyStart: boolean;
  /**
   * Part of a video frame no other frame predicts from (H.264 nal_ref_idc 0, H.265 non-reference
   * sub-layer picture): a congested reader goes without it (core/thinner.ts). Set on every packet
   * of the unit once the source knows; absent means keep.
   */
  droppable?: boolean;
  /** `$`-framed copies for TCP readers, one per interleaved channel in use, made on first need. */
  framed?: (Uint8Array | undefined)[];
  /** Unix ms the packet reached the stream (the access-unit view's timeline before any SR). */
  arrivalMs?: number;
  /**
   * The same packet protected once for every SRTP reader of its stream (one key per track), made by
   * the delivery layer on first need; it carries its own `framed` copies.
   */
  srtp?: OutPacket;
}

/** `$ channel length` + packet for RTSP interleaving, built once per channel per packet. */
export function framedFor(p: OutPacket, channel: number): Uint8Array {
  const cache = (p.framed ??= []);
  let f = cache[channel];
  if (!f) {
    f = new Uint8Array(4 + p.data.length);
    f[0] = 0x24;
    f[1] = channel;
    f[2] = p.data.length >>> 8;
    f[3] = p.data.length & 0xff;
    f.set(p.data, 4);
    cache[channel] = f;
  }
  return f;
}
