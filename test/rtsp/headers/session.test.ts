// Session header: one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatSession, parseSession, type SessionHeader } from '../../../server/rtsp/headers/session.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: SessionHeader; canonical?: string }[] = [
  { input: '12345678', value: { id: '12345678' } },
  { input: '4f2a9c;timeout=60', value: { id: '4f2a9c', timeout: 60 } },
  { input: 'A.b-c_d+e$;timeout=0', value: { id: 'A.b-c_d+e$', timeout: 0 } },
  { input: ' abc ; timeout = 55 ', value: { id: 'abc', timeout: 55 }, canonical: 'abc;timeout=55' },
  { input: 'abc;Timeout=30', value: { id: 'abc', timeout: 30 }, canonical: 'abc;timeout=30' },
  // Unknown parameters are ignored rather than refused.
  { input: 'abc;foo=bar;timeout=5', value: { id: 'abc', timeout: 5 }, canonical: 'abc;timeout=5' },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'session id is missing' },
  { input: ';timeout=60', status: 400, reason: 'session id is missing' },
  { input: 'a b', status: 400, reason: 'contains spaces' },
  { input: 'abc;timeout=', status: 400, reason: 'timeout must be a whole number of seconds, got ""' },
  { input: 'abc;timeout=-5', status: 400, reason: 'got "-5"' },
  { input: 'abc;timeout=1.5', status: 400, reason: 'timeout must be' },
  { input: 'abc;timeout', status: 400, reason: 'timeout must be' },
];

describe('Session', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parseSession(input)).toEqual(value);
    expect(formatSession(value)).toBe(canonical ?? input);
    expect(parseSession(formatSession(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parseSession(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^Session: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parseSession, formatSession, cases.map((c) => c.input), 12)).toEqual([]);
  });
});
