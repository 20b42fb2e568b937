// Validators, 304s and byte ranges of whole media files (RFC 9110), as one table.
import { describe, expect, it } from 'vitest';
import { decideStatic, etagOf, lastModifiedOf, parseRange, type ConditionalHeaders, type StaticDecision } from '../../server/http/static-media-conditional.js';

const v = { size: 1000, mtimeMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678) };
const tag = etagOf(v);
const lm = lastModifiedOf(v);

const cases: [string, ConditionalHeaders, StaticDecision][] = [
  ['no conditions', {}, { status: 200 }],
  ['If-None-Match hit', { ifNoneMatch: tag }, { status: 304 }],
  ['If-None-Match weak form of the tag', { ifNoneMatch: `W/${tag}` }, { status: 304 }],
  ['If-None-Match in a list', { ifNoneMatch: `"nope", ${tag}` }, { status: 304 }],
  ['If-None-Match *', { ifNoneMatch: '*' }, { status: 304 }],
  ['If-None-Match miss', { ifNoneMatch: '"other"' }, { status: 200 }],
  ['If-Modified-Since = Last-Modified', { ifModifiedSince: lm }, { status: 304 }],
  ['If-Modified-Since later', { ifModifiedSince: new Date(v.mtimeMs + 60_000).toUTCString() }, { status: 304 }],
  ['If-Modified-Since earlier', { ifModifiedSince: new Date(v.mtimeMs - 60_000).toUTCString() }, { status: 200 }],
  ['If-Modified-Since garbage', { ifModifiedSince: 'yesterday' }, { status: 200 }],
  ['If-None-Match miss overrides If-Modified-Since', { ifNoneMatch: '"other"', ifModifiedSince: lm }, { status: 200 }],
  ['range', { range: 'bytes=0-99' }, { status: 206, range: { start: 0, end: 99 } }],
  ['open range', { range: 'bytes=900-' }, { status: 206, range: { start: 900, end: 999 } }],
  ['suffix range', { range: 'bytes=-10' }, { status: 206, range: { start: 990, end: 999 } }],
  ['end past the size is clipped', { range: 'bytes=990-5000' }, { status: 206, range: { start: 990, end: 999 } }],
  ['start past the end', { range: 'bytes=1000-' }, { status: 416 }],
  ['empty suffix', { range: 'bytes=-0' }, { status: 416 }],
  ['several ranges: the whole file', { range: 'bytes=0-1,5-6' }, { status: 200 }],
  ['not bytes', { range: 'items=0-1' }, { status: 200 }],
  ['backwards range ignored', { range: 'bytes=50-10' }, { status: 200 }],
  ['If-Range with the tag', { range: 'bytes=0-9', ifRange: tag }, { status: 206, range: { start: 0, end: 9 } }],
  ['If-Range with another tag', { range: 'bytes=0-9', ifRange: '"old"' }, { status: 200 }],
  ['If-Range with the date', { range: 'bytes=0-9', ifRange: lm }, { status: 206, range: { start: 0, end: 9 } }],
  ['If-Range with an older date', { range: 'bytes=0-9', ifRange: new Date(v.mtimeMs - 5000).toUTCString() }, { status: 200 }],
  ['304 wins over Range', { ifNoneMatch: tag, range: 'bytes=0-9' }, { status: 304 }],
];

describe('static media conditionals', () => {
  it.each(cases)('%s', (_name, h, want) => {
    expect(decideStatic(h, v)).toEqual(want);
  });

  it('ETag changes with size and mtime; Last-Modified has whole seconds', () => {
    expect(etagOf({ ...v, size: 1001 })).not.toBe(tag);
    expect(etagOf({ ...v, mtimeMs: v.mtimeMs + 1 })).not.toBe(tag);
    expect(lm).toBe('Fri, 02 Jan 2026 03:04:05 GMT');
  });

  it('never throws on odd Range values', () => {
    for (const r of ['', 'bytes=', 'bytes=-', 'bytes=a-b', 'bytes=99999999999999999999-', '\u0000']) {
      expect(() => parseRange(r, 10)).not.toThrow();
    }
  });
});
