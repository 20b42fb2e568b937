// Seek helpers on a synthetic GOP-structured unit list.
import { describe, expect, it } from 'vitest';
import type { AccessUnit } from '../../server/media/access-unit.js';
import { firstUnitIndexAtOrAfter, keyUnitIndexAtOrBefore } from '../../server/core/seek.js';

const unit = (pts: number, key: boolean): AccessUnit => ({ pts, dts: pts, duration: 10, key, data: [new Uint8Array(1)] });

// Key frames every 4 units at pts 100, 140, 180; decode order I P B B: pts 100,130,110,120,...
const video: AccessUnit[] = [];
for (let g = 0; g < 3; g++) {
  const b = 100 + g * 40;
  video.push(unit(b, true), unit(b + 30, false), unit(b + 10, false), unit(b + 20, false));
}
const audio: AccessUnit[] = Array.from({ length: 10 }, (_, i) => unit(i * 10, true));

describe('keyUnitIndexAtOrBefore', () => {
  it.each([
    [0, 0], // before the first key: the first key
    [100, 0],
    [139, 0],
    [140, 4],
    [179, 4],
    [180, 8],
    [10_000, 8],
  ])('pts %i -> index %i', (pts, idx) => {
    expect(keyUnitIndexAtOrBefore(video, pts)).toBe(idx);
  });

  it('returns -1 without key units', () => {
    expect(keyUnitIndexAtOrBefore([], 0)).toBe(-1);
    expect(keyUnitIndexAtOrBefore([unit(0, false)], 0)).toBe(-1);
  });

  it('treats every audio unit as a key', () => {
    expect(keyUnitIndexAtOrBefore(audio, 55)).toBe(5);
  });
});

describe('firstUnitIndexAtOrAfter', () => {
  it.each([
    [-5, 0],
    [0, 0],
    [1, 1],
    [50, 5],
    [51, 6],
    [90, 9],
    [91, 10],
  ])('pts %i -> index %i', (pts, idx) => {
    expect(firstUnitIndexAtOrAfter(audio, pts)).toBe(idx);
  });
  it('returns 0 on an empty list', () => {
    expect(firstUnitIndexAtOrAfter([], 5)).toBe(0);
  });
});
