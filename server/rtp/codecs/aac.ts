// AAC over RTP (RFC 3640 mpeg4-generic, mode AAC-hbr), AudioSpecificConfig and ADTS helpers.

import { BitReader } from './bit-reader.js';
import { seqCheck, type DepacketizedFrame, type Depacketizer, type DepacketizerInput } from './frame.js';

/** AAC-hbr (RFC 3640 §3.3.6): sizelength=13, indexlength=3, indexdeltalength=3, so 16-bit AU headers. */
const MAX_AU_SIZE = 0x1fff;

/** ISO 14496-3 Table 1.18, sampling_frequency_index 0..12. */
export const AAC_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

function writeAuHeader(p: Uint8Array, off: number, size: number): void {
  // 13-bit AU-size then a 3-bit AU-index / AU-index-delta of 0 (RFC 3640 §3.2.1.1; no interleaving).
  p[off] = size >>> 5;
  p[off + 1] = (size & 0x1f) << 3;
}

/**
 * RTP payloads for AAC access units. Consecutive AUs share a packet while they fit; an AU larger
 * than one packet is fragmented (§3.2.3), each fragment repeating the AU header with the full AU
 * size, and the caller sets the marker bit on the last payload. Timestamps: a packet's RTP time is
 * that of its first AU, so callers pass one AU (`[frame]`) per call unless they account for that.
 */
export function packetizeAac(frames: Uint8Array[], mtu: number): Uint8Array[] {
  if (!(mtu >= 5)) throw new Error(`MTU ${mtu} is too small: an AAC RTP payload needs 4 header bytes plus data`);
  const out: Uint8Array[] = [];
  let i = 0;
  while (i < frames.length) {
    const f = frames[i]!;
    if (f.length > MAX_AU_SIZE) {
      throw new Error(`AAC frame of ${f.length} bytes exceeds the 8191 bytes a 13-bit AU-size can say`);
    }
    if (4 + f.length > mtu) {
      const max = mtu - 4;
      for (let off = 0; off < f.length; off += max) {
        const end = Math.min(f.length, off + max);
        const p = new Uint8Array(4 + end - off);
        p[1] = 16; // AU-headers-length, in bits (§3.2.1)
        writeAuHeader(p, 2, f.length);
        p.set(f.subarray(off, end), 4);
        out.push(p);
      }
      i++;
      continue;
    }
    let j = i;
    let size = 2;
    while (j < frames.length && frames[j]!.length <= MAX_AU_SIZE && size + 2 + frames[j]!.length <= mtu) {
      size += 2 + frames[j]!.length;
      j++;
    }
    const n = j - i;
    const p = new Uint8Array(size);
    const bits = 16 * n;
    p[0] = bits >>> 8;
    p[1] = bits & 0xff;
    let data = 2 + 2 * n;
    for (let k = 0; k < n; k++) {
      const au = frames[i + k]!;
      writeAuHeader(p, 2 + 2 * k, au.length);
      p.set(au, data);
      data += au.length;
    }
    out.push(p);
    i = j;
  }
  return out;
}

interface Fragment {
  ts: number;
  size: number;
  parts: Uint8Array[];
  got: number;
}

export class AacDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private frag: Fragment | null = null;

  /** `samplesPerFrame`: 1024 for AAC-LC (960 for the rare 960-sample framing), the RTP time per AU. */
  constructor(private readonly samplesPerFrame = 1024) {}

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return [];
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    // A fragmented AU missing a piece cannot be decoded: drop it, never hand out a torn one.
    if (order > 0) this.frag = null;
    const p = pkt.payload;
    const ts = pkt.timestamp >>> 0;
    if (p.length < 2) return [];
    const bits = (p[0]! << 8) | p[1]!;
    if (bits === 0 || bits % 16 !== 0) return [];
    const n = bits / 16;
    const dataStart = 2 + 2 * n;
    if (dataStart > p.length) return [];
    const data = p.subarray(dataStart);
    const firstSize = (p[2]! << 5) | (p[3]! >>> 3);

    const fr = this.frag;
    if (fr && n === 1 && fr.ts === ts && fr.size === firstSize) {
      fr.parts.push(data);
      fr.got += data.length;
      if (fr.got < fr.size && !pkt.marker) return [];
      this.frag = null;
      // §3.2.3: the fragments of an AU add up to its AU-size; anything else (a fragment lost
      // before we started collecting) is dropped.
      if (fr.got !== fr.size) return [];
      const au = new Uint8Array(fr.size);
      let off = 0;
      for (const part of fr.parts) {
        au.set(part, off);
        off += part.length;
      }
      return [{ timestamp: ts, data: [au] }];
    }
    this.frag = null;
    if (n === 1 && firstSize > data.length) {
      if (!pkt.marker) this.frag = { ts, size: firstSize, parts: [data], got: data.length };
      return [];
    }
    const out: DepacketizedFrame[] = [];
    let off = 0;
    let serial = -1;
    for (let k = 0; k < n; k++) {
      const h = 2 + 2 * k;
      const size = (p[h]! << 5) | (p[h + 1]! >>> 3);
      // AU-index of the first AU is 0 without interleaving; later AUs step by 1 + AU-index-delta.
      serial = k === 0 ? 0 : serial + 1 + (p[h + 1]! & 7);
      if (off + size > data.length) return [];
      out.push({ timestamp: (ts + serial * this.samplesPerFrame) >>> 0, data: [data.subarray(off, off + size)] });
      off += size;
    }
    return out.filter((f) => f.data[0]!.length > 0);
  }
}

export interface AudioSpecificConfigInfo {
  /** Audio object type: 2 AAC-LC, 5 SBR, 29 PS, ... */
  objectType: number;
  /** Sampling frequency of the core coder (for SBR/PS the output rate is double). */
  sampleRate: number;
  /** channelConfiguration; 0 means "defined in a program config element". */
  channels: number;
}

/** ISO 14496-3 §1.6.2.1 AudioSpecificConfig, the fields an SDP or a muxer needs. */
export function parseAudioSpecificConfig(asc: Uint8Array): AudioSpecificConfigInfo {
  const r = new BitReader(asc, 'AudioSpecificConfig');
  let objectType = r.u(5);
  if (objectType === 31) objectType = 32 + r.u(6);
  const freqIndex = r.u(4);
  let sampleRate: number;
  if (freqIndex === 0xf) {
    sampleRate = r.u(24);
  } else {
    const rate = AAC_SAMPLE_RATES[freqIndex];
    if (rate === undefined) throw new Error(`AudioSpecificConfig sampling frequency index ${freqIndex} is reserved`);
    sampleRate = rate;
  }
  const channels = r.u(4);
  if (objectType === 0) throw new Error('AudioSpecificConfig object type 0 is invalid (null object)');
  return { objectType, sampleRate, channels };
}

/** The smallest AudioSpecificConfig for a GA object (frameLength 1024, no core coder, no extension). */
export function makeAudioSpecificConfig(objectType: number, sampleRate: number, channels: number): Uint8Array {
  if (!(objectType >= 1 && objectType <= 95)) throw new Error(`AAC object type ${objectType} is out of range 1..95`);
  if (!(channels >= 0 && channels <= 15)) throw new Error(`AAC channel configuration ${channels} is out of range 0..15`);
  if (!(sampleRate > 0 && sampleRate < 1 << 24)) throw new Error(`AAC sample rate ${sampleRate} does not fit 24 bits`);
  const bits: [number, number][] = [];
  if (objectType >= 31) bits.push([31, 5], [objectType - 32, 6]);
  else bits.push([objectType, 5]);
  const index = AAC_SAMPLE_RATES.indexOf(sampleRate);
  // Index 0xf escapes to an explicit 24-bit frequency for rates outside the table.
  if (index >= 0) bits.push([index, 4]);
  else bits.push([0xf, 4], [sampleRate, 24]);
  bits.push([channels, 4], [0, 3]); // GASpecificConfig: frameLengthFlag, dependsOnCoreCoder, extensionFlag
  const total = bits.reduce((s, [, n]) => s + n, 0);
  const out = new Uint8Array(Math.ceil(total / 8));
  let pos = 0;
  for (const [v, n] of bits) {
    for (let i = n - 1; i >= 0; i--, pos++) {
      if (Math.floor(v / 2 ** i) & 1) out[pos >>> 3]! |= 0x80 >>> (pos & 7);
    }
  }
  return out;
}

/**
 * Raw AAC frames of an ADTS stream (ISO 14496-3 §1.A.2) and the AudioSpecificConfig of its
 * first header. Throws on a lost sync word or a truncated frame.
 */
export function parseAdtsFrames(buf: Uint8Array): { frames: Uint8Array[]; asc: Uint8Array } {
  const frames: Uint8Array[] = [];
  let asc: Uint8Array | undefined;
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 7) throw new Error(`ADTS header truncated at byte ${off}: ${buf.length - off} bytes left, needs 7`);
    if (buf[off] !== 0xff || (buf[off + 1]! & 0xf6) !== 0xf0) {
      throw new Error(`ADTS sync word (0xFFF, layer 0) not found at byte ${off}`);
    }
    const protectionAbsent = buf[off + 1]! & 1;
    const b2 = buf[off + 2]!;
    const b3 = buf[off + 3]!;
    const frameLength = ((b3 & 3) << 11) | (buf[off + 4]! << 3) | (buf[off + 5]! >>> 5);
    const blocks = (buf[off + 6]! & 3) + 1;
    const headerLength = protectionAbsent ? 7 : 9;
    if (frameLength < headerLength || off + frameLength > buf.length) {
      throw new Error(`ADTS frame at byte ${off} declares ${frameLength} bytes; ${buf.length - off} remain`);
    }
    // Several raw_data_blocks in one ADTS frame have no sizes to split them by without CRC positions.
    if (blocks !== 1) throw new Error(`ADTS frame at byte ${off} holds ${blocks} raw data blocks; only 1 is supported`);
    if (!asc) {
      const freqIndex = (b2 >>> 2) & 0xf;
      const rate = AAC_SAMPLE_RATES[freqIndex];
      if (rate === undefined) throw new Error(`ADTS sampling frequency index ${freqIndex} is reserved`);
      // ADTS profile is the object type minus one (§1.A.2.2.1).
      asc = makeAudioSpecificConfig((b2 >>> 6) + 1, rate, ((b2 & 1) << 2) | (b3 >>> 6));
    }
    frames.push(buf.subarray(off + headerLength, off + frameLength));
    off += frameLength;
  }
  if (!asc) throw new Error('no ADTS frames in an empty buffer');
  return { frames, asc };
}
