// `?start=<RFC 3339>` on an RTSP URL: the instant a recording plays from, or a 400 that says the expected form.
import { describe, expect, it } from 'vitest';
import { startOfQuery } from '../../../server/rtsp/recorded/window.js';
import { catchRtspError } from '../fuzz.js';

const T = Date.UTC(2026, 11, 3, 22, 10, 0);
const cases: { query: string | undefined; ms: number | undefined }[] = [
  { query: undefined, ms: undefined },
  { query: 'token=abc', ms: undefined },
  { query: 'start=2026-12-03T22:10:00Z', ms: T },
  { query: 'start=2026-12-03T22:10:00.250Z&token=x', ms: T + 250 },
  { query: 'start=2026-12-03T23:10:00%2B01:00', ms: T },
  { query: 'start=2026-12-03t17:10:00-05:00', ms: T },
  // Typed unescaped, the plus of an offset arrives as a space.
  { query: 'start=2026-12-03T23:10:00+01:00', ms: T },
];

const invalid = ['start=yesterday', 'start=2026-12-03', 'start=2026-12-03T22:10Z', 'start=', 'start=2026-13-03T22:10:00Z'];

describe('startOfQuery', () => {
  it.each(cases)('reads $query', ({ query, ms }) => {
    expect(startOfQuery(query)).toBe(ms);
  });

  it.each(invalid)('rejects %s with 400', (query) => {
    const err = catchRtspError(() => startOfQuery(query));
    expect(err.status).toBe(400);
    expect(err.reason).toContain('RFC 3339');
  });
});
