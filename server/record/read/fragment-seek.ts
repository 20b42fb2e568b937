// Finding fragments by their shape instead of walking every box from the start: a fragment begins with the recorder's
// 32-byte prft box followed by a moof. A match is only a candidate; callers confirm it by walking on from there
// (a walk that reaches the end of the file, or a moof followed by its mdat).
import type { BoxReader } from './box-reader.js';

/** Bytes scanned per read when looking for a fragment start. */
const CHUNK = 512 * 1024;
const FRAGMENT_TYPES = new Set(['prft', 'moof', 'mdat']);

function isPrftAt(b: Uint8Array, i: number): boolean {
  return b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 0 && b[i + 3] === 32 && b[i + 4] === 0x70 && b[i + 5] === 0x72 && b[i + 6] === 0x66 && b[i + 7] === 0x74;
}

/** A prft + moof + mdat chain starting at `pos`. */
function fragmentAt(r: BoxReader, pos: number): boolean {
  const moof = r.head(pos + 32);
  if (moof?.type !== 'moof') return false;
  return r.head(moof.end)?.type === 'mdat';
}

/** The last fragment start within `tail` bytes of the end, not before `from`. */
export function lastFragmentNear(r: BoxReader, from: number, tail: number): number | undefined {
  const start = Math.max(from, r.size - tail);
  const b = r.at(start, r.size - start).slice();
  for (let i = b.length - 40; i >= 0; i--) {
    if (!isPrftAt(b, i)) continue;
    if (r.head(start + i + 32)?.type === 'moof') return start + i;
  }
  return undefined;
}

/** The first complete fragment starting at or after `pos`, looking at most `limit` bytes ahead. */
export function nextFragment(r: BoxReader, pos: number, limit: number): number | undefined {
  for (let at = pos; at < Math.min(r.size, pos + limit); at += CHUNK - 40) {
    const b = r.at(at, CHUNK).slice();
    for (let i = 0; i + 40 <= b.length; i++) if (isPrftAt(b, i) && fragmentAt(r, at + i)) return at + i;
  }
  return undefined;
}

/** True when a walk that stopped at `pos` reached the end of the file or a fragment box cut short. */
export function walkReachedEnd(r: BoxReader, pos: number): boolean {
  if (r.size - pos < 8) return true;
  const h = r.at(pos, 8);
  const size = ((h[0]! << 24) >>> 0) + (h[1]! << 16) + (h[2]! << 8) + h[3]!;
  const type = String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!);
  return FRAGMENT_TYPES.has(type) && (size > r.size - pos || type === 'moof');
}
