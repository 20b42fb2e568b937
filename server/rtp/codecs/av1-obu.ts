// AV1 OBUs (AV1 bitstream spec §5.3): LEB128 sizes, OBU headers, splitting a temporal unit, and the sequence header (profile, level, format, size).
import type { Av1Config } from '../../media/track.js';
import { BitReader } from './bit-reader.js';

export const OBU_SEQUENCE_HEADER = 1;
export const OBU_TEMPORAL_DELIMITER = 2;
export const OBU_FRAME_HEADER = 3;
export const OBU_TILE_GROUP = 4;
export const OBU_FRAME = 6;
export const OBU_PADDING = 15;

/** A LEB128 value (§4.10.5) at `off`: value and byte count, or undefined when torn or over 8 bytes / 2^32. */
export function readLeb128(b: Uint8Array, off: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[off + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (!(byte & 0x80)) return value <= 0xffffffff ? { value, size: i + 1 } : undefined;
  }
  return undefined;
}

export function leb128(n: number): Uint8Array {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Uint8Array.from(out);
}

export function obuType(obu: Uint8Array): number {
  return obu.length > 0 ? (obu[0]! >>> 3) & 0x0f : -1;
}

/** An OBU split into its header (1 or 2 bytes, size flag as written) and payload. */
export interface ObuParts {
  type: number;
  header: Uint8Array;
  payload: Uint8Array;
}

/**
 * Reads the OBU at `off` of `b` (§5.3.1): with obu_has_size_field its size bounds it, otherwise it
 * runs to the end. Undefined when the forbidden bit is set or the OBU is torn.
 */
export function readObu(b: Uint8Array, off: number): { obu: ObuParts; end: number } | undefined {
  const h = b[off];
  if (h === undefined || h & 0x80) return undefined;
  const headerLen = h & 0x04 ? 2 : 1;
  if (off + headerLen > b.length) return undefined;
  const header = b.subarray(off, off + headerLen);
  let start = off + headerLen;
  let end = b.length;
  if (h & 0x02) {
    const size = readLeb128(b, start);
    if (!size || start + size.size + size.value > b.length) return undefined;
    start += size.size;
    end = start + size.value;
  }
  return { obu: { type: (h >>> 3) & 0x0f, header, payload: b.subarray(start, end) }, end };
}

/** The OBUs of a buffer in low-overhead format (sizes in every OBU but perhaps the last); undefined if malformed. */
export function splitObus(b: Uint8Array): ObuParts[] | undefined {
  const out: ObuParts[] = [];
  let off = 0;
  while (off < b.length) {
    const r = readObu(b, off);
    if (!r || r.end <= off) return undefined;
    out.push(r.obu);
    off = r.end;
  }
  return out;
}

/** An OBU written with obu_has_size_field = 1 (the form ISO BMFF samples and .obu files use). */
export function withSize(o: ObuParts): Uint8Array {
  const size = leb128(o.payload.length);
  const out = new Uint8Array(o.header.length + size.length + o.payload.length);
  out.set(o.header);
  out[0] = out[0]! | 0x02;
  out.set(size, o.header.length);
  out.set(o.payload, o.header.length + size.length);
  return out;
}

/** An OBU without its size field (RTP elements: the AV1 RTP spec §4.4 recommends it). */
export function withoutSize(o: ObuParts): Uint8Array {
  const out = new Uint8Array(o.header.length + o.payload.length);
  out.set(o.header);
  out[0] = out[0]! & ~0x02;
  out.set(o.payload, o.header.length);
  return out;
}

export interface Av1SequenceInfo extends Omit<Av1Config, 'seqHeader'> {
  width: number;
  height: number;
  reducedStillPicture: boolean;
}

/** Sequence header OBU payload (§5.5); undefined when unreadable. */
export function parseSequenceHeader(payload: Uint8Array): Av1SequenceInfo | undefined {
  try {
    const r = new BitReader(payload);
    const profile = r.u(3);
    r.u(1); // still_picture
    const reduced = r.flag();
    let level = 0;
    let tier = 0;
    if (reduced) level = r.u(5);
    else readOperatingPoints(r, (l, t) => ((level = l), (tier = t)));
    const wBits = r.u(4) + 1;
    const hBits = r.u(4) + 1;
    const width = r.u(wBits) + 1;
    const height = r.u(hBits) + 1;
    if (!reduced && r.flag()) r.u(7); // frame_id_numbers_present: delta and additional id lengths
    r.u(3); // use_128x128_superblock, enable_filter_intra, enable_intra_edge_filter
    if (!reduced) readToolFlags(r);
    r.u(3); // enable_superres, enable_cdef, enable_restoration
    return { profile, level, tier, width, height, reducedStillPicture: reduced, ...readColorConfig(r, profile) };
  } catch {
    return undefined;
  }
}

/** §5.5.1 timing/decoder model info and operating points: calls `first` with operating point 0's level and tier. */
function readOperatingPoints(r: BitReader, first: (level: number, tier: number) => void): void {
  let decoderModel = false;
  let delayLen = 0;
  if (r.flag()) {
    r.u(32); // num_units_in_display_tick
    r.u(32); // time_scale
    if (r.flag()) r.uvlc(); // equal_picture_interval: num_ticks_per_picture_minus_1
    decoderModel = r.flag();
    if (decoderModel) {
      delayLen = r.u(5) + 1;
      r.u(32); // num_units_in_decoding_tick
      r.u(10); // buffer_removal_time_length_minus_1, frame_presentation_time_length_minus_1
    }
  }
  const displayDelay = r.flag();
  const count = r.u(5) + 1;
  for (let i = 0; i < count; i++) {
    r.u(12); // operating_point_idc
    const level = r.u(5);
    const tier = level > 7 ? r.u(1) : 0;
    if (i === 0) first(level, tier);
    if (decoderModel && r.flag()) r.u(2 * delayLen + 1);
    if (displayDelay && r.flag()) r.u(4);
  }
}

/** §5.5.1 inter tools and screen content flags of a full sequence header. */
function readToolFlags(r: BitReader): void {
  r.u(4); // interintra_compound, masked_compound, warped_motion, dual_filter
  const orderHint = r.flag();
  if (orderHint) r.u(2); // jnt_comp, ref_frame_mvs
  const forceScreen = r.flag() ? 2 : r.u(1); // seq_choose_screen_content_tools
  if (forceScreen > 0 && !r.flag()) r.u(1); // seq_choose_integer_mv, seq_force_integer_mv
  if (orderHint) r.u(3);
}

/** §5.5.2 color_config. */
function readColorConfig(r: BitReader, profile: number): Pick<Av1Config, 'bitDepth' | 'monochrome' | 'subsamplingX' | 'subsamplingY' | 'chromaSamplePosition'> {
  const high = r.flag();
  const bitDepth = profile === 2 && high ? (r.flag() ? 12 : 10) : high ? 10 : 8;
  const monochrome = profile === 1 ? false : r.flag();
  let cp = 2;
  let tc = 2;
  let mc = 2;
  if (r.flag()) {
    cp = r.u(8);
    tc = r.u(8);
    mc = r.u(8);
  }
  if (monochrome) return { bitDepth, monochrome, subsamplingX: 1, subsamplingY: 1, chromaSamplePosition: 0 };
  if (cp === 1 && tc === 13 && mc === 0) return { bitDepth, monochrome, subsamplingX: 0, subsamplingY: 0, chromaSamplePosition: 0 };
  r.u(1); // color_range
  let sx = 1;
  let sy = 1;
  if (profile === 1) sx = sy = 0;
  else if (profile === 2) {
    if (bitDepth === 12) {
      sx = r.u(1);
      sy = sx ? r.u(1) : 0;
    } else {
      sy = 0;
    }
  }
  const chromaSamplePosition = sx && sy ? r.u(2) : 0;
  return { bitDepth, monochrome, subsamplingX: sx, subsamplingY: sy, chromaSamplePosition };
}

/**
 * Whether a temporal unit (its OBUs) is a random access point: a sequence header, then a frame
 * header that shows no existing frame and has frame_type KEY_FRAME (§5.9.2).
 */
export function isAv1KeyFrame(obus: Uint8Array[]): boolean {
  let seq: Av1SequenceInfo | undefined;
  for (const buf of obus) {
    for (const o of splitObus(buf) ?? []) {
      if (o.type === OBU_SEQUENCE_HEADER) seq = parseSequenceHeader(o.payload);
      else if (o.type === OBU_FRAME || o.type === OBU_FRAME_HEADER) {
        if (!seq) return false;
        if (seq.reducedStillPicture) return true;
        const b = o.payload[0];
        return b !== undefined && (b & 0xe0) === 0; // show_existing_frame 0, frame_type 0
      }
    }
  }
  return false;
}

/** The sequence header of a temporal unit, written with its size field, and what it says. */
export function findSequenceHeader(obus: Uint8Array[]): { obu: Uint8Array; info: Av1SequenceInfo } | undefined {
  for (const buf of obus) {
    for (const o of splitObus(buf) ?? []) {
      if (o.type !== OBU_SEQUENCE_HEADER) continue;
      const info = parseSequenceHeader(o.payload);
      if (info) return { obu: withSize(o), info };
    }
  }
  return undefined;
}
