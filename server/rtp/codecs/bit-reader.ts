// MSB-first bit reader for codec headers (H.264/H.265 SPS, VP9 uncompressed header, AV1 sequence
// header, LATM StreamMuxConfig): throws past the end.

export class BitReader {
  /** The next bit to read; readers that look ahead set it back. */
  pos = 0;

  constructor(
    private readonly b: Uint8Array,
    /** Names what is read in the truncation error. */
    private readonly what = 'header',
  ) {}

  /** Bits left to read. */
  get left(): number {
    return this.b.length * 8 - this.pos;
  }

  /** Reads n <= 32 bits as an unsigned number; throws when the buffer ends first. */
  u(n: number): number {
    if (n > this.left) throw new Error(`${this.what} truncated`);
    let v = 0;
    for (let i = 0; i < n; i++, this.pos++) v = v * 2 + ((this.b[this.pos >>> 3]! >>> (7 - (this.pos & 7))) & 1);
    return v;
  }

  flag(): boolean {
    return this.u(1) === 1;
  }

  skip(n: number): void {
    this.pos += n;
  }

  /** Unsigned Exp-Golomb, H.264 §9.1 ue(v). */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros > 31) throw new Error(`${this.what}: Exp-Golomb code too long`);
    return 2 ** zeros - 1 + (zeros === 0 ? 0 : this.u(zeros));
  }

  /** Signed Exp-Golomb, H.264 §9.1.1 se(v). */
  se(): number {
    const k = this.ue();
    return k & 1 ? (k + 1) / 2 : -k / 2;
  }

  /** AV1 §4.10.3 uvlc(). */
  uvlc(): number {
    let zeros = 0;
    while (this.u(1) === 0) if (++zeros >= 32) throw new Error('uvlc code too long');
    return zeros === 0 ? 0 : this.u(zeros) + 2 ** zeros - 1;
  }
}
