// Clips by wall clock from segment files written the recorder's way: the key frame at or before the asked time, exact
// continuity across a cut, the duration bound, gaps and track changes ending a clip, a crash-cut tail, and the bytes.
import { mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildClip, type Clip } from '../../server/record/read/clip.js';
import { indexSegment } from '../../server/record/read/segment-index.js';
import { ClipFiles } from '../../server/record/read/clip-data.js';
import { loadClipMedia } from '../../server/record/read/clip-media.js';
import { AUDIO, units, VIDEO, writeSegment } from '../helpers/recorded-segments.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});
const path = (name: string): string => join((dir ??= mkdtempSync(join(tmpdir(), 'tidecast-clip-'))), name);

const W0 = Date.parse('2026-12-03T22:10:00Z');

/** Two 3 s segments cut at the key frame at 3 s, each file starting near 0.5 s as the recorder writes them. */
function twoSegments(gapSec = 0, second = [VIDEO, AUDIO]): { file: string; startMs: number; duration: number }[] {
  const a = path('a.mp4');
  const b = path('b.mp4');
  writeSegment(a, [VIDEO, AUDIO], units(0, 3), W0, 0.5);
  writeSegment(b, second, units(3, 3).filter((u) => second.some((t) => t.id === u.trackId)), W0 + gapSec * 1000, 0.5 - 3);
  return [
    { file: a, startMs: W0, duration: 3 },
    { file: b, startMs: W0 + (3 + gapSec) * 1000, duration: 3 },
  ];
}

const clipOf = (segments: { file: string; startMs: number; duration: number }[], startMs: number, duration?: number): Promise<Clip | undefined> =>
  buildClip({ segments, startMs, joinGapMs: 1100, ...(duration !== undefined ? { duration } : {}) }, indexSegment);

const frameNumbers = (c: Clip): number[] => c.units[0]!.map((u) => Math.round(u.pts / 3000));

describe('recording clips', () => {
  it('starts at the key frame at or before the time and continues across the cut without a gap or a duplicate', async () => {
    const segs = twoSegments();
    const c = (await clipOf(segs, W0 + 1500, 3))!;
    expect(c.files).toHaveLength(2);
    expect(c.wallStartMs).toBeCloseTo(W0 + 1000, 3);
    expect(c.units[0]![0]!.key).toBe(true);
    expect(frameNumbers(c)).toEqual(Array.from({ length: 90 }, (_, i) => i));
    const audio = c.units[1]!.map((u) => u.pts);
    for (let i = 1; i < audio.length; i++) expect(audio[i]! - audio[i - 1]!).toBeGreaterThan(0);
    expect(c.duration).toBeGreaterThanOrEqual(3 - 1 / 30);
    expect(c.duration).toBeLessThanOrEqual(3 + 1 / 30);
  });

  it('without a duration plays to the end of the span', async () => {
    const c = (await clipOf(twoSegments(), W0))!;
    expect(frameNumbers(c)).toEqual(Array.from({ length: 180 }, (_, i) => i));
  });

  it('a gap longer than the join ends the clip; so does a change of tracks', async () => {
    expect((await clipOf(twoSegments(5), W0))!.files).toHaveLength(1);
    dir && rmSync(dir, { recursive: true, force: true });
    dir = undefined;
    expect((await clipOf(twoSegments(0, [VIDEO]), W0))!.files).toHaveLength(1);
  });

  it('a time after everything recorded gives no clip; a time before the first segment starts at it', async () => {
    const segs = twoSegments();
    expect(await clipOf(segs, W0 + 7000)).toBeUndefined();
    expect((await clipOf(segs, W0 - 60_000, 1))!.wallStartMs).toBeCloseTo(W0, 3);
  });

  it('a file cut short by a crash ends at its last complete fragment', async () => {
    const f = path('crash.mp4');
    const ends = writeSegment(f, [VIDEO, AUDIO], units(0, 4), W0, 0.5);
    truncateSync(f, ends[ends.length - 2]! + 50);
    const ix = (await indexSegment(f))!;
    expect(ix.endSec - ix.startSec).toBeGreaterThan(2);
    expect(ix.endSec - ix.startSec).toBeLessThan(4);
    expect(ix.size).toBe(ends[ends.length - 2]);
  });

  it('reads back the bytes that were recorded, as access units and as a bounded in-memory media', async () => {
    const c = (await clipOf(twoSegments(), W0 + 2500, 2))!;
    const files = new ClipFiles();
    try {
      const aus = await files.accessUnits(c.tracks[0]!, c.units[0]!);
      expect(aus.map((a) => a.data[0]![1])).toEqual(frameNumbers(c).map((n) => (n + 60) & 0xff));
      expect(aus.every((a) => a.data.length === 1 && a.data[0]!.length === 5)).toBe(true);
    } finally {
      await files.close();
    }
    const m = await loadClipMedia(c, 1e9);
    expect(m.tracks.map((t) => t.id)).toEqual([0, 1]);
    expect(m.units[0]).toHaveLength(c.units[0]!.length);
    const small = await loadClipMedia(c, 200);
    expect(small.truncated).toBe(true);
    expect(small.units[0]!.length).toBeLessThan(c.units[0]!.length);
  });
});

describe('clips from a window of a long segment', () => {
  it('read by bisection give the same units as the whole index, and the segment keeps its real start and end', async () => {
    const f = path('long.mp4');
    writeSegment(f, [VIDEO, AUDIO], units(0, 120, 60, 2000), W0, 0.5);
    const segs = [{ file: f, startMs: W0, duration: 120 }];
    const whole = (await buildClip({ segments: segs, startMs: W0 + 61_000, duration: 10, joinGapMs: 1100 }, (file) => indexSegment(file)))!;
    let partialSeen = false;
    const windowed = (await buildClip({ segments: segs, startMs: W0 + 61_000, duration: 10, joinGapMs: 1100 }, async (file, w) => {
      const ix = await indexSegment(file, w, 1);
      partialSeen ||= !!ix?.partial;
      if (ix?.partial) {
        expect(ix.fragments.length).toBeLessThan(100);
        expect(ix.startSec).toBeCloseTo(0.5, 3);
        expect(ix.endSec).toBeCloseTo(120.5, 3);
      }
      return ix;
    }))!;
    expect(partialSeen).toBe(true);
    expect(windowed.wallStartMs).toBe(whole.wallStartMs);
    expect(windowed.units).toEqual(whole.units);
    expect(frameNumbers(windowed)[0]).toBe(0);
    expect(windowed.units[0]).toHaveLength(300);
  });

  it('a window with no key frame before its time falls back to the whole segment', async () => {
    const f = path('sparse.mp4');
    // One key frame at the start only: a window 60 s in holds none.
    writeSegment(f, [VIDEO, AUDIO], units(0, 70, 100_000, 2000), W0, 0.5);
    const segs = [{ file: f, startMs: W0, duration: 70 }];
    const calls: boolean[] = [];
    const c = (await buildClip({ segments: segs, startMs: W0 + 65_000, duration: 2, joinGapMs: 1100 }, async (file, w) => {
      calls.push(w !== undefined);
      return indexSegment(file, w, 1);
    }))!;
    expect(calls).toEqual([true, false]);
    expect(c.wallStartMs).toBeCloseTo(W0, 3);
  });
});
