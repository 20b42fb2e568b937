// The bytes of a clip's units, read from the segment files: contiguous units in one read, video split back into NAL units
// (the recorder wrote them with 4-byte lengths), anything else as the one frame it is.
import { open, type FileHandle } from 'node:fs/promises';
import type { Track } from '../../media/track.js';
import type { AccessUnit } from '../../media/access-unit.js';
import { nalSamples } from '../../mux/fmp4/index.js';
import type { ClipUnit } from './clip.js';

/** One read covers at most this many bytes of consecutive units. */
const MAX_READ = 4 * 1024 * 1024;

/** Length-prefixed NAL units; a length past the end stops the split (a damaged sample gives what it has). */
export function splitLengthPrefixed(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i + 4 <= b.length; ) {
    const n = ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
    i += 4;
    if (n === 0 || i + n > b.length) break;
    out.push(b.subarray(i, i + n));
    i += n;
  }
  return out;
}

/** Opens files on demand and keeps them open until close(). */
export class ClipFiles {
  private readonly handles = new Map<string, Promise<FileHandle>>();

  private handle(file: string): Promise<FileHandle> {
    let h = this.handles.get(file);
    if (!h) this.handles.set(file, (h = open(file, 'r')));
    return h;
  }

  /** The raw bytes of `units` (any order), each a view into a shared read where they are contiguous. */
  async bytes(units: ClipUnit[]): Promise<Uint8Array[]> {
    const out: Uint8Array[] = new Array(units.length);
    for (let i = 0; i < units.length; ) {
      let j = i + 1;
      while (j < units.length && units[j]!.file === units[i]!.file && units[j]!.offset === units[j - 1]!.offset + units[j - 1]!.size && units[j]!.offset + units[j]!.size - units[i]!.offset <= MAX_READ) j++;
      const first = units[i]!;
      const len = units[j - 1]!.offset + units[j - 1]!.size - first.offset;
      const buf = new Uint8Array(len);
      const h = await this.handle(first.file);
      const { bytesRead } = await h.read(buf, 0, len, first.offset);
      for (let k = i; k < j; k++) {
        const u = units[k]!;
        const at = u.offset - first.offset;
        out[k] = buf.subarray(Math.min(at, bytesRead), Math.min(at + u.size, bytesRead));
      }
      i = j;
    }
    return out;
  }

  /** Access units (data split as the track's packetizer wants it). */
  async accessUnits(track: Track, units: ClipUnit[]): Promise<AccessUnit[]> {
    const raw = await this.bytes(units);
    const nal = nalSamples(track);
    return units.map((u, i) => ({ pts: u.pts, dts: u.dts, duration: u.duration, key: u.key, data: nal ? splitLengthPrefixed(raw[i]!) : [raw[i]!] }));
  }

  async close(): Promise<void> {
    const hs = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(hs.map(async (h) => (await h.catch(() => undefined))?.close()));
  }
}
