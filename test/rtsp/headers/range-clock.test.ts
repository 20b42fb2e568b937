// Range: clock= (absolute UTC, RFC 2326 §3.7): one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatClockRange, parseClockRange, type ClockRange } from '../../../server/rtsp/headers/range-clock.js';
import { parsePlayRange } from '../../../server/rtsp/headers/range.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const T = Date.UTC(2026, 11, 3, 22, 10, 0);
const cases: { input: string; value: ClockRange; canonical?: string }[] = [
  { input: 'clock=20261203T221000Z-', value: { unit: 'clock', start: T } },
  { input: 'clock=20261203T221000Z-20261203T221030Z', value: { unit: 'clock', start: T, end: T + 30_000 } },
  { input: 'clock=20261203T221000.250Z-', value: { unit: 'clock', start: T + 250 } },
  { input: 'clock=20261203T221000.25Z-', value: { unit: 'clock', start: T + 250 }, canonical: 'clock=20261203T221000.250Z-' },
  { input: 'clock=20261203T221000.0004Z-', value: { unit: 'clock', start: T }, canonical: 'clock=20261203T221000Z-' },
  // Reverse replay (ONVIF): the later time first; the order is the PLAY handler's to judge with Scale.
  { input: 'clock=20261203T221030Z-20261203T221000Z', value: { unit: 'clock', start: T + 30_000, end: T } },
  { input: ' CLOCK = 20261203t221000z - ', value: { unit: 'clock', start: T }, canonical: 'clock=20261203T221000Z-' },
  { input: 'clock=20240229T000000Z-;x=y', value: { unit: 'clock', start: Date.UTC(2024, 1, 29) }, canonical: 'clock=20240229T000000Z-' },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: 'clock=-20261203T221000Z', status: 400, reason: 'needs a start time' },
  { input: 'clock=20261203T221000Z', status: 400, reason: 'with a "-"' },
  { input: 'clock=2026-12-03T22:10:00Z-', status: 400, reason: 'the start must be a UTC time such as 20261203T221000Z' },
  { input: 'clock=20261203T221000-', status: 400, reason: 'the start must be a UTC time' },
  { input: 'clock=20261203T221000Z-now', status: 400, reason: 'the end must be a UTC time' },
  { input: 'clock=20261332T221000Z-', status: 400, reason: 'is not a valid UTC date' },
  { input: 'clock=20230229T000000Z-', status: 400, reason: 'is not a valid UTC date' },
  { input: 'clock=20261203T246000Z-', status: 400, reason: 'is not a valid UTC date' },
  { input: 'clock=19601203T221000Z-', status: 400, reason: 'from 1970 on' },
  { input: 'clock=20261203T221000Z-,20261203T221100Z-', status: 501, reason: 'only a single range' },
  { input: 'npt=0-', status: 400, reason: 'expected clock=START-END' },
];

describe('Range: clock=', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseClockRange(input)).toEqual(value);
    expect(parsePlayRange(input)).toEqual(value);
    expect(formatClockRange(value)).toBe(canonical ?? input);
    expect(parseClockRange(formatClockRange(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseClockRange(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^Range: /);
    expect(err.reason).toContain(reason);
  });

  it('parsePlayRange still reads npt', () => {
    expect(parsePlayRange('npt=10-')).toEqual({ unit: 'npt', start: 10 });
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseClockRange, formatClockRange, cases.map((c) => c.input), 15)).toEqual([]);
  });
});
