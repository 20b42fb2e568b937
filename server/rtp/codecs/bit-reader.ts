// MSB-first bit reader for codec headers (VP9 uncompressed header, AV1 sequence header): throws past the end.

export class BitReader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  /** Reads n <= 32 bits as an unsigned number; throws when the buffer ends first. */
  u(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++, this.pos++) {
      const byte = this.b[this.pos >>> 3];
      if (byte === undefined) throw new Error('header truncated');
      v = v * 2 + ((byte >>> (7 - (this.pos & 7))) & 1);
    }
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  /** AV1 §4.10.3 uvlc(). */
  uvlc(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros >= 32) throw new Error('uvlc code too long');
    return zeros === 0 ? 0 : this.u(zeros) + 2 ** zeros - 1;
  }
}
