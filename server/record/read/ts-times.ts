// The media span of an MPEG-TS segment: the earliest PES PTS near its start and the latest near its end (ISO 13818-1
// 2.4.3.6), of the video stream when there is one, else of the first stream. Reads only the head and the tail.
import { open } from 'node:fs/promises';

const TS = 188;
const HEAD = 512 * TS;
const TAIL = 4096 * TS;
const WRAP = 2 ** 33;

interface Pts {
  pid: number;
  pts: number;
  video: boolean;
}

/** PES starts with a PTS in a run of whole TS packets. */
export function pesTimes(b: Uint8Array): Pts[] {
  const out: Pts[] = [];
  for (let i = 0; i + TS <= b.length; i += TS) {
    if (b[i] !== 0x47 || !(b[i + 1]! & 0x40)) continue;
    const pid = ((b[i + 1]! & 0x1f) << 8) | b[i + 2]!;
    let p = i + 4;
    const afc = (b[i + 3]! >> 4) & 3;
    if (afc === 2 || afc === 0) continue;
    if (afc === 3) p += 1 + b[p]!;
    if (p + 14 > i + TS || b[p] !== 0 || b[p + 1] !== 0 || b[p + 2] !== 1) continue;
    const sid = b[p + 3]!;
    if (sid < 0xc0 || sid > 0xef || !(b[p + 7]! & 0x80)) continue;
    const q = p + 9;
    const pts = (b[q]! & 0x0e) * 2 ** 29 + b[q + 1]! * 2 ** 22 + (b[q + 2]! >> 1) * 2 ** 15 + b[q + 3]! * 2 ** 7 + (b[q + 4]! >> 1);
    out.push({ pid, pts, video: sid >= 0xe0 });
  }
  return out;
}

/** Seconds from the first PTS to the last (plus one frame of that stream), or undefined without timestamps. */
export async function tsDuration(file: string): Promise<{ duration: number; size: number } | undefined> {
  const h = await open(file, 'r');
  try {
    const total = (await h.stat()).size;
    const size = total - (total % TS);
    const read = async (pos: number, len: number): Promise<Uint8Array> => {
      const b = new Uint8Array(Math.max(0, Math.min(len, size - pos)));
      const { bytesRead } = await h.read(b, 0, b.length, pos);
      return b.subarray(0, bytesRead);
    };
    // A small file is read whole; a big one at both ends.
    const whole = size <= HEAD + TAIL;
    const head = pesTimes(await read(0, whole ? size : HEAD));
    const tail = whole ? head : pesTimes(await read(size - TAIL, TAIL));
    const pid = (head.find((t) => t.video) ?? head[0])?.pid;
    if (pid === undefined) return undefined;
    const first = head.find((t) => t.pid === pid)!.pts;
    const last = tail.filter((t) => t.pid === pid);
    if (last.length === 0) return undefined;
    const span = (x: number): number => (x - first + WRAP) % WRAP;
    const steps = last.map((t) => span(t.pts)).sort((a, b) => a - b);
    const frame = steps.length > 1 ? steps[steps.length - 1]! - steps[steps.length - 2]! : 0;
    return { duration: (steps[steps.length - 1]! + frame) / 90000, size };
  } finally {
    await h.close();
  }
}
