// M-JPEG over RTP (RFC 2435): each payload has an 8-byte main header (type-specific, 24-bit fragment
// offset, type, Q, width/8, height/8), a restart marker header for types 64-127, and on the first
// fragment a quantization table header when Q >= 128. Frames are reassembled into full JPEG
// images (SOI ... EOI); every frame is a key frame.

import { concatBytes } from '../../media/bytes.js';
import { MAX_FRAME_SIZE, seqCheck, type DepacketizedFrame, type DepacketizerInput, type Depacketizer } from './frame.js';
import { jpegHeaders, tablesForQ, type JpegHeaderInfo, type QuantTable } from './jpeg-headers.js';
import { parseJpeg } from './jpeg-parse.js';

/** The first fragment's header, parsed: all a frame needs besides its scan data. */
interface FrameHead extends JpegHeaderInfo {
  headerBytes: number;
}

/** Parses the headers of a payload; undefined when malformed or of a type RFC 2435 does not define. */
function parseHead(p: Uint8Array, cache: Map<number, QuantTable[]>): FrameHead | undefined {
  if (p.length < 8) return undefined;
  const offset = (p[1]! << 16) | (p[2]! << 8) | p[3]!;
  const rawType = p[4]!;
  const q = p[5]!;
  const type = rawType & 0x3f;
  if (type > 1 || rawType >= 128 || q === 0) return undefined;
  let off = 8;
  let restartInterval = 0;
  if (rawType >= 64) {
    if (p.length < 12) return undefined;
    restartInterval = (p[8]! << 8) | p[9]!;
    off = 12;
  }
  let tables: QuantTable[] | undefined = q < 128 ? tablesForQ(q) : cache.get(q);
  if (q >= 128 && offset === 0) {
    if (p.length < off + 4) return undefined;
    const precision = p[off + 1]!;
    const length = (p[off + 2]! << 8) | p[off + 3]!;
    off += 4;
    if (length > 0) {
      if (p.length < off + length) return undefined;
      tables = readTables(p.subarray(off, off + length), precision);
      if (!tables) return undefined;
      // Q 255 tables change per frame and are always sent; 128..254 may be sent once and reused.
      if (q < 255) cache.set(q, tables);
      off += length;
    }
  }
  if (!tables) return undefined;
  return { type, width: p[6]! * 8, height: p[7]! * 8, tables, restartInterval, headerBytes: off };
}

function readTables(b: Uint8Array, precision: number): QuantTable[] | undefined {
  const tables: QuantTable[] = [];
  let off = 0;
  while (off < b.length && tables.length < 4) {
    const sixteenBit = ((precision >> tables.length) & 1) === 1;
    const size = sixteenBit ? 128 : 64;
    if (off + size > b.length) return undefined;
    tables.push({ sixteenBit, values: b.slice(off, off + size) });
    off += size;
  }
  return tables.length > 0 ? tables : undefined;
}

/** Header bytes before the scan data in a payload that is not the first fragment. */
function laterHeaderBytes(p: Uint8Array): number {
  return p.length >= 5 && p[4]! >= 64 && p[4]! < 128 ? 12 : 8;
}

export class JpegDepacketizer implements Depacketizer {
  private lastSeq = -1;
  private open = false;
  private ts = 0;
  private head: FrameHead | undefined;
  private parts: Uint8Array[] = [];
  private size = 0;
  private damaged = false;
  private readonly tableCache = new Map<number, QuantTable[]>();

  push(pkt: DepacketizerInput): DepacketizedFrame[] {
    const out: DepacketizedFrame[] = [];
    const order = seqCheck(this.lastSeq, pkt.sequenceNumber);
    if (order < 0) return out;
    this.lastSeq = pkt.sequenceNumber & 0xffff;
    const ts = pkt.timestamp >>> 0;
    if (this.open && ts !== this.ts) {
      this.damaged = true; // the marker packet was lost
      this.emit(out);
    }
    if (!this.open) {
      this.open = true;
      this.ts = ts;
    }
    if (order > 0) this.damaged = true;
    this.add(pkt.payload);
    if (pkt.marker) this.emit(out);
    return out;
  }

  private add(p: Uint8Array): void {
    if (p.length < 8) return void (this.damaged = true);
    const offset = (p[1]! << 16) | (p[2]! << 8) | p[3]!;
    let skip: number;
    if (offset === 0) {
      this.head = parseHead(p, this.tableCache);
      this.parts = [];
      this.size = 0;
      if (!this.head) return void (this.damaged = true);
      skip = this.head.headerBytes;
    } else {
      skip = laterHeaderBytes(p);
    }
    if (offset !== this.size || p.length < skip || this.size + p.length > MAX_FRAME_SIZE) {
      this.damaged = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(p.subarray(skip));
    this.size += p.length - skip;
  }

  private emit(out: DepacketizedFrame[]): void {
    if (this.damaged || !this.head || this.size === 0) {
      out.push({ timestamp: this.ts, data: [], damaged: true });
    } else {
      const scan = concatBytes(this.parts);
      const ends = scan.length >= 2 && scan[scan.length - 2] === 0xff && scan[scan.length - 1] === 0xd9;
      const tail = ends ? [] : [new Uint8Array([0xff, 0xd9])];
      out.push({ timestamp: this.ts, data: [concatBytes([jpegHeaders(this.head), scan, ...tail])] });
    }
    this.open = false;
    this.head = undefined;
    this.parts = [];
    this.size = 0;
    this.damaged = false;
  }
}

/**
 * RTP payloads for JPEG images (baseline, 3 components, 4:2:0 or 4:2:2, at most 2040x2040): Q 255
 * with the image's own quantization tables in the first payload. Throws for an image RFC 2435 cannot carry.
 */
export function packetizeJpeg(frames: Uint8Array[], mtu: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const f of frames) {
    const j = parseJpeg(f);
    if (typeof j === 'string') throw new Error(`JPEG image cannot be sent over RTP: ${j}`);
    const restart = j.restartInterval > 0;
    const precision = j.tables.reduce((acc, t, i) => acc | (t.sixteenBit ? 1 << i : 0), 0);
    const tableBytes = concatBytes(j.tables.map((t) => t.values));
    const qHeader = new Uint8Array([0, precision, tableBytes.length >> 8, tableBytes.length & 0xff]);
    let off = 0;
    while (off < j.scan.length || off === 0) {
      const main = new Uint8Array([0, (off >> 16) & 0xff, (off >> 8) & 0xff, off & 0xff, j.type | (restart ? 64 : 0), 255,
        Math.ceil(j.width / 8), Math.ceil(j.height / 8)]);
      const rst = restart ? [new Uint8Array([j.restartInterval >> 8, j.restartInterval & 0xff, 0xff, 0xff])] : [];
      const head = concatBytes([main, ...rst, ...(off === 0 ? [qHeader, tableBytes] : [])]);
      const room = mtu - head.length;
      if (room < 1) throw new Error(`MTU ${mtu} is too small for the JPEG headers`);
      const n = Math.min(room, j.scan.length - off);
      out.push(concatBytes([head, j.scan.subarray(off, off + n)]));
      off += n;
      if (n === 0) break;
    }
  }
  return out;
}
