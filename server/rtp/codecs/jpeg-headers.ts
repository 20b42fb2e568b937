// The JPEG headers RFC 2435 leaves out of the RTP payload, rebuilt around the scan data: quantization
// tables from Q (Appendix A) or from the quantization table header, the standard Huffman tables
// (ITU T.81 K.3-K.6), and the frame and scan headers for the two RFC 2435 types (4:2:2, 4:2:0).

import { concatBytes } from '../../media/bytes.js';

/** ITU T.81 Table K.1 / K.2, natural order. */
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51,
  87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, ...new Array<number>(32).fill(99)];
/** Zig-zag position -> natural position. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
  35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47,
  55, 62, 63,
];

/** The DHT segment body (after its length) with the four standard tables, as ffmpeg -huffman default writes it. */
const STD_DHT = fromHex(
  '0000010501010101010100000000000000000102030405060708090a0b0100030101010101010101010000000000000102030405060708090a0b100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa1100020102040403040705040400010277000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa',
);

function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** One quantization table as DQT stores it: 64 entries in zig-zag order, 8- or 16-bit. */
export interface QuantTable {
  sixteenBit: boolean;
  values: Uint8Array;
}

/** RFC 2435 Appendix A MakeTables: the luma and chroma tables for Q 1..99, zig-zag order. */
export function tablesForQ(q: number): [QuantTable, QuantTable] {
  const factor = Math.min(99, Math.max(1, q));
  const scale = factor < 50 ? Math.floor(5000 / factor) : 200 - factor * 2;
  const make = (base: number[]): QuantTable => {
    const values = new Uint8Array(64);
    for (let i = 0; i < 64; i++) values[i] = Math.min(255, Math.max(1, Math.floor((base[ZIGZAG[i]!]! * scale + 50) / 100)));
    return { sixteenBit: false, values };
  };
  return [make(LUMA_Q), make(CHROMA_Q)];
}

export interface JpegHeaderInfo {
  /** RFC 2435 type with the restart bit cleared: 0 (4:2:2) or 1 (4:2:0). */
  type: number;
  width: number;
  height: number;
  tables: QuantTable[];
  /** Restart interval in MCUs, 0 for none. */
  restartInterval: number;
}

function segment(marker: number, body: Uint8Array): Uint8Array {
  const head = new Uint8Array([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return concatBytes([head, body]);
}

/** SOI, DQT, DRI, SOF0, DHT and SOS for an RFC 2435 frame: the scan data follows, then EOI. */
export function jpegHeaders(h: JpegHeaderInfo): Uint8Array {
  const parts: Uint8Array[] = [new Uint8Array([0xff, 0xd8])];
  const dqt: Uint8Array[] = h.tables.slice(0, 4).map((t, i) => concatBytes([new Uint8Array([(t.sixteenBit ? 0x10 : 0) | i]), t.values]));
  parts.push(segment(0xdb, concatBytes(dqt)));
  if (h.restartInterval > 0) parts.push(segment(0xdd, new Uint8Array([h.restartInterval >> 8, h.restartInterval & 0xff])));
  const chromaTable = h.tables.length > 1 ? 1 : 0;
  const sof = new Uint8Array([8, h.height >> 8, h.height & 0xff, h.width >> 8, h.width & 0xff, 3,
    1, h.type === 1 ? 0x22 : 0x21, 0, 2, 0x11, chromaTable, 3, 0x11, chromaTable]);
  parts.push(segment(0xc0, sof));
  parts.push(segment(0xc4, STD_DHT));
  parts.push(segment(0xda, new Uint8Array([3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0])));
  return concatBytes(parts);
}
