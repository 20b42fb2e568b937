// Scale (RFC 2326 §12.34): one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatScale, parseScale } from '../../../server/rtsp/headers/scale.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: number; canonical?: string }[] = [
  { input: '1.0', value: 1 },
  { input: '2', value: 2, canonical: '2.0' },
  { input: '-1.0', value: -1 },
  { input: '-2', value: -2, canonical: '-2.0' },
  { input: '0.5', value: 0.5 },
  { input: ' +4.0 ', value: 4, canonical: '4.0' },
  { input: '.25', value: 0.25, canonical: '0.25' },
  { input: '1.2346', value: 1.2346, canonical: '1.235' },
];

const invalid: { input: string; reason: string }[] = [
  { input: '0', reason: '0 is no speed' },
  { input: '-0.0', reason: '0 is no speed' },
  { input: 'fast', reason: 'expected a number' },
  { input: '1e3', reason: 'expected a number' },
  { input: '', reason: 'expected a number' },
  { input: '2,3', reason: 'expected a number' },
];

describe('Scale', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseScale(input)).toBe(value);
    expect(formatScale(value)).toBe(canonical ?? input);
  });

  it.each(invalid)('rejects $input', ({ input, reason }) => {
    const err = catchRtspError(() => parseScale(input));
    expect(err.status).toBe(400);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    const canonical = (v: string) => parseScale(formatScale(parseScale(v)));
    expect(fuzzHeader(canonical, formatScale, cases.map((c) => c.input), 15)).toEqual([]);
  });
});
