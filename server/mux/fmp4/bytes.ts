// A growable big-endian byte writer with nested ISO BMFF boxes (size patched when the box closes).

export class BoxWriter {
  private buf: Uint8Array;
  private view: DataView;
  pos = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.room(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.pos, v & 0xffff);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    return this.u8(v >>> 16).u16(v & 0xffff);
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.room(4);
    this.view.setInt32(this.pos, v | 0);
    this.pos += 4;
    return this;
  }

  /** 64-bit unsigned from a non-negative safe integer (decode times outgrow 32 bits after ~13 h at 90 kHz). */
  u64(v: number): this {
    return this.u32(Math.floor(v / 0x100000000)).u32(v % 0x100000000);
  }

  bytes(b: Uint8Array): this {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Four ASCII characters (box types, brands, handler types). */
  fourcc(s: string): this {
    for (let i = 0; i < 4; i++) this.u8(s.charCodeAt(i));
    return this;
  }

  /** A box: size placeholder, type, body written by `fn`, then the size patched in. */
  box(type: string, fn: (w: this) => void): this {
    const start = this.pos;
    this.u32(0).fourcc(type);
    fn(this);
    this.view.setUint32(start, this.pos - start);
    return this;
  }

  /** A full box: box + version and 24-bit flags. */
  fullBox(type: string, version: number, flags: number, fn: (w: this) => void): this {
    return this.box(type, (w) => {
      w.u8(version).u24(flags);
      fn(w);
    });
  }

  /** Overwrites a u32 already written (data offsets known only once the moof is complete). */
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
