// One segment file on disk: created with its directories, appended part by part, each part written and
// fdatasync'ed before the next, so a crash loses at most the part being written. Never throws: a failure
// is reported once through `onError` and the file takes no more writes.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Bytes waiting for the disk past which parts are dropped (a disk slower than the stream). */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

export class SegmentFile {
  private handle: Promise<FileHandle | undefined>;
  private chain: Promise<unknown>;
  private pending = 0;
  failed = false;
  /** Bytes that reached the disk. */
  written = 0;

  constructor(
    readonly file: string,
    private readonly onError: (reason: string, err: unknown) => void,
  ) {
    this.handle = mkdir(dirname(file), { recursive: true })
      .then(() => open(file, 'wx'))
      .catch((e: unknown) => {
        this.fail('open', e);
        return undefined;
      });
    this.chain = this.handle;
  }

  /** Appends one part (several buffers written together) and syncs it. */
  append(parts: Uint8Array[]): void {
    if (this.failed) return;
    const size = parts.reduce((n, p) => n + p.length, 0);
    if (this.pending + size > MAX_PENDING_BYTES) {
      this.fail('backlog', new Error(`${this.pending} bytes still waiting for the disk`));
      return;
    }
    this.pending += size;
    this.chain = this.chain.then(async () => {
      const h = await this.handle;
      if (!h || this.failed) return;
      try {
        await h.writev(parts);
        await h.datasync();
        this.written += size;
      } catch (e) {
        this.fail('write', e);
      } finally {
        this.pending -= size;
      }
    });
  }

  /** Waits for every part, then closes the file. */
  async close(): Promise<void> {
    await this.chain;
    const h = await this.handle;
    await h?.close().catch(() => undefined);
  }

  private fail(stage: string, e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    const code = (e as NodeJS.ErrnoException).code;
    this.onError(code ? code.toLowerCase() : stage, e);
  }
}
