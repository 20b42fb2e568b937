// Files that could not be demuxed, remembered per version (path, mtime, size) so a bad file is not demuxed again on every request.

interface Failure {
  mtimeMs: number;
  size: number;
  error: Error;
}

/** Bounded (least recently failed first out): a directory of thousands of bad files costs at most `max` entries. */
export class FailedLoads {
  private readonly entries = new Map<string, Failure>();

  constructor(private readonly max = 1024) {}

  get size(): number {
    return this.entries.size;
  }

  /** The error of this version of the file, if it failed before; a changed file (fixed, replaced) is forgotten. */
  get(path: string, mtimeMs: number, size: number): Error | undefined {
    const f = this.entries.get(path);
    if (!f) return undefined;
    if (f.mtimeMs !== mtimeMs || f.size !== size) {
      this.entries.delete(path);
      return undefined;
    }
    return f.error;
  }

  set(path: string, mtimeMs: number, size: number, error: Error): void {
    this.entries.delete(path);
    this.entries.set(path, { mtimeMs, size, error });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(path: string): void {
    this.entries.delete(path);
  }
}
