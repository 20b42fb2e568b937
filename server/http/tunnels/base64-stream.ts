// Incremental base64 decoding for the client->server half of an RTSP-over-HTTP tunnel: split anywhere, padding between requests, line breaks ignored.

const PAD = 64;
const INVALID = 255;
const TABLE = new Uint8Array(256).fill(INVALID);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => (TABLE[c.charCodeAt(0)] = i));
TABLE[0x3d] = PAD; // '='
const SPACE = new Set([0x20, 0x09, 0x0d, 0x0a]);

/**
 * Clients encode each RTSP request on its own (ffmpeg, QuickTime), so `=` padding appears between
 * requests, and TCP splits the text anywhere: decoding goes one 4-character quantum at a time and
 * keeps the partial quantum for the next chunk. Runtime-neutral (no Buffer).
 */
export class Base64StreamDecoder {
  private readonly quad = new Uint8Array(4);
  private n = 0;
  /** Characters consumed so far, for error messages. */
  private offset = 0;

  /** Returns the bytes completed by `chunk`; throws an Error naming the offending character and its offset. */
  push(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(Math.floor((this.n + chunk.length) / 4) * 3);
    let o = 0;
    for (let i = 0; i < chunk.length; i++, this.offset++) {
      const c = chunk[i]!;
      if (SPACE.has(c)) continue;
      const v = TABLE[c]!;
      if (v === INVALID) throw new Error(`byte 0x${c.toString(16).padStart(2, '0')} at offset ${this.offset} is not base64`);
      const q = this.quad;
      q[this.n++] = v;
      if (this.n < 4) continue;
      this.n = 0;
      // '=' may only end a quantum: xx==, xxx=.
      if (q[0] === PAD || q[1] === PAD || (q[2] === PAD && q[3] !== PAD)) {
        throw new Error(`misplaced '=' padding before offset ${this.offset + 1}`);
      }
      out[o++] = (q[0]! << 2) | (q[1]! >> 4);
      if (q[2] === PAD) continue;
      out[o++] = ((q[1]! & 15) << 4) | (q[2]! >> 2);
      if (q[3] === PAD) continue;
      out[o++] = ((q[2]! & 3) << 6) | q[3]!;
    }
    return out.subarray(0, o);
  }

  /** Characters of an incomplete quantum held for the next chunk. */
  get pending(): number {
    return this.n;
  }
}
