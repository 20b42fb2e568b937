// CSeq header: one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatCSeq, parseCSeq, type CSeqHeader } from '../../../server/rtsp/headers/cseq.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: CSeqHeader; canonical?: string }[] = [
  { input: '0', value: 0 },
  { input: '1', value: 1 },
  { input: '4294967296', value: 4294967296 },
  { input: ' 42 ', value: 42, canonical: '42' },
  { input: '007', value: 7, canonical: '7' },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'empty' },
  { input: '-1', status: 400, reason: 'non-negative whole number' },
  { input: '1.5', status: 400, reason: 'non-negative whole number' },
  { input: 'abc', status: 400, reason: '"abc"' },
  { input: '1 2', status: 400, reason: 'non-negative' },
  { input: '99999999999999999999', status: 400, reason: 'too large' },
];

describe('CSeq', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseCSeq(input)).toEqual(value);
    expect(formatCSeq(value)).toBe(canonical ?? input);
    expect(parseCSeq(formatCSeq(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseCSeq(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^CSeq: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseCSeq, formatCSeq, cases.map((c) => c.input), 11)).toEqual([]);
  });
});
