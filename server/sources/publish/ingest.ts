// Turns a publisher's RTP for one track into stream packets: reordered (UDP), key frames marked, published once.
import type { Track } from '../../media/track.js';
import type { OutPacket } from '../../core/out-packet.js';
import type { Stream } from '../../core/stream.js';
import { frameClassOfPayload, type FrameClass } from '../../rtp/frame-class.js';
import { parseRtpPacket } from '../../rtp/packet.js';
import { ReorderBuffer } from '../../rtp/reorder.js';

const RTCP_SR = 200;

/** A parsed packet waiting for its turn; the payload is kept for key-frame detection. */
interface Pending {
  seq: number;
  out: OutPacket;
  payload: Uint8Array;
  marker: boolean;
}

export class TrackIngest {
  private readonly reorder: ReorderBuffer<Pending> | undefined;
  private prevTimestamp = -1;
  private prevMarker = true;
  /**
   * Packets of the current unit held while its first packets (SEI, AUD) do not yet say whether it
   * is a key frame: x264's first IDR starts with an SEI-only packet. Released as soon as a slice
   * says which, so a delta frame is never delayed and a key frame by one packet at most, typically.
   */
  private held: OutPacket[] = [];
  /** The current unit is droppable (non-reference): its later packets are marked as its first ones were. */
  private unitDroppable = false;
  private static readonly MAX_HELD = 64;
  received = 0;
  malformed = 0;

  constructor(
    readonly track: Track,
    private readonly stream: Stream,
    /** UDP can reorder; TCP cannot, so it skips the buffer (and its delay). */
    reorder: boolean,
  ) {
    this.reorder = reorder ? new ReorderBuffer<Pending>() : undefined;
  }

  /** `data` must not be reused by the caller: the stream keeps it for readers and the GOP cache. */
  pushRtp(data: Uint8Array, nowMs: number): void {
    let pkt;
    try {
      pkt = parseRtpPacket(data);
    } catch {
      this.malformed++;
      return;
    }
    this.received++;
    const out: OutPacket = {
      trackId: this.track.id,
      data,
      seq: pkt.sequenceNumber,
      timestamp: pkt.timestamp,
      ssrc: pkt.ssrc,
      keyStart: false,
    };
    const pending: Pending = { seq: out.seq, out, payload: pkt.payload, marker: pkt.marker };
    if (!this.reorder) {
      this.emit(pending);
      return;
    }
    for (const p of this.reorder.push(pending, nowMs)) this.emit(p);
  }

  /** Releases what the reorder buffer held past its delay (called on a timer). */
  flush(nowMs: number): void {
    if (!this.reorder) return;
    for (const p of this.reorder.flush(nowMs)) this.emit(p);
  }

  pushRtcp(data: Uint8Array): void {
    // Forward the publisher's reports unchanged: readers get its SSRC and timeline, so its SR is
    // the right lip-sync anchor for them. Only an SR-first compound is kept for late joiners.
    if (data.length < 8) return;
    this.stream.publishRtcp(this.track.id, data, data[1] === RTCP_SR);
  }

  private emit({ out, payload, marker }: Pending): void {
    const startsUnit = this.prevMarker || out.timestamp !== this.prevTimestamp;
    this.prevMarker = marker;
    this.prevTimestamp = out.timestamp;
    if (this.track.kind === 'audio') {
      out.keyStart = true;
      this.stream.publish(out);
      return;
    }
    if (startsUnit) {
      this.release('unknown');
      this.unitDroppable = false;
    } else if (this.held.length === 0) {
      if (this.unitDroppable) out.droppable = true;
      this.stream.publish(out);
      return;
    }
    this.held.push(out);
    const c = frameClassOfPayload(this.track.codec, payload);
    if (c !== 'unknown' || marker || this.held.length >= TrackIngest.MAX_HELD) this.release(c);
  }

  /**
   * Publishes the held packets of a unit: the first one carries whether the unit is a key frame,
   * each one whether the unit is droppable (decided once here, never per reader).
   */
  private release(c: FrameClass): void {
    if (this.held.length === 0) return;
    this.held[0]!.keyStart = c === 'key';
    this.unitDroppable = c === 'droppable';
    for (const p of this.held) {
      if (this.unitDroppable) p.droppable = true;
      this.stream.publish(p);
    }
    this.held = [];
  }
}
