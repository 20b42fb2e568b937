import { describe, expect, it } from 'vitest';
import { spansOf } from '../../server/record/listing.js';
import { readPrft, writePrft } from '../../server/record/prft.js';

const t0 = Date.parse('2026-12-03T22:10:00Z');

describe('spansOf', () => {
  it.each([
    ['back to back', [[0, 10], [10, 10], [20, 5]], [[0, 25]]],
    ['a gap under one part joins', [[0, 10], [10.5, 10]], [[0, 20.5]]],
    ['a gap over one part splits', [[0, 10], [12, 10]], [[0, 10], [12, 22]]],
    ['none', [], []],
  ] as const)('%s', (_n, segs, spans) => {
    const got = spansOf(segs.map(([s, d]) => ({ startMs: t0 + s * 1000, duration: d })), 1);
    expect(got.map((x) => [(Date.parse(x.start) - t0) / 1000, (Date.parse(x.end) - t0) / 1000])).toEqual(spans);
  });
});

describe('prft', () => {
  it.each([[t0 + 123.456, 0], [t0, 90000 * 3600 * 30], [0, 5]])('round trips %d ms at media time %d', (wallMs, mediaTime) => {
    const box = writePrft(1, wallMs, mediaTime);
    expect(new TextDecoder().decode(box.subarray(4, 8))).toBe('prft');
    const back = readPrft(box.subarray(8))!;
    expect(back.trackId).toBe(1);
    expect(back.mediaTime).toBe(mediaTime);
    expect(Math.abs(back.wallMs - wallMs)).toBeLessThan(0.001);
  });

  it('a short body is refused, not thrown', () => {
    expect(readPrft(new Uint8Array(10))).toBeUndefined();
  });
});
