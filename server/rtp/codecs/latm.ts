// MPEG-4 Audio over RTP as LATM (RFC 6416 MP4A-LATM, RFC 3016): StreamMuxConfig, depacketizer and packetizer.
// The AAC frames come out as raw access units, as from RFC 3640, so muxers treat the track as plain AAC.

import { BitReader } from './bit-reader.js';
import { seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

/** An AudioMuxElement larger than this is dropped rather than buffered. */
export const MAX_LATM_ELEMENT = 64 * 1024;

class Bits extends BitReader {
  constructor(buf: Uint8Array) {
    super(buf, 'LATM data');
  }
  /** ISO 14496-3 1.7.3 LatmGetValue. */
  latmValue(): number {
    const bytes = this.u(2) + 1;
    return this.u(8 * bytes);
  }
  copy(bits: number): Uint8Array {
    const out = new Uint8Array(Math.ceil(bits / 8));
    for (let i = 0; i < bits; i++) if (this.u(1)) out[i >>> 3]! |= 0x80 >>> (i & 7);
    return out;
  }
}

export interface StreamMuxConfig {
  /** The AudioSpecificConfig of program 0 layer 0, byte-aligned. */
  asc: Uint8Array;
  /** numSubFrames + 1: AAC frames per AudioMuxElement. */
  subFrames: number;
}

/** Bits of an AudioSpecificConfig (ISO 14496-3 1.6.2.1) at the reader, for the GA object types. */
function ascBits(r: Bits): number {
  const start = r.pos;
  const aot = (): number => {
    const t = r.u(5);
    return t === 31 ? 32 + r.u(6) : t;
  };
  const freq = (): void => {
    if (r.u(4) === 15) r.u(24);
  };
  let type = aot();
  freq();
  const channels = r.u(4);
  if (type === 5 || type === 29) {
    freq();
    type = aot();
  }
  if (![1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23].includes(type)) throw new RangeError(`audio object type ${type} is not AAC`);
  if (channels === 0) throw new RangeError('channelConfiguration 0 (program config element) is not supported');
  r.u(1); // frameLengthFlag
  if (r.u(1)) r.u(14); // dependsOnCoreCoder: coreCoderDelay
  const ext = r.u(1);
  if (type === 6 || type === 20) r.u(3); // layerNr
  if (ext) {
    if (type === 22) r.u(16);
    if ([17, 19, 20, 23].includes(type)) r.u(3);
    r.u(1); // extensionFlag3
  }
  if ([17, 19, 20, 21, 22, 23].includes(type)) r.u(2); // epConfig
  syncExtension(r);
  return r.pos - start;
}

/** Backward-compatible SBR/PS signalling (ISO 14496-3 1.6.5.2: sync word 0x2B7) that encoders such as libav's append. */
function syncExtension(r: Bits): void {
  if (r.left < 16) return;
  const at = r.pos;
  if (r.u(11) !== 0x2b7) {
    r.pos = at;
    return;
  }
  const ext = r.u(5);
  if (ext === 5 && r.u(1)) {
    if (r.u(4) === 15) r.u(24);
    if (r.left >= 12) {
      const ps = r.pos;
      if (r.u(11) === 0x548) r.u(1);
      else r.pos = ps;
    }
  }
}

/** StreamMuxConfig (ISO 14496-3 1.7.3) at the reader: one program, one layer, frameLengthType 0. */
function readStreamMuxConfig(r: Bits): StreamMuxConfig {
  const version = r.u(1);
  const versionA = version ? r.u(1) : 0;
  if (versionA) throw new RangeError('audioMuxVersionA 1 is reserved');
  if (version) r.latmValue(); // taraBufferFullness
  r.u(1); // allStreamsSameTimeFraming
  const subFrames = r.u(6) + 1;
  if (r.u(4) !== 0 || r.u(3) !== 0) throw new RangeError('only one program with one layer is supported');
  let asc: Uint8Array;
  if (version === 0) {
    const at = r.pos;
    const n = ascBits(r);
    r.pos = at;
    asc = r.copy(n);
  } else {
    const len = r.latmValue();
    const at = r.pos;
    ascBits(r);
    r.pos = at;
    asc = r.copy(len);
  }
  // GStreamer's rtpmp4apay cuts the SDP config short after frameLengthType: missing tail bits read as 0.
  const frameLengthType = r.left >= 3 ? r.u(3) : 0;
  if (frameLengthType !== 0) throw new RangeError(`frameLengthType ${frameLengthType} is not supported; only 0`);
  if (r.left >= 8) r.u(8); // latmBufferFullness
  else r.skip(r.left);
  if (r.left >= 2) {
    // otherDataPresent would put bits after every PayloadMux; crcCheckPresent adds an 8-bit checksum.
    if (r.u(1)) throw new RangeError('otherDataPresent is not supported');
    if (r.u(1)) r.u(8);
  }
  return { asc, subFrames };
}

/** StreamMuxConfig bytes (the SDP `config=` of RFC 6416 §7.3); throws in words when unreadable. */
export function parseStreamMuxConfig(b: Uint8Array): StreamMuxConfig {
  return readStreamMuxConfig(new Bits(b));
}

/** A StreamMuxConfig (audioMuxVersion 0) for one AudioSpecificConfig of `ascBitLength` bits. */
export function makeStreamMuxConfig(asc: Uint8Array, ascBitLength = asc.length * 8): Uint8Array {
  const bits: number[] = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
  for (let i = 0; i < ascBitLength; i++) bits.push((asc[i >>> 3]! >>> (7 - (i & 7))) & 1);
  bits.push(0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0); // frameLengthType 0, buffer fullness 0xFF, no other data, no CRC
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  bits.forEach((b, i) => (out[i >>> 3]! |= b << (7 - (i & 7))));
  return out;
}

/** RTP payloads for AAC frames as AudioMuxElements without in-band config (cpresent=0), one frame each. */
export function packetizeLatm(frames: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 2)) throw new Error(`MTU ${mtu} is too small for an LATM payload`);
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const lengthInfo = new Uint8Array(Math.floor(f.length / 255) + 1).fill(255);
    lengthInfo[lengthInfo.length - 1] = f.length % 255;
    const element = new Uint8Array(lengthInfo.length + f.length);
    element.set(lengthInfo);
    element.set(f, lengthInfo.length);
    // RFC 6416 §6.1: an AudioMuxElement larger than a packet is fragmented; the marker ends it.
    for (let off = 0; off < element.length; off += mtu) out.push(element.subarray(off, Math.min(element.length, off + mtu)));
  }
  return out;
}

/**
 * RFC 6416 §6.1: a packet holds one or more whole AudioMuxElements or a fragment of one; the
 * marker bit is set on the packet that ends an element. Each element holds `subFrames` AAC frames
 * (PayloadLengthInfo then PayloadMux), spaced `samplesPerFrame` apart from the packet's timestamp.
 */
export class LatmDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private parts: Uint8Array[] = [];
  private size = 0;
  private ts = -1;
  private skip = false;

  constructor(
    private config: StreamMuxConfig | undefined,
    private readonly cpresent: boolean,
    private readonly onConfig: (c: StreamMuxConfig) => void = () => {},
    private readonly samplesPerFrame = 1024,
  ) {}

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const ts = pkt.timestamp >>> 0;
    // After a loss, a packet with the timestamp of the element in progress is the tail of a torn element.
    if (order > 0 && ts === this.ts) this.skip = true;
    if (order > 0 || (this.size > 0 && ts !== this.ts)) this.reset(); // a torn element cannot be parsed
    this.ts = ts;
    if (this.skip) {
      if (pkt.marker) this.skip = false;
      return [];
    }
    if (this.size + pkt.payload.length > MAX_LATM_ELEMENT) {
      this.reset();
      return [];
    }
    this.parts.push(pkt.payload);
    this.size += pkt.payload.length;
    if (!pkt.marker) return [];
    const buf = this.parts.length === 1 ? this.parts[0]! : join(this.parts, this.size);
    this.reset();
    try {
      return this.elements(buf, ts);
    } catch {
      return [{ timestamp: ts, data: [], damaged: true }];
    }
  }

  private reset(): void {
    this.parts = [];
    this.size = 0;
  }

  private elements(buf: Uint8Array, ts: number): DepacketizedFrame[] {
    const r = new Bits(buf);
    const out: DepacketizedFrame[] = [];
    while (r.left >= 8) {
      if (this.cpresent && r.u(1) === 0) {
        this.config = readStreamMuxConfig(r);
        this.onConfig(this.config);
      }
      const c = this.config;
      if (!c) return out;
      // allStreamsSameTimeFraming with one layer: PayloadLengthInfo then PayloadMux, per subframe.
      for (let i = 0; i < c.subFrames; i++) {
        let len = 0;
        let b: number;
        do len += b = r.u(8);
        while (b === 255);
        let frame: Uint8Array;
        if ((r.pos & 7) === 0) {
          const at = r.pos >>> 3;
          if (at + len > buf.length) throw new RangeError('PayloadMux truncated');
          frame = buf.subarray(at, at + len);
          r.pos += len * 8;
        } else frame = r.copy(len * 8);
        if (frame.length > 0) out.push({ timestamp: (ts + out.length * this.samplesPerFrame) >>> 0, data: [frame] });
      }
      if (this.cpresent) r.pos = Math.ceil(r.pos / 8) * 8; // byte alignment of an AudioMuxElement
    }
    return out;
  }
}

function join(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
