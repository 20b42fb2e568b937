// Public header: one table through parse and format, invalid inputs, and a fuzz loop.

import { describe, expect, it } from 'vitest';
import { formatPublic, parsePublic, type PublicHeader } from '../../../server/rtsp/headers/public.js';
import { catchRtspError, fuzzHeader } from '../fuzz.js';

const cases: { input: string; value: PublicHeader; canonical?: string }[] = [
  { input: 'OPTIONS', value: ['OPTIONS'] },
  {
    input: 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER',
    value: ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER'],
  },
  { input: 'OPTIONS,DESCRIBE', value: ['OPTIONS', 'DESCRIBE'], canonical: 'OPTIONS, DESCRIBE' },
  { input: ' OPTIONS , , ANNOUNCE ,', value: ['OPTIONS', 'ANNOUNCE'], canonical: 'OPTIONS, ANNOUNCE' },
  // Methods are case-sensitive (RFC 2326 §6.1): kept as written.
  { input: 'options, X-Custom', value: ['options', 'X-Custom'] },
];

const invalid: { input: string; status: number; reason: string }[] = [
  { input: '', status: 400, reason: 'list of methods is empty' },
  { input: ' , ', status: 400, reason: 'empty' },
  { input: 'OPTIONS, DE SCRIBE', status: 400, reason: '"DE SCRIBE" is not a method name' },
  { input: 'PLAY;x', status: 400, reason: 'not a method name' },
];

describe('Public', () => {
  it.each(cases)('parses and formats $input', ({ input, value, canonical }) => {
    expect(parsePublic(input)).toEqual(value);
    expect(formatPublic(value)).toBe(canonical ?? input);
    expect(parsePublic(formatPublic(value))).toEqual(value);
  });

  it.each(invalid)('rejects $input', ({ input, status, reason }) => {
    const err = catchRtspError(() => parsePublic(input));
    expect(err.status).toBe(status);
    expect(err.reason).toMatch(/^Public: /);
    expect(err.reason).toContain(reason);
  });

  it('fuzz: parse returns or throws RtspError, and round-trips', () => {
    expect(fuzzHeader(parsePublic, formatPublic, cases.map((c) => c.input), 13)).toEqual([]);
  });
});
