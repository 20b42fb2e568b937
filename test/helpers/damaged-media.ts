// Damaged media files made from the bundled clips (truncated, garbage, empty, a broken moov, a demuxer trap) with the 415 reason each must give.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MEDIA_DIR } from './server.js';
import { prng } from './prng.js';

export interface DamagedFile {
  name: string;
  /** What the 415 reason must say. */
  reason: RegExp;
  bytes: Uint8Array;
}

/** The offset of a box's type in an MP4 (its size is the 4 bytes before). */
function boxAt(b: Uint8Array, type: string): number {
  const at = Buffer.from(b.buffer, b.byteOffset, b.byteLength).indexOf(type, 0, 'latin1');
  if (at < 4) throw new Error(`no ${type} box in the sample`);
  return at;
}

function edited(src: Uint8Array, edit: (b: DataView, raw: Uint8Array) => void): Uint8Array {
  const b = src.slice();
  edit(new DataView(b.buffer), b);
  return b;
}

function garbage(n: number, seed: number): Uint8Array {
  const rnd = prng(seed);
  return Uint8Array.from({ length: n }, () => Math.floor(rnd() * 256));
}

const TRUNCATED = /truncated or damaged/;

/** Every damaged file of the fault tests (sample.mp4 is faststart: ftyp, moov at byte 32, then mdat). */
export function damagedFiles(): DamagedFile[] {
  const mp4 = new Uint8Array(readFileSync(join(MEDIA_DIR, 'sample.mp4')));
  const mkv = new Uint8Array(readFileSync(join(MEDIA_DIR, 'sample.mkv')));
  const moov = boxAt(mp4, 'moov');
  const stts = boxAt(mp4, 'stts');
  const stco = boxAt(mp4, 'stco');
  return [
    { name: 'empty.mp4', reason: /not a media file that can be read/, bytes: new Uint8Array(0) },
    // Cut inside the moov: no track survives.
    { name: 'cut-in-moov.mp4', reason: /no tracks found; the file is truncated or damaged/, bytes: mp4.subarray(0, 2000) },
    // Cut in the media data: the index promises 20 s, the frames stop early.
    { name: 'cut-at-30k.mp4', reason: TRUNCATED, bytes: mp4.subarray(0, 30_000) },
    { name: 'cut-at-half.mp4', reason: TRUNCATED, bytes: mp4.subarray(0, mp4.length >> 1) },
    { name: 'cut-at-85pc.mp4', reason: TRUNCATED, bytes: mp4.subarray(0, Math.floor(mp4.length * 0.85)) },
    { name: 'garbage.mp4', reason: /not a media file that can be read/, bytes: garbage(65536, 1) },
    { name: 'garbage.mkv', reason: /not a media file that can be read/, bytes: garbage(65536, 2) },
    { name: 'garbage.ts', reason: /not a media file that can be read/, bytes: garbage(65536, 3) },
    // A box size past the end of the file: the moov is never read.
    { name: 'moov-size.mp4', reason: /no tracks found/, bytes: edited(mp4, (v) => v.setUint32(moov - 4, 0x7fffffff)) },
    // Every chunk offset points past the end: the video track has no frame that can be read.
    {
      name: 'chunks-past-end.mp4',
      reason: TRUNCATED,
      bytes: edited(mp4, (v) => {
        const n = v.getUint32(stco + 8);
        for (let k = 0; k < n; k++) v.setUint32(stco + 12 + 4 * k, 0x7ff00000);
      }),
    },
    // 2^31 decode-time entries: the demuxer's tables grow until its worker's heap is spent (or,
    // collecting garbage near the limit, it stops beating first).
    { name: 'stts-huge.mp4', reason: /needed more than \d+ MB of memory|made no progress/, bytes: edited(mp4, (v) => v.setUint32(stts + 12, 0x7fffffff)) },
    // Matroska cut inside its Segment header: mediabunny 1.61's resync never advances past the
    // last 8 bytes of the file, a synchronous endless loop.
    { name: 'cut-130.mkv', reason: /made no progress for [\d.]+ s/, bytes: mkv.subarray(0, 130) },
  ];
}

/** Writes the damaged files into `dir`; returns them. */
export function writeDamagedFiles(dir: string): DamagedFile[] {
  const files = damagedFiles();
  for (const f of files) writeFileSync(join(dir, f.name), f.bytes);
  return files;
}
