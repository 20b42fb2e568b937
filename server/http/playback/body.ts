// Sends bytes [start, end) of a body made of an in-memory head and stretches of files, in reads of at most CHUNK
// bytes, waiting for 'drain' whenever the socket's buffer is full: memory per response stays one chunk or two,
// whatever the clip's length.
import { open, type FileHandle } from 'node:fs/promises';
import type { Response } from 'express';
import type { ClipPiece } from '../../record/read/clip-mp4.js';
import type { ByteCount } from '../progressive/register.js';

const CHUNK = 512 * 1024;

/** Resolves on 'drain' or 'close', whichever comes first. */
export function drained(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Body offsets where each piece starts (the head before them). */
export function pieceStarts(headLength: number, pieces: ClipPiece[]): number[] {
  const out: number[] = [];
  let at = headLength;
  for (const p of pieces) {
    out.push(at);
    at += p.size;
  }
  return out;
}

/** The last piece starting at or before `pos`. */
function pieceAt(starts: number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

async function write(res: Response, b: Uint8Array, count: ByteCount): Promise<void> {
  count.bytes += b.length;
  if (!res.write(b)) await drained(res);
}

/**
 * Writes body bytes [start, end) and ends the response. A file that shrank or vanished meanwhile cuts the response
 * (its length was promised: a short answer must not look complete).
 */
export async function sendBody(res: Response, head: Uint8Array, pieces: ClipPiece[], start: number, end: number, count: ByteCount): Promise<void> {
  const handles = new Map<string, FileHandle>();
  try {
    let pos = start;
    if (pos < head.length) {
      await write(res, head.subarray(pos, Math.min(end, head.length)), count);
      pos = Math.min(end, head.length);
    }
    const starts = pieceStarts(head.length, pieces);
    for (let i = pieceAt(starts, pos); pos < end && i < pieces.length && !res.destroyed; i++) {
      const p = pieces[i]!;
      let h = handles.get(p.file);
      if (!h) handles.set(p.file, (h = await open(p.file, 'r')));
      const pieceEnd = Math.min(end, starts[i]! + p.size);
      while (pos < pieceEnd && !res.destroyed) {
        const n = Math.min(CHUNK, pieceEnd - pos);
        const buf = Buffer.allocUnsafe(n);
        const { bytesRead } = await h.read(buf, 0, n, p.offset + (pos - starts[i]!));
        if (bytesRead < n) throw new Error(`${p.file} is shorter than when the clip was laid out`);
        await write(res, buf, count);
        pos += n;
      }
    }
    if (!res.destroyed) res.end();
  } catch {
    res.destroy();
  } finally {
    await Promise.all([...handles.values()].map((h) => h.close().catch(() => undefined)));
  }
}
