// MediaFileCache: one shared load per file version, mtime invalidation, LRU byte bound.
import { copyFileSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMediaFile, type LoadOptions, type MediaFile } from '../../../server/sources/file/demux.js';
import { MediaFileCache } from '../../../server/sources/file/file-cache.js';

const MEDIA = join(import.meta.dirname, '../../../media');
const dir = mkdtempSync(join(tmpdir(), 'tidecast-cache-'));

function counting(bytesOf?: (path: string) => number) {
  const calls: string[] = [];
  const load = async (path: string, opts: LoadOptions): Promise<MediaFile> => {
    calls.push(path);
    if (!bytesOf) return loadMediaFile(path, opts);
    await new Promise((r) => setTimeout(r, 5));
    return { path, tracks: [], units: [], duration: 0, bytes: bytesOf(path), startTime: 0 };
  };
  return { calls, load };
}

function tmpFile(name: string, content = 'x'): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('MediaFileCache', () => {
  it('demuxes a file once for concurrent and later readers', async () => {
    const path = join(dir, 'shared.mp4');
    copyFileSync(join(MEDIA, 'sample.mp4'), path);
    const { calls, load } = counting();
    const cache = new MediaFileCache({ maxBytes: 50_000_000, load });
    const files = await Promise.all([cache.get(path), cache.get(path), cache.get(path)]);
    expect(calls).toHaveLength(1);
    expect(files[1]).toBe(files[0]);
    expect(files[2]).toBe(files[0]);
    expect(await cache.get(path)).toBe(files[0]);
    expect(calls).toHaveLength(1);
    expect(cache.bytes).toBe(files[0]!.bytes);
  });

  it('reloads when the mtime changes', async () => {
    const path = join(dir, 'changing.mp4');
    copyFileSync(join(MEDIA, 'sample.mp4'), path);
    const { calls, load } = counting();
    const cache = new MediaFileCache({ maxBytes: 50_000_000, load });
    const a = await cache.get(path);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path, later, later);
    const b = await cache.get(path);
    expect(calls).toHaveLength(2);
    expect(b === a).toBe(false); // not .not.toBe: vitest formats both 1 MB objects
    expect(cache.bytes).toBe(b.bytes);
    expect(cache.size).toBe(1);
  });

  it('evicts the least recently used file beyond maxBytes', async () => {
    const [p1, p2, p3] = ['a', 'b', 'c'].map((n) => tmpFile(`${n}.bin`)) as [string, string, string];
    const { calls, load } = counting(() => 40);
    const cache = new MediaFileCache({ maxBytes: 100, load });
    const f1 = await cache.get(p1);
    await cache.get(p2);
    await cache.get(p1); // p1 is now the most recent
    await cache.get(p3); // 120 > 100: evict p2
    expect(cache.bytes).toBe(80);
    expect(calls).toHaveLength(3);
    expect(await cache.get(p1)).toBe(f1);
    expect(calls).toHaveLength(3);
    await cache.get(p2);
    expect(calls).toHaveLength(4); // p2 was reloaded
    expect(cache.bytes).toBeLessThanOrEqual(100);
  });

  it('rejects a file larger than maxBytes and does not keep it', async () => {
    const p = tmpFile('big.bin');
    const { calls, load } = counting(() => 1000);
    const cache = new MediaFileCache({ maxBytes: 100, load });
    await expect(cache.get(p)).rejects.toThrow(/exceed the file cache limit of 100 bytes/);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
    await expect(cache.get(p)).rejects.toThrow();
    expect(calls).toHaveLength(1); // the failure is remembered until the file changes
  });

  it('rejects a real file over the limit during demux', async () => {
    const cache = new MediaFileCache({ maxBytes: 10_000 });
    await expect(cache.get(join(MEDIA, 'sample.mkv'))).rejects.toThrow(/exceed/);
  });

  it('fails clearly for a missing file', async () => {
    const cache = new MediaFileCache({ maxBytes: 100 });
    await expect(cache.get(join(dir, 'missing.mp4'))).rejects.toThrow(/ENOENT/);
  });
});
