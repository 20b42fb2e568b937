// Playlist text and blocking-reload queries: one table of query cases, and the formatter read back by the independent checker.
import { describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http/errors.js';
import { formatPlaylist, parseBlockingQuery, type MediaPlaylist } from '../../server/http/hls/playlist.js';
import { checkPlaylist, parsePlaylist } from '../helpers/playlist-check.js';

describe('parseBlockingQuery', () => {
  const cases: [Record<string, unknown>, { msn: number; part?: number } | undefined | RegExp][] = [
    [{}, undefined],
    [{ _HLS_msn: '5' }, { msn: 5 }],
    [{ _HLS_msn: '5', _HLS_part: '0' }, { msn: 5, part: 0 }],
    [{ _HLS_msn: '0', _HLS_part: '12' }, { msn: 0, part: 12 }],
    [{ _HLS_part: '1' }, /needs _HLS_msn/],
    [{ _HLS_msn: '-1' }, /non-negative integer/],
    [{ _HLS_msn: '1.5' }, /non-negative integer/],
    [{ _HLS_msn: ['1', '2'] }, /non-negative integer/],
    [{ _HLS_msn: '3', _HLS_part: 'x' }, /_HLS_part must be/],
    [{ _HLS_msn: '9999999999999999' }, /non-negative integer/],
  ];
  for (const [query, want] of cases) {
    it(JSON.stringify(query), () => {
      if (want instanceof RegExp) {
        let err: unknown;
        try {
          parseBlockingQuery(query);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).status).toBe(400);
        expect((err as HttpError).reason).toMatch(want);
      } else {
        expect(parseBlockingQuery(query)).toEqual(want);
      }
    });
  }
});

describe('formatPlaylist', () => {
  const part = (msn: number, i: number, d = 0.2): { duration: number; uri: string; independent: boolean } => ({ duration: d, uri: `part-a-${msn}-${i}.mp4`, independent: i === 0 });
  const live: MediaPlaylist = {
    version: 9,
    targetDuration: 2,
    mediaSequence: 4,
    map: 'init-a.mp4',
    endList: false,
    lowLatency: { partTarget: 0.2, partHoldBack: 0.6, holdBack: 6 },
    segments: [
      { msn: 4, duration: 2, uri: 'seg-a-4.mp4', programDateTime: Date.UTC(2026, 0, 1, 0, 0, 0) },
      { msn: 5, duration: 1.7, uri: 'seg-a-5.mp4', programDateTime: Date.UTC(2026, 0, 1, 0, 0, 2), parts: [...Array(9)].map((_, i) => part(5, i, i === 8 ? 0.1 : 0.2)) },
    ],
    open: { programDateTime: Date.UTC(2026, 0, 1, 0, 0, 3, 900), parts: [part(6, 0), part(6, 1)] },
    preloadHint: 'part-a-6-2.mp4',
  };

  it('a live LL-HLS playlist passes the checker and reads back as written', () => {
    const text = formatPlaylist(live);
    const p = parsePlaylist(text);
    expect(checkPlaylist(p, { kind: 'live' })).toEqual([]);
    // Live EXTINF is written rounded down and 2 µs short of the media (see extinfSecs).
    expect(p.segments.map((s) => [s.msn, s.uri, s.duration])).toEqual([[4, 'seg-a-4.mp4', 1.99999], [5, 'seg-a-5.mp4', 1.69999]]);
    expect(p.segments[1]!.parts).toHaveLength(9);
    expect(p.openParts.map((x) => x.uri)).toEqual(['part-a-6-0.mp4', 'part-a-6-1.mp4']);
    expect(p.preloadHint).toBe('part-a-6-2.mp4');
    expect(p.serverControl).toEqual({ 'CAN-BLOCK-RELOAD': 'YES', 'PART-HOLD-BACK': '0.60000', 'HOLD-BACK': '6.00000' });
    expect(text).toContain('#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:02.000Z');
    expect(text).not.toContain('CAN-SKIP-UNTIL');
    expect(text).not.toContain('#EXT-X-ENDLIST');
  });

  it('the checker catches what a broken playlist does wrong', () => {
    const bad: MediaPlaylist = {
      ...live,
      targetDuration: 1,
      lowLatency: { partTarget: 0.2, partHoldBack: 0.4, holdBack: 2 },
      segments: [{ ...live.segments[1]!, parts: [part(5, 1), part(5, 2)] }],
      preloadHint: undefined,
    };
    const problems = checkPlaylist(parsePlaylist(formatPlaylist(bad)), { kind: 'live' }).join('\n');
    expect(problems).toMatch(/rounds above TARGETDURATION/);
    expect(problems).toMatch(/PART-HOLD-BACK/);
    expect(problems).toMatch(/HOLD-BACK 2/);
    expect(problems).toMatch(/PRELOAD-HINT/);
    expect(problems).toMatch(/parts add up to 0.40000, EXTINF is 1.69999/);
    expect(problems).toMatch(/not INDEPENDENT/);
  });

  it('a VOD playlist: type, end list, no low-latency tags', () => {
    const vod: MediaPlaylist = { version: 6, targetDuration: 2, mediaSequence: 0, map: 'init-f.mp4', type: 'VOD', endList: true, segments: [{ msn: 0, duration: 2, uri: 'seg-f-0.mp4' }, { msn: 1, duration: 1.5, uri: 'seg-f-1.mp4' }] };
    const text = formatPlaylist(vod);
    expect(checkPlaylist(parsePlaylist(text), { kind: 'vod' })).toEqual([]);
    expect(text).toMatch(/#EXT-X-PLAYLIST-TYPE:VOD\n/);
    expect(text.trimEnd().endsWith('#EXT-X-ENDLIST')).toBe(true);
    expect(text).not.toMatch(/PART|SERVER-CONTROL|PRELOAD/);
  });
});
