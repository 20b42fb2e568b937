// Range header (npt): one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatRange, parseRange, type RangeHeader } from '../../../server/rtsp/headers/range.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: RangeHeader; canonical?: string }[] = [
  { input: 'npt=0.000-', value: { unit: 'npt', start: 0 } },
  { input: 'npt=10-', value: { unit: 'npt', start: 10 }, canonical: 'npt=10.000-' },
  { input: 'npt=0.000-20.480', value: { unit: 'npt', start: 0, end: 20.48 } },
  { input: 'npt=0.000-20.5', value: { unit: 'npt', start: 0, end: 20.5 }, canonical: 'npt=0.000-20.500' },
  { input: 'npt=now-', value: { unit: 'npt', start: 'now' } },
  { input: 'npt=1:02:03.5-', value: { unit: 'npt', start: 3723.5 }, canonical: 'npt=3723.500-' },
  { input: 'npt=0:00:10-0:01:00', value: { unit: 'npt', start: 10, end: 60 }, canonical: 'npt=10.000-60.000' },
  // "-END" plays from the beginning (RFC 2326 §3.6).
  { input: 'npt=-20', value: { unit: 'npt', start: 0, end: 20 }, canonical: 'npt=0.000-20.000' },
  { input: 'npt=5.-', value: { unit: 'npt', start: 5 }, canonical: 'npt=5.000-' },
  { input: ' NPT = 1.5 - 2 ', value: { unit: 'npt', start: 1.5, end: 2 }, canonical: 'npt=1.500-2.000' },
  { input: 'npt=3.000-3.000', value: { unit: 'npt', start: 3, end: 3 } },
  { input: 'npt=0.000-;time=19970123T143720Z', value: { unit: 'npt', start: 0, time: '19970123T143720Z' } },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: 'smpte=10:07:00-10:07:33:05.01', status: 501, reason: 'only npt and clock ranges are supported, e.g. Range: npt=10-' },
  { input: 'clock=19961108T142300Z-19961108T143520Z', status: 501, reason: 'only npt ranges are supported here' },
  { input: 'npt=1-2,4-5', status: 501, reason: 'only a single range' },
  { input: '', status: 400, reason: 'expected npt=START-END' },
  { input: '10-20', status: 400, reason: 'expected npt=START-END' },
  { input: 'npt=10', status: 400, reason: 'with a "-"' },
  { input: 'npt=-', status: 400, reason: 'neither a start nor an end' },
  { input: 'npt=abc-', status: 400, reason: 'the start must be seconds (10.5) or hh:mm:ss (1:02:03.5), got "abc"' },
  { input: 'npt=1e3-', status: 400, reason: 'the start must be' },
  { input: 'npt=0-x', status: 400, reason: 'the end must be' },
  { input: 'npt=0-now', status: 400, reason: 'cannot be "now"' },
  { input: 'npt=1:75:00-', status: 400, reason: 'below 60' },
  { input: 'npt=20-10', status: 457, reason: 'the end (10.000 s) is before the start (20.000 s)' },
  { input: `npt=${'9'.repeat(400)}-`, status: 457, reason: 'too large' },
  { input: 'npt=0-;time=yesterday', status: 400, reason: 'time must be a UTC time' },
];

describe('Range', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseRange(input)).toEqual(value);
    expect(formatRange(value)).toBe(canonical ?? input);
    expect(parseRange(formatRange(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseRange(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^Range: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    // Round trip compares after formatting: 3 decimals are the wire precision.
    const canonical = (v: string) => parseRange(formatRange(parseRange(v)));
    expect(fuzzHeader(canonical, formatRange, cases.map((c) => c.input), 15)).toEqual([]);
  });
});
