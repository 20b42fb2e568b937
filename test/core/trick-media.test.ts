// Trick play views (Scale): key frames only, retimed forward or reversed, and the mapping between view and source times.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trickMedia } from '../../server/core/trick-media.js';
import { loadMediaFile } from '../../server/sources/file/demux.js';

// sample.mp4: 20 s, H.264 with a key frame every 2 s (90 kHz), AAC.
const file = await loadMediaFile(join(import.meta.dirname, '../../media/sample.mp4'));
const keys = file.units[0]!.filter((u) => u.key).map((u) => u.pts / 90_000);

const cases: { scale: number; firstPts: number; step: number; sourceAt: number; view: number }[] = [
  { scale: 2, firstPts: 0, step: 1, sourceAt: 5, view: 2 },
  { scale: 4, firstPts: 0, step: 0.5, sourceAt: 9.9, view: 2 },
  { scale: 0.5, firstPts: 0, step: 4, sourceAt: 2, view: 4 },
  // Reverse: the last key frame first; a source time maps to the key frame at or before it.
  { scale: -1, firstPts: file.duration - keys[keys.length - 1]!, step: 2, sourceAt: 5, view: file.duration - 4 },
  { scale: -2, firstPts: (file.duration - keys[keys.length - 1]!) / 2, step: 1, sourceAt: 19.99, view: (file.duration - 18) / 2 },
];

describe('trickMedia', () => {
  it.each(cases)('Scale $scale: key frames only, $step s apart, source $sourceAt s at view $view s', ({ scale, firstPts, step, sourceAt, view }) => {
    const t = trickMedia(file, scale)!;
    const units = t.media.units[0]!;
    expect(units).toHaveLength(keys.length);
    expect(units.every((u) => u.key && u.dts === u.pts)).toBe(true);
    expect(units[0]!.pts / 90_000).toBeCloseTo(firstPts, 3);
    expect((units[1]!.pts - units[0]!.pts) / 90_000).toBeCloseTo(step, 3);
    expect(t.media.units[1]).toEqual([]);
    expect(t.toView(sourceAt)).toBeCloseTo(view, 3);
    expect(t.toSource(t.toView(sourceAt))).toBeCloseTo(Math.floor(sourceAt / 2) * 2, 2);
    // Reverse sends the later key frame first: data of the last key frame leads.
    expect(units[0]!.data).toBe(file.units[0]!.filter((u) => u.key)[scale > 0 ? 0 : keys.length - 1]!.data);
  });

  it('has no view without video', () => {
    const audio = { ...file, tracks: [file.tracks[1]!].map((t) => ({ ...t, id: 0 })), units: [file.units[1]!] };
    expect(trickMedia(audio, 2)).toBeUndefined();
  });
});
