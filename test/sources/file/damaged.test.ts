// Damaged files: each is refused with its reason (never a hang or a crash), remembered per version, and demuxed again once fixed.
import { copyFileSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMediaFile, type LoadOptions, type MediaFile } from '../../../server/sources/file/demux.js';
import { MediaFileCache } from '../../../server/sources/file/file-cache.js';
import { writeDamagedFiles } from '../../helpers/damaged-media.js';
import { MEDIA_DIR } from '../../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'tidecast-damaged-'));
const files = writeDamagedFiles(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A short stall limit and a small heap, so the demuxer traps end in about a second. */
const QUICK: LoadOptions = { stallMs: 500, heapMb: 64 };

function counting(opts: LoadOptions = QUICK) {
  const calls: string[] = [];
  const load = (path: string, o: LoadOptions): Promise<MediaFile> => {
    calls.push(path);
    return loadMediaFile(path, { ...o, ...opts });
  };
  return { calls, load };
}

describe('damaged media files', () => {
  it.each(files.map((f) => [f.name, f] as const))('%s is refused with its reason', async (_name, f) => {
    const err = await loadMediaFile(join(dir, f.name), QUICK).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(f.reason);
  });

  it('regression: a Matroska file cut at 130 bytes (an endless loop in the demuxer) is stopped, and the next file still loads', async () => {
    // Before the demux ran in a worker, this input spun the server's event loop forever.
    await expect(loadMediaFile(join(dir, 'cut-130.mkv'), { stallMs: 500 })).rejects.toThrow(/made no progress for 0.5 s and was stopped; the file is damaged/);
    const ok = await loadMediaFile(join(MEDIA_DIR, 'sample.mkv'));
    expect(ok.units[0]).toHaveLength(600);
  });

  it('regression: an MP4 with 2^31 decode-time entries (an allocation spiral) is stopped at the heap limit', async () => {
    await expect(loadMediaFile(join(dir, 'stts-huge.mp4'), { heapMb: 64 })).rejects.toThrow(/needed more than 64 MB of memory and was stopped/);
  });

  it('remembers a failure per file version: not demuxed again until the file changes', async () => {
    const path = join(dir, 'fixed-later.mp4');
    writeFileSync(path, files.find((f) => f.name === 'cut-at-half.mp4')!.bytes);
    const { calls, load } = counting();
    const cache = new MediaFileCache({ maxBytes: 50_000_000, load });
    const first = await cache.get(path).catch((e: Error) => e);
    expect(String(first)).toMatch(/truncated/);
    for (let i = 0; i < 5; i++) await expect(cache.get(path)).rejects.toBe(first);
    expect(calls).toHaveLength(1);
    expect(cache.stats).toEqual({ demuxes: 1, failed: 1, remembered: 5 });

    // Fixed: the whole file copied over it (new size and mtime), then it plays.
    copyFileSync(join(MEDIA_DIR, 'sample.mp4'), path);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    const fixed = await cache.get(path);
    expect(fixed.duration).toBeCloseTo(20, 0);
    expect(calls).toHaveLength(2);
    expect(cache.stats).toEqual({ demuxes: 2, failed: 1, remembered: 5 });
  });

  it('concurrent readers of a damaged file share one demux', async () => {
    const { calls, load } = counting();
    const cache = new MediaFileCache({ maxBytes: 50_000_000, load });
    const path = join(dir, 'garbage.mkv');
    const errors = await Promise.all([1, 2, 3].map(() => cache.get(path).catch((e: Error) => e)));
    expect(calls).toHaveLength(1);
    expect(errors[1]).toBe(errors[0]);
    expect(errors[2]).toBe(errors[0]);
  });
});
