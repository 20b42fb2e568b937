// The player's recordings time line, its pure parts: the instant a click on the bar stands for, and the page query that plays it.
import { describe, expect, it } from 'vitest';
import { instantAt, playbackSearch } from '../../player/src/recordings-bar.js';

const spans = [
  { start: 1000_000, end: 1010_000 },
  { start: 1020_000, end: 1030_000 },
];

describe('instantAt', () => {
  const cases: [string, number, number][] = [
    ['the start of the bar', 0, 1000_000],
    ['inside the first span', 0.25, 1007_500],
    ['in the gap: the next span starts', 0.4, 1020_000],
    ['inside the second span', 0.8, 1024_000],
    ['past the end: the last span starts', 1.5, 1020_000],
    ['before the bar: clamped to its start', -1, 1000_000],
  ];
  for (const [name, fraction, want] of cases) it(name, () => expect(instantAt(spans, fraction)).toBe(want));
});

describe('playbackSearch', () => {
  it('sets the hls mode and the start, keeps the path and drops an old duration', () => {
    const q = new URLSearchParams(playbackSearch('?src=cams%2Fdoor&mode=ws&duration=5&audio=fr', Date.UTC(2026, 11, 3, 22, 10)));
    expect(Object.fromEntries(q)).toEqual({ src: 'cams/door', mode: 'hls', start: '2026-12-03T22:10:00.000Z', audio: 'fr' });
  });
});
