// What depacketizers emit, their common interface, and the frame assembly shared by H.264/H.265 and by G.711/Opus.

export interface DepacketizedFrame {
  /** RTP timestamp of the frame (for audio: of this access unit, derived within the packet). */
  timestamp: number;
  /**
   * Video: NAL units without start codes. Audio: one element, the frame. May view into packet
   * payloads (no copy), and may be empty when `damaged` (the frame's data was all lost).
   */
  data: Uint8Array[];
  /** Some of the frame was lost: a decoder should wait for the next key frame. */
  damaged?: boolean;
}

/** The fields of an RTP packet a depacketizer needs (a parsed RtpPacket satisfies it). */
export interface DepacketizerInput {
  payload: Uint8Array;
  marker: boolean;
  timestamp: number;
  sequenceNumber: number;
}

export interface Depacketizer {
  /** Never throws: malformed input is dropped (and marks the frame damaged). */
  push(pkt: DepacketizerInput): DepacketizedFrame[];
}

/** A NAL unit larger than this is dropped rather than buffered (bounds memory under hostile input). */
export const MAX_NAL_SIZE = 16 * 1024 * 1024;
/**
 * A frame (all its NAL units) larger than this is dropped: a publisher that never sets the marker
 * nor changes the timestamp would otherwise grow one frame without end.
 */
export const MAX_FRAME_SIZE = 16 * 1024 * 1024;

/** Sequence classification: 0 in order, 1 gap (loss), -1 late or duplicate (drop). */
export function seqCheck(last: number, seq: number): 0 | 1 | -1 {
  if (last < 0) return 0;
  const d = ((seq - last - 1 + 0x8000) & 0xffff) - 0x8000;
  if (d === 0) return 0;
  // Small negative steps are duplicates/late packets; a big one is a sender restart, treated as loss.
  if (d < 0 && d >= -100) return -1;
  return 1;
}

/**
 * For codecs that put one self-contained frame in each RTP payload (G.711, Opus): the payload is
 * the frame. Each packet decodes on its own, so a gap damages no received frame: concealment covers it.
 */
export class FramePerPacketDepacketizer implements Depacketizer {
  private lastSeq = -1;
  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    // An empty payload carries no frame (nor is it a valid Opus packet: RFC 6716 §3.1 needs a TOC byte).
    if (pkt.payload.length === 0) return [];
    return [{ timestamp: pkt.timestamp >>> 0, data: [pkt.payload] }];
  }
}

/**
 * Frame assembly for NAL-based video: collects NAL units per RTP timestamp, reassembles
 * fragmentation units, and emits on the marker bit or a timestamp change (RFC 6184 §5.1: the
 * marker ends an access unit, but it can be lost, so a new timestamp also ends one).
 */
export abstract class NalDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private open = false;
  private ts = 0;
  private nalus: Uint8Array[] = [];
  private nalBytes = 0;
  private damaged = false;
  private fu: Uint8Array[] | null = null;
  private fuSize = 0;

  /** Bytes held for the frame being assembled (its NAL units and an unfinished fragmented one). */
  get bufferedBytes(): number {
    return this.nalBytes + this.fuSize;
  }

  /** Handles one payload, calling addNal / fuStart / fuAppend / fuEnd / damage. */
  protected abstract handlePayload(payload: Uint8Array): void;

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const out: DepacketizedFrame[] = [];
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return out;
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const ts = pkt.timestamp >>> 0;
    if (this.open && ts !== this.ts) {
      // A lost marker packet: what we have of the previous frame is all we will get.
      if (order > 0) this.damaged = true;
      this.flush(out);
    }
    if (!this.open) {
      this.open = true;
      this.ts = ts;
    }
    if (order > 0) {
      // The lost packets belong to this frame (same timestamp, or its head was lost).
      this.damaged = true;
      this.dropFu();
    }
    if (pkt.payload.length > 0) this.handlePayload(pkt.payload);
    else this.damaged = true;
    if (pkt.marker) this.flush(out);
    return out;
  }

  private flush(out: DepacketizedFrame[]): void {
    if (this.fu) {
      this.dropFu();
      this.damaged = true;
    }
    if (this.nalus.length > 0 || this.damaged) {
      const f: DepacketizedFrame = { timestamp: this.ts, data: this.nalus };
      if (this.damaged) f.damaged = true;
      out.push(f);
    }
    this.nalus = [];
    this.nalBytes = 0;
    this.damaged = false;
    this.open = false;
  }

  /** Keeps a NAL unit of the frame, or drops the whole frame (damaged) once it is over MAX_FRAME_SIZE. */
  private keep(nal: Uint8Array): void {
    if (this.nalBytes + this.fuSize + nal.length > MAX_FRAME_SIZE) {
      this.nalus = [];
      this.nalBytes = 0;
      this.dropFu();
      this.damaged = true;
      return;
    }
    this.nalus.push(nal);
    this.nalBytes += nal.length;
  }

  private dropFu(): void {
    this.fu = null;
    this.fuSize = 0;
  }

  protected addNal(nal: Uint8Array): void {
    if (this.fu) {
      // An unfinished fragmented NAL interrupted by another NAL: its end was lost.
      this.dropFu();
      this.damaged = true;
    }
    if (nal.length > 0) this.keep(nal);
  }

  protected damage(): void {
    this.damaged = true;
  }

  /**
   * An aggregation packet (STAP-A, AP): after the `headerSize`-byte payload header, (16-bit size,
   * NAL) per unit, each NAL at least `minNal` bytes. Only a fully valid packet is used: a torn one
   * would hand the decoder garbage, so it only marks the frame damaged.
   */
  protected addAggregated(p: Uint8Array, headerSize: number, minNal: number): void {
    const nalus: Uint8Array[] = [];
    let off = headerSize;
    while (off < p.length) {
      if (off + 2 > p.length) return this.damage();
      const len = (p[off]! << 8) | p[off + 1]!;
      if (len < minNal || off + 2 + len > p.length) return this.damage();
      nalus.push(p.subarray(off + 2, off + 2 + len));
      off += 2 + len;
    }
    for (const n of nalus) this.addNal(n);
  }

  /**
   * A fragmentation unit (FU-A, FU): `prefix` bytes of payload header and FU header (S, E, type
   * in its last byte), then the chunk. `nalHeader` rebuilds the NAL header from a start fragment.
   */
  protected addFragment(p: Uint8Array, prefix: number, nalHeader: (p: Uint8Array) => Uint8Array): void {
    if (p.length < prefix + 1) return this.damage();
    const fuHeader = p[prefix - 1]!;
    const data = p.subarray(prefix);
    if (fuHeader & 0x80) {
      this.fuStart(nalHeader(p), data);
      // S and E together is forbidden (RFC 6184 §5.8, RFC 7798 §4.4.3) but unambiguous: a whole NAL.
      if (fuHeader & 0x40) this.fuEnd(new Uint8Array(0));
    } else if (fuHeader & 0x40) {
      this.fuEnd(data);
    } else {
      this.fuAppend(data);
    }
  }

  /** Starts a fragmented NAL with its reconstructed NAL header and first chunk. */
  protected fuStart(nalHeader: Uint8Array, chunk: Uint8Array): void {
    if (this.fu) this.damaged = true;
    this.fu = [nalHeader, chunk];
    this.fuSize = nalHeader.length + chunk.length;
  }

  protected fuAppend(chunk: Uint8Array): void {
    if (!this.fu) {
      // A middle/end fragment without its start (already counted as loss, or a stray packet).
      this.damaged = true;
      return;
    }
    this.fuSize += chunk.length;
    if (this.fuSize > MAX_NAL_SIZE || this.nalBytes + this.fuSize > MAX_FRAME_SIZE) {
      this.dropFu();
      this.damaged = true;
      return;
    }
    this.fu.push(chunk);
  }

  protected fuEnd(chunk: Uint8Array): void {
    this.fuAppend(chunk);
    const parts = this.fu;
    if (!parts) return;
    const nal = new Uint8Array(this.fuSize);
    let off = 0;
    for (const p of parts) {
      nal.set(p, off);
      off += p.length;
    }
    this.dropFu();
    this.keep(nal);
  }
}

/** Cuts a buffer into consecutive views of at most `max` bytes (no copy). */
export function chunk(buf: Uint8Array, max: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < buf.length; off += max) out.push(buf.subarray(off, Math.min(buf.length, off + max)));
  return out;
}
