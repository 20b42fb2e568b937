// One reader's thinning of its video track: which whole frames it goes without at its level, and for a live
// reader the sequence numbers and SR counts of what it actually got. Only a reader that had something withheld
// pays for a copy of a packet; the others keep getting the stream's one shared buffer.
import type { OutPacket } from './out-packet.js';

/** 0: everything; 1: no droppable (non-reference) frames; 2: key frames only. */
export type ThinLevel = 0 | 1 | 2;

export const THINNING_NAMES = ['none', 'non-reference', 'key-frames'] as const;
export type ThinningName = (typeof THINNING_NAMES)[number];

const RTCP_SR = 200;

/** Payload bytes of an RTP packet (RFC 3550 §5.1: after CSRCs and the extension, before padding); 0 when torn. */
export function rtpPayloadLength(d: Uint8Array): number {
  if (d.length < 12) return 0;
  let off = 12 + 4 * (d[0]! & 0x0f);
  if (d[0]! & 0x10) {
    if (d.length < off + 4) return 0;
    off += 4 + 4 * ((d[off + 2]! << 8) | d[off + 3]!);
  }
  const pad = d[0]! & 0x20 && d.length > 0 ? d[d.length - 1]! : 0;
  return Math.max(0, d.length - off - pad);
}

export class Thinner {
  /** The level the reader's QoS asks for. */
  target: ThinLevel = 0;
  /** The level in force: it changes at a frame boundary, and leaves key-frames-only at a key frame. */
  level: ThinLevel = 0;
  /**
   * Live: withhold every frame from the next frame boundary on, whatever the level (a reader about to be
   * switched to a lower rendition lets its link drain, so that the rendition's first key frame gets through).
   */
  hold = false;
  /** Frames withheld, and key frames sent since thinning was first asked (the API shows both). */
  droppedFrames = 0;
  keyFrames = 0;
  /** Live: packets and payload octets of the track withheld, so far (what its seq and SRs leave out). */
  droppedPackets = 0;
  droppedOctets = 0;
  private unitTs = NaN;
  private prevMarker = true;
  private unitPass = true;

  constructor(readonly trackId: number) {}

  /** Live: picks up from the stream's last packet, so thinning that starts mid-frame never cuts that frame. */
  resumeAfter(last: OutPacket | undefined): void {
    if (!last) return;
    this.unitTs = last.timestamp;
    this.prevMarker = (last.data[1]! & 0x80) !== 0;
    this.unitPass = true;
  }

  /** Whether a whole frame goes to the reader; applies a pending level change first. */
  passUnit(key: boolean, droppable: boolean): boolean {
    // Down to fewer frames at once; up from key frames only at a key frame (the frames between
    // predict from ones the reader never got); from non-reference thinning up at any frame.
    if (this.target !== this.level && (this.target > this.level || this.level < 2 || key)) this.level = this.target;
    const pass = this.level === 0 || (this.level === 1 ? !droppable : key);
    if (!pass) this.droppedFrames++;
    else if (key) this.keyFrames++;
    return pass;
  }

  /**
   * Live: the bytes to send for one packet of the thinned track: the shared buffer while nothing was
   * withheld, else a copy renumbered past the withheld packets (timestamp untouched); undefined to withhold.
   */
  pass(p: OutPacket): Uint8Array | undefined {
    const d = p.data;
    // RFC 6184 §5.1: the marker ends an access unit; a new timestamp starts one when it was lost.
    if (this.prevMarker || p.timestamp !== this.unitTs) {
      this.unitTs = p.timestamp;
      this.unitPass = this.hold ? false : this.passUnit(p.keyStart, p.droppable === true);
      if (this.hold) this.droppedFrames++;
    }
    this.prevMarker = (d[1]! & 0x80) !== 0;
    if (!this.unitPass) {
      this.droppedPackets++;
      this.droppedOctets += rtpPayloadLength(d);
      return undefined;
    }
    const shift = this.droppedPackets & 0xffff;
    if (shift === 0) return d;
    const c = d.slice();
    const seq = (p.seq - shift) & 0xffff;
    c[2] = seq >>> 8;
    c[3] = seq & 0xff;
    return c;
  }

  /** Live: an SR (first in its compound) with its packet and octet counts less what this reader never got. */
  senderReport(data: Uint8Array): Uint8Array {
    if (this.droppedPackets === 0 || data.length < 28 || data[1] !== RTCP_SR) return data;
    const c = data.slice();
    const v = new DataView(c.buffer, c.byteOffset, c.byteLength);
    v.setUint32(20, (v.getUint32(20) - this.droppedPackets) >>> 0);
    v.setUint32(24, (v.getUint32(24) - this.droppedOctets) >>> 0);
    return c;
  }

  /** Nothing withheld now, pending or before (live seq numbers unshifted): the reader can go back to the shared path. */
  get idle(): boolean {
    return this.target === 0 && this.level === 0 && this.droppedPackets === 0 && !this.hold;
  }
}
