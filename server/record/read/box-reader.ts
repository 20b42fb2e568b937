// Synchronous windowed reads of a file for box walking: one read fetches the next 4 KiB, so a fragment's prft, moof and
// mdat header cost one system call, and skipping an mdat costs none. Boxes are walked without their payload. The
// window is small on purpose: a walk of an hour's 3,600 fragments copies 15 MB instead of 240 MB (3-4x faster).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

const WINDOW = 4 * 1024;

export interface BoxHead {
  type: string;
  /** File offset of the box's first byte. */
  start: number;
  /** Offset of the body (after size, type and any 64-bit size). */
  body: number;
  /** Offset just past the box. */
  end: number;
}

export class BoxReader {
  private readonly fd: number;
  readonly size: number;
  readonly mtimeMs: number;
  private window = Buffer.alloc(0);
  private windowAt = 0;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'r');
    const st = fstatSync(this.fd);
    this.size = st.size;
    this.mtimeMs = st.mtimeMs;
  }

  /** `len` bytes at `pos` (fewer at the end of the file); valid until the next call. */
  at(pos: number, len: number): Uint8Array {
    if (pos >= this.windowAt && pos + len <= this.windowAt + this.window.length) {
      return this.window.subarray(pos - this.windowAt, pos - this.windowAt + len);
    }
    const want = Math.min(Math.max(len, WINDOW), Math.max(0, this.size - pos));
    const b = Buffer.allocUnsafe(want);
    const n = want > 0 ? readSync(this.fd, b, 0, want, pos) : 0;
    this.window = b.subarray(0, n);
    this.windowAt = pos;
    return this.window.subarray(0, Math.min(len, n));
  }

  /** The box starting at `pos`, or undefined when none fits in the file there (a cut tail). */
  head(pos: number): BoxHead | undefined {
    const h = this.at(pos, 16);
    if (h.length < 8) return undefined;
    const v = new DataView(h.buffer, h.byteOffset, h.byteLength);
    let size = v.getUint32(0);
    let body = pos + 8;
    if (size === 1) {
      if (h.length < 16) return undefined;
      size = Number(v.getBigUint64(8));
      body = pos + 16;
    } else if (size === 0) {
      size = this.size - pos;
    }
    if (size < body - pos || pos + size > this.size) return undefined;
    const type = String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!);
    return { type, start: pos, body, end: pos + size };
  }

  /** A copy of a box's body. */
  body(b: BoxHead): Uint8Array {
    return Uint8Array.from(this.at(b.body, b.end - b.body));
  }

  close(): void {
    closeSync(this.fd);
  }
}
