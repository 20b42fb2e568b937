// Reads what RFC 2435 needs out of a baseline JPEG image: size, sampling (its type), quantization
// tables, restart interval and the entropy-coded scan data.

import type { QuantTable } from './jpeg-headers.js';

export interface ParsedJpeg {
  type: 0 | 1;
  width: number;
  height: number;
  tables: QuantTable[];
  restartInterval: number;
  /** Scan data, EOI excluded. */
  scan: Uint8Array;
}

/** The parsed image, or why RFC 2435 cannot carry it. Never throws. */
export function parseJpeg(b: Uint8Array): ParsedJpeg | string {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return 'no SOI';
  const tables: QuantTable[] = [];
  let restartInterval = 0;
  let sof: Omit<ParsedJpeg, 'tables' | 'restartInterval' | 'scan'> | undefined;
  let off = 2;
  while (off + 4 <= b.length) {
    if (b[off] !== 0xff) return `no marker at ${off}`;
    const marker = b[off + 1]!;
    const len = (b[off + 2]! << 8) | b[off + 3]!;
    const body = b.subarray(off + 4, off + 2 + len);
    if (len < 2 || off + 2 + len > b.length) return 'a truncated segment';
    if (marker === 0xdb) {
      for (let i = 0; i + 1 <= body.length; ) {
        const sixteenBit = (body[i]! >> 4) === 1;
        const id = body[i]! & 15;
        const size = sixteenBit ? 128 : 64;
        if (id > 3 || i + 1 + size > body.length) return 'a malformed DQT';
        tables[id] = { sixteenBit, values: body.slice(i + 1, i + 1 + size) };
        i += 1 + size;
      }
    } else if (marker === 0xdd && body.length >= 2) {
      restartInterval = (body[0]! << 8) | body[1]!;
    } else if (marker === 0xc0 || marker === 0xc1) {
      const r = readSof(body);
      if (typeof r === 'string') return r;
      sof = r;
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return 'not a baseline JPEG';
    } else if (marker === 0xda) {
      if (!sof) return 'no SOF0 before the scan';
      if (tables.length === 0 || Array.from(tables).some((t) => !t)) return 'no quantization tables';
      let end = b.length;
      if (end >= 2 && b[end - 2] === 0xff && b[end - 1] === 0xd9) end -= 2;
      return { ...sof, tables, restartInterval, scan: b.subarray(off + 2 + len, end) };
    }
    off += 2 + len;
  }
  return 'no SOS';
}

function readSof(body: Uint8Array): Omit<ParsedJpeg, 'tables' | 'restartInterval' | 'scan'> | string {
  if (body.length < 15 || body[5] !== 3) return 'not a 3-component image';
  const height = (body[1]! << 8) | body[2]!;
  const width = (body[3]! << 8) | body[4]!;
  if (width === 0 || height === 0 || width > 2040 || height > 2040) return `a ${width}x${height} image (RFC 2435: up to 2040x2040)`;
  const luma = body[7]!;
  if (body[10] !== 0x11 || body[13] !== 0x11) return 'chroma subsampled other than 1x1 per MCU';
  if (luma !== 0x21 && luma !== 0x22) return 'sampling other than 4:2:2 or 4:2:0';
  return { type: luma === 0x22 ? 1 : 0, width, height };
}
