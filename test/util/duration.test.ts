import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../server/util/duration.js';

describe('parseDuration', () => {
  it.each([
    ['1s', 1],
    ['10s', 10],
    ['500ms', 0.5],
    ['1.5s', 1.5],
    ['10m', 600],
    ['1h', 3600],
    ['24h', 86400],
    ['1h30m', 5400],
    ['2d', 172800],
    ['0', 0],
    ['90', 90],
    [' 3s ', 3],
    [42, 42],
    [0.25, 0.25],
  ] as const)('%j is %d s', (text, secs) => {
    expect(parseDuration(text)).toBe(secs);
  });

  it.each(['', 'abc', '1x', 's', '1 s', '-1s', '1h-', 'h1', '1.s'])('%j is refused with a message', (text) => {
    expect(typeof parseDuration(text)).toBe('string');
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('%d seconds is refused', (n) => {
    expect(typeof parseDuration(n)).toBe('string');
  });
});
