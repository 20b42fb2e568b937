// Seeded PRNG and byte mutators for the RTP fuzz loops, so a failing seed reproduces.
import { prng } from '../helpers/prng.js';

export { prng };


export function randInt(rnd: () => number, n: number): number {
  return Math.floor(rnd() * n);
}

export function randomBytes(rnd: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = randInt(rnd, 256);
  return b;
}

/** Flips, overwrites, truncates or extends a copy of `src`. */
export function mutate(rnd: () => number, src: Uint8Array): Uint8Array {
  let b = src.slice();
  const ops = 1 + randInt(rnd, 4);
  for (let k = 0; k < ops; k++) {
    const op = randInt(rnd, 4);
    if (op === 0 && b.length > 0) b[randInt(rnd, b.length)] ^= 1 << randInt(rnd, 8);
    else if (op === 1 && b.length > 0) b[randInt(rnd, b.length)] = randInt(rnd, 256);
    else if (op === 2) b = b.subarray(0, randInt(rnd, b.length + 1));
    else {
      const ext = new Uint8Array(b.length + 1 + randInt(rnd, 8));
      ext.set(b);
      ext.set(randomBytes(rnd, ext.length - b.length), b.length);
      b = ext;
    }
  }
  return b;
}

/** A NAL-like buffer: header byte(s) then a recognisable pattern, so corruption shows. */
export function patterned(header: number[], size: number, salt = 0): Uint8Array {
  const b = new Uint8Array(size);
  b.set(header);
  for (let i = header.length; i < size; i++) b[i] = (i * 31 + salt * 7 + 1) & 0xff;
  return b;
}

/** Wraps payloads of one access unit as depacketizer input: consecutive seqs, marker on the last. */
export function asPackets(payloads: Uint8Array[], timestamp: number, firstSeq: number) {
  return payloads.map((payload, i) => ({
    payload,
    timestamp,
    sequenceNumber: (firstSeq + i) & 0xffff,
    marker: i === payloads.length - 1,
  }));
}
