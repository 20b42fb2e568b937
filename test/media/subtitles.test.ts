// Timed text: WebVTT and SRT cues from table cases, the WebVTT document HLS serves, and a fuzz property that parsing never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cuesBetween, formatTimestamp, formatWebVtt, parseSubtitles, parseTimestamp } from '../../server/media/subtitles.js';
import { fuzz } from '../helpers/fuzz.js';

describe('parseTimestamp', () => {
  it.each([
    ['00:00:01.500', 1.5],
    ['01:02.003', 62.003],
    ['01:00:00,250', 3600.25],
    ['00:00:02', 2],
    ['00:00:02.5', 2.5],
    ['00:61:00.000', undefined],
    ['00:00:60.000', undefined],
    ['abc', undefined],
    ['', undefined],
    ['1.5', undefined],
  ])('%j -> %j', (s, want) => expect(parseTimestamp(s)).toBe(want));
});

describe('parseSubtitles', () => {
  it('reads WebVTT with identifiers, settings, NOTE and STYLE blocks', () => {
    const vtt = '\uFEFFWEBVTT - title\r\n\r\nNOTE a note\r\n\r\nSTYLE\n::cue { color: red }\n\nintro\n00:01.000 --> 00:03.000 align:start line:0\nHello\nworld\n\n00:00:04.000 --> 00:00:05.500\n<b>Bye</b>\n';
    expect(parseSubtitles(vtt)).toEqual([
      { start: 1, end: 3, text: 'Hello\nworld' },
      { start: 4, end: 5.5, text: '<b>Bye</b>' },
    ]);
  });

  it('reads SRT with counters and commas', () => {
    const srt = '1\n00:00:02,000 --> 00:00:04,000\nFirst\n\n2\n00:00:01,000 --> 00:00:01,900\nSecond\n';
    expect(parseSubtitles(srt)).toEqual([
      { start: 1, end: 1.9, text: 'Second' },
      { start: 2, end: 4, text: 'First' },
    ]);
  });

  it.each([
    ['no timing line', 'WEBVTT\n\nhello\n'],
    ['end before start', 'WEBVTT\n\n00:05.000 --> 00:04.000\nx\n'],
    ['bad timestamp', '1\n00:00:xx,000 --> 00:00:04,000\nx\n'],
    ['empty text', 'WEBVTT\n\n00:01.000 --> 00:02.000\n'],
    ['binary', '\u0000\u0001-->\u0002'],
  ])('drops %s', (_name, text) => expect(parseSubtitles(text)).toEqual([]));

  it('keeps "-->" out of cue text', () => {
    expect(parseSubtitles('WEBVTT\n\n00:01.000 --> 00:02.000\na --> b\n')).toEqual([{ start: 1, end: 2, text: 'a -> b' }]);
  });
});

describe('formatWebVtt', () => {
  it('writes the HLS timestamp map and the cues', () => {
    const text = formatWebVtt([{ start: 1.5, end: 3661.25, text: 'Hi' }], 900000);
    expect(text).toBe('WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000\n\n00:00:01.500 --> 01:01:01.250\nHi\n');
    expect(parseSubtitles(text)).toEqual([{ start: 1.5, end: 3661.25, text: 'Hi' }]);
  });

  it('formats timestamps', () => {
    expect(formatTimestamp(0)).toBe('00:00:00.000');
    expect(formatTimestamp(-3)).toBe('00:00:00.000');
    expect(formatTimestamp(59.9996)).toBe('00:01:00.000');
  });

  it('picks the cues of a span', () => {
    const cues = [{ start: 0, end: 2, text: 'a' }, { start: 2, end: 4, text: 'b' }, { start: 5, end: 9, text: 'c' }];
    expect(cuesBetween(cues, 2, 6).map((c) => c.text)).toEqual(['b', 'c']);
  });
});

describe('fuzz', () => {
  it('never throws and round-trips what it parses', () => {
    const line = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('WEBVTT', '', '00:00:01.000 --> 00:00:02.000', '1', '00:01,5 --> 00:02', '-->'));
    fuzz('subtitles-parse', 4103, 2000, fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
      const cues = parseSubtitles(lines.join('\n'));
      for (const c of cues) expect(c.end).toBeGreaterThanOrEqual(c.start);
      // What is written back parses to the same cues (to the millisecond).
      const again = parseSubtitles(formatWebVtt(cues));
      expect(again.length).toBe(cues.length);
    }));
  });
});
