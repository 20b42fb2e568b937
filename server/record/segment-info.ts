// What a segment file says about itself: its wall-clock start (the first prft) and its media duration (the last
// complete fragment's end), read from the boxes; a file cut short by a crash ends at its last complete fragment.
// Reading the times from the file itself (not a sidecar index) keeps one source of truth that survives kill -9.
import { open, type FileHandle } from 'node:fs/promises';
import { readPrft, type Prft } from './prft.js';
import { childBoxes } from './fragment-times.js';

export interface SegmentInfo {
  /** Unix ms of the first fragment. */
  startMs: number;
  /** Seconds of media up to the end of the last complete fragment. */
  duration: number;
  /** Bytes up to the end of the last complete box (a partial tail is not counted as media). */
  size: number;
}

async function read(h: FileHandle, pos: number, len: number): Promise<Uint8Array> {
  const b = new Uint8Array(len);
  const { bytesRead } = await h.read(b, 0, len, pos);
  return b.subarray(0, bytesRead);
}

const u32 = (b: Uint8Array, i: number): number => ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
const type = (b: Uint8Array, i: number): string => String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
const children = childBoxes;

/** track_ID to timescale, from the moov. */
function timescales(moov: Uint8Array): Map<number, number> {
  const out = new Map<number, number>();
  for (const [t, trak] of children(moov)) {
    if (t !== 'trak') continue;
    let id = 0;
    let scale = 0;
    for (const [c, body] of children(trak)) {
      if (c === 'tkhd') id = body[0] === 1 ? u32(body, 20) : u32(body, 12);
      if (c === 'mdia') for (const [m, mb] of children(body)) if (m === 'mdhd') scale = mb[0] === 1 ? u32(mb, 20) : u32(mb, 12);
    }
    if (id && scale) out.set(id, scale);
  }
  return out;
}

/** The end (tfdt + sample durations) of `trackId`'s run in a moof, in its timescale. */
function fragmentEnd(moof: Uint8Array, trackId: number): number | undefined {
  for (const [t, traf] of children(moof)) {
    if (t !== 'traf') continue;
    let id = -1;
    let base = 0;
    let sum = 0;
    for (const [c, b] of children(traf)) {
      if (c === 'tfhd') id = u32(b, 4);
      else if (c === 'tfdt') base = b[0] === 1 ? u32(b, 4) * 2 ** 32 + u32(b, 8) : u32(b, 4);
      else if (c === 'trun') sum += trunDuration(b);
    }
    if (id === trackId) return base + sum;
  }
  return undefined;
}

/** Sum of sample durations of a trun that carries them per sample (the recorder's do). */
function trunDuration(b: Uint8Array): number {
  const flags = u32(b, 0) & 0xffffff;
  const count = u32(b, 4);
  let i = 8 + (flags & 1 ? 4 : 0) + (flags & 4 ? 4 : 0);
  const per = [0x100, 0x200, 0x400, 0x800].filter((f) => flags & f).length * 4;
  if (!(flags & 0x100)) return 0;
  let sum = 0;
  for (let n = 0; n < count && i + 4 <= b.length; n++, i += per) sum += u32(b, i);
  return sum;
}

/** The segment's start, duration and size, or undefined when it holds no complete fragment. */
export async function segmentInfo(file: string): Promise<SegmentInfo | undefined> {
  const h = await open(file, 'r');
  try {
    const total = (await h.stat()).size;
    let scales = new Map<number, number>();
    let first: Prft | undefined;
    let last: Prft | undefined;
    let lastMoof: [number, number] | undefined;
    let end = 0;
    for (let pos = 0; pos + 8 <= total; ) {
      const head = await read(h, pos, 8);
      const size = u32(head, 0);
      const t = type(head, 4);
      if (size < 8 || pos + size > total) break;
      if (t === 'moov') scales = timescales(await read(h, pos + 8, size - 8));
      else if (t === 'prft') last = readPrft(await read(h, pos + 8, size - 8)) ?? last;
      else if (t === 'moof') lastMoof = [pos + 8, size - 8];
      if (t === 'mdat' && last) first ??= last;
      if (t === 'mdat') end = pos + size;
      pos += size;
    }
    if (!first || !last || !lastMoof) return undefined;
    const scale = scales.get(last.trackId) ?? 90000;
    const endTime = fragmentEnd(await read(h, lastMoof[0], lastMoof[1]), last.trackId) ?? last.mediaTime;
    const endMs = last.wallMs + ((endTime - last.mediaTime) / scale) * 1000;
    return { startMs: first.wallMs, duration: Math.max(0, (endMs - first.wallMs) / 1000), size: end };
  } finally {
    await h.close();
  }
}
