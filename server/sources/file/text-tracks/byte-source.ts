// Random access to a file's bytes for the text-track readers: an in-memory buffer (tests) or a file read through one bounded window.
import { open, type FileHandle } from 'node:fs/promises';

export interface ByteSource {
  /** Bytes in the whole source. */
  readonly size: number;
  /** Up to `length` bytes from `offset` (fewer at the end, none past it). Never throws for an offset out of range. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** A source over bytes already in memory. */
export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.byteLength,
    read: async (offset, length) => {
      if (!(offset >= 0) || offset >= bytes.byteLength || !(length > 0)) return new Uint8Array(0);
      return bytes.subarray(offset, Math.min(bytes.byteLength, offset + length));
    },
  };
}

/** Bytes read from disk per window: sequential scans cost one read per window, not one per element. */
const WINDOW = 1 << 20;
/** The longest single read (a whole moov box); longer asks are cut to it. */
export const MAX_READ = 64 << 20;

/** A source over an open file; `close()` when done. */
export async function fileSource(path: string): Promise<ByteSource & { close(): Promise<void> }> {
  const fh: FileHandle = await open(path, 'r');
  const size = (await fh.stat()).size;
  let winStart = 0;
  let win: Uint8Array = new Uint8Array(0);
  const readAt = async (offset: number, length: number): Promise<Uint8Array> => {
    const buf = new Uint8Array(length);
    const { bytesRead } = await fh.read(buf, 0, length, offset);
    return buf.subarray(0, bytesRead);
  };
  return {
    size,
    async read(offset, length) {
      if (!(offset >= 0) || offset >= size || !(length > 0)) return new Uint8Array(0);
      const len = Math.min(length, MAX_READ, size - offset);
      if (offset >= winStart && offset + len <= winStart + win.byteLength) return win.subarray(offset - winStart, offset - winStart + len);
      if (len > WINDOW) return readAt(offset, len);
      winStart = offset;
      win = await readAt(offset, Math.min(WINDOW, size - offset));
      return win.subarray(0, len);
    },
    close: () => fh.close(),
  };
}
