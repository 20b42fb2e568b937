// Frame assembly for payload formats that cut one frame into consecutive chunks (VP8, VP9): a chunk per packet, a start flag, the marker at the end.
import { concatBytes } from '../../media/bytes.js';
import { MAX_FRAME_SIZE, seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

/** What a payload descriptor says: the chunk of frame data after it, and whether a frame starts here. */
export interface FrameChunk {
  start: boolean;
  chunk: Uint8Array;
}

/**
 * Collects chunks per RTP timestamp and emits one frame (data = [bytes]) on the marker bit or a
 * timestamp change (RFC 7741 §4.1, RFC 9628 §4.1: the marker ends a picture but can be lost).
 * A frame with a lost packet, without its start, or over MAX_FRAME_SIZE is emitted damaged.
 */
export abstract class ChunkDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private open = false;
  private ts = 0;
  private parts: Uint8Array[] = [];
  private size = 0;
  private started = false;
  private damaged = false;

  /** Reads the payload descriptor; undefined when malformed. */
  protected abstract parse(payload: Uint8Array): FrameChunk | undefined;

  get bufferedBytes(): number {
    return this.size;
  }

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const out: DepacketizedFrame[] = [];
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return out;
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const ts = pkt.timestamp >>> 0;
    if (this.open && ts !== this.ts) {
      if (order > 0) this.damaged = true;
      this.flush(out);
    }
    if (!this.open) {
      this.open = true;
      this.ts = ts;
    }
    if (order > 0) this.damaged = true;
    this.add(pkt.payload);
    if (pkt.marker) this.flush(out);
    return out;
  }

  private add(payload: Uint8Array): void {
    const c = payload.length > 0 ? this.parse(payload) : undefined;
    if (!c) {
      this.damaged = true;
      return;
    }
    if (c.start) this.started = true;
    else if (!this.started) this.damaged = true; // the frame's head was lost
    if (this.size + c.chunk.length > MAX_FRAME_SIZE) {
      this.parts = [];
      this.size = 0;
      this.damaged = true;
      return;
    }
    if (c.chunk.length === 0) return;
    this.parts.push(c.chunk);
    this.size += c.chunk.length;
  }

  private flush(out: DepacketizedFrame[]): void {
    if (this.parts.length > 0 || this.damaged) {
      const data = this.parts.length === 1 ? [this.parts[0]!] : this.parts.length > 1 ? [concatBytes(this.parts)] : [];
      const f: DepacketizedFrame = { timestamp: this.ts, data };
      if (this.damaged || !this.started) f.damaged = true;
      out.push(f);
    }
    this.parts = [];
    this.size = 0;
    this.started = false;
    this.damaged = false;
    this.open = false;
  }
}
