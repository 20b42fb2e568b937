// Tables for playback's query (start, duration), Range/If-Range/If-None-Match and the URL's permission; a fuzz property
// that no Range header makes parseRange give bytes outside the body.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ruleFor } from '../../../server/http/auth/rules.js';
import { HttpError } from '../../../server/http/errors.js';
import { parsePlaybackQuery, parseStartTime } from '../../../server/http/playback/query.js';
import { ifRangeHolds, noneMatchHits, parseRange } from '../../../server/http/playback/range.js';
import { fuzz } from '../../helpers/fuzz.js';

describe('parseStartTime', () => {
  const cases: [string, number | undefined][] = [
    ['2026-12-03T22:10:00Z', Date.UTC(2026, 11, 3, 22, 10, 0)],
    ['2026-12-03t22:10:00.250z', Date.UTC(2026, 11, 3, 22, 10, 0, 250)],
    ['2026-12-03T23:10:00+01:00', Date.UTC(2026, 11, 3, 22, 10, 0)],
    // '+' decoded from a query string as a space.
    ['2026-12-03T23:10:00 01:00', Date.UTC(2026, 11, 3, 22, 10, 0)],
    ['2026-12-03T20:10:00-02:00', Date.UTC(2026, 11, 3, 22, 10, 0)],
    ['2026-12-03 22:10:00Z', Date.UTC(2026, 11, 3, 22, 10, 0)],
    ['1796335800', 1796335800_000],
    ['1796335800.5', 1796335800_500],
    ['2026-12-03T22:10:00', undefined],
    ['2026-13-03T22:10:00Z', undefined],
    ['2026-12-03', undefined],
    ['yesterday', undefined],
    ['12', undefined],
    ['', undefined],
  ];
  it.each(cases)('%s', (s, ms) => expect(parseStartTime(s)).toBe(ms));
});

describe('parsePlaybackQuery', () => {
  const reason = (q: Record<string, unknown>): string => {
    try {
      parsePlaybackQuery(q);
      return 'ok';
    } catch (e) {
      expect(e).toBeInstanceOf(HttpError);
      expect((e as HttpError).status).toBe(400);
      return (e as HttpError).reason;
    }
  };
  it('takes one start and one duration', () => {
    expect(parsePlaybackQuery({ start: '2026-12-03T22:10:00Z', duration: '2.5' })).toEqual({ startMs: Date.UTC(2026, 11, 3, 22, 10), duration: 2.5 });
    expect(reason({ duration: '5' })).toMatch(/start is missing/);
    expect(reason({ start: ['1796335800', '1796335801'], duration: '5' })).toMatch(/start is not a single value/);
    expect(reason({ start: '1796335800' })).toMatch(/duration is missing/);
    expect(reason({ start: '1796335800', duration: '0' })).toMatch(/greater than 0/);
    expect(reason({ start: '1796335800', duration: '1e3' })).toMatch(/not a length/);
    expect(reason({ start: '1796335800', duration: '21600' })).toBe('ok');
    expect(reason({ start: '1796335800', duration: '21600.5' })).toMatch(/longer than 21600 s/);
  });
});

describe('parseRange', () => {
  const cases: [string | undefined, number, ReturnType<typeof parseRange>][] = [
    [undefined, 100, { kind: 'whole' }],
    ['bytes=0-9', 100, { kind: 'part', start: 0, end: 9 }],
    ['bytes=90-', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=90-1000', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-10', 100, { kind: 'part', start: 90, end: 99 }],
    ['bytes=-1000', 100, { kind: 'part', start: 0, end: 99 }],
    ['BYTES = 5 - 6', 100, { kind: 'part', start: 5, end: 6 }],
    ['bytes=100-', 100, { kind: 'unsatisfiable' }],
    ['bytes=-0', 100, { kind: 'unsatisfiable' }],
    ['bytes=9-5', 100, { kind: 'whole' }],
    ['bytes=0-1,5-6', 100, { kind: 'whole' }],
    ['items=0-1', 100, { kind: 'whole' }],
    ['bytes=-', 100, { kind: 'whole' }],
  ];
  it.each(cases)('%s of %i', (h, n, want) => expect(parseRange(h, n)).toEqual(want));

  it('never gives bytes outside the body (fuzz)', () => {
    fuzz('playback parseRange', 1501, 500, fc.property(fc.oneof(fc.string(), fc.tuple(fc.nat(), fc.nat()).map(([a, b]) => `bytes=${a}-${b}`)), fc.nat(1e6), (h, n) => {
      const r = parseRange(h, n);
      if (r.kind === 'part') expect(0 <= r.start && r.start <= r.end && r.end < n).toBe(true);
    }));
  });
});

describe('validators and permission', () => {
  it('If-Range names this entity by its strong ETag only (a date or weak tag gets the whole body); If-None-Match compares weakly', () => {
    expect(ifRangeHolds(undefined, '"a"')).toBe(true);
    expect(ifRangeHolds(' "a"', '"a"')).toBe(true);
    expect(ifRangeHolds('W/"a"', '"a"')).toBe(false);
    expect(ifRangeHolds('"b"', '"a"')).toBe(false);
    expect(ifRangeHolds('Fri, 04 Dec 2026 17:00:00 GMT', '"a"')).toBe(false);
    expect(noneMatchHits('"x", W/"a"', '"a"')).toBe(true);
    expect(noneMatchHits('*', '"a"')).toBe(true);
    expect(noneMatchHits('"b"', '"a"')).toBe(false);
  });

  it('playback.mp4 and playback.ts need `playback` of the path they name', () => {
    expect(ruleFor('/cams/door/playback.mp4')).toEqual({ kind: 'check', action: 'playback', path: 'cams/door', protocol: 'http' });
    expect(ruleFor('/cam%201/playback.ts')).toEqual({ kind: 'check', action: 'playback', path: 'cam 1', protocol: 'http' });
  });
});
