// Subtitle tracks inside MKV and MP4 clips ffmpeg (and mediabunny, for MP4 WebVTT) made: languages, titles, cue times and text;
// then damaged copies of them, which must give well-formed cues or none, never an error.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { BufferTarget, Mp4OutputFormat, Output, TextSubtitleSource } from 'mediabunny';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TextSource } from '../../../server/media/subtitles.js';
import { loadMediaFile } from '../../../server/sources/file/demux.js';
import { bufferSource, readMatroskaText, readMp4Text, readTextTracks } from '../../../server/sources/file/text-tracks/index.js';
import { fuzzAsync } from '../../helpers/fuzz.js';
import { MEDIA_DIR } from '../../helpers/server.js';
import { makeTextTrackClip } from '../../helpers/text-track-clips.js';

let dir: string;
const clips: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-text-tracks-'));
  clips.srt = await makeTextTrackClip(dir, 'srt.mkv', 'srt');
  clips.ass = await makeTextTrackClip(dir, 'ass.mkv', 'ass');
  clips.vtt = await makeTextTrackClip(dir, 'vtt.mkv', 'webvtt');
  clips.movText = await makeTextTrackClip(dir, 'mov-text.mp4', 'mov_text');
  clips.late = await makeTextTrackClip(dir, 'late.mkv', 'srt', ['-output_ts_offset', '10']);
}, 60_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ms = (s: number): number => Math.round(s * 1000) / 1000;
const summary = (ts: TextSource[]): unknown => ts.map((t) => ({ language: t.language, name: t.name, cues: t.cues.map((c) => [ms(c.start), ms(c.end), c.text]) }));
const EN = [[0.5, 1.5, 'Hello one'], [2, 2.8, 'Hello two']];
const FR = [[0.7, 1.2, 'Bonjour un'], [1.9, 2.6, 'Bonjour deux']];

describe('text tracks inside a container', () => {
  it.each([
    ['MKV SubRip (S_TEXT/UTF8)', 'srt'],
    ['MKV ASS (S_TEXT/ASS), override tags dropped', 'ass'],
    ['MKV WebVTT (D_WEBVTT/SUBTITLES)', 'vtt'],
    ['MP4 mov_text (tx3g), the title from udta name', 'movText'],
  ])('%s: each track in order with its language and title, cues in seconds', async (_, clip) => {
    const tracks = await readTextTracks(clips[clip]!, 0);
    expect(summary(tracks)).toEqual([
      { language: 'eng', name: 'English SDH', cues: EN },
      { language: 'fre', name: 'French', cues: FR },
    ]);
    expect(tracks.map((t) => t.origin)).toEqual(['track 2', 'track 3']);
  });

  it('MP4 WebVTT (wvtt) as mediabunny writes it', async () => {
    const out = new Output({ format: new Mp4OutputFormat(), target: new BufferTarget() });
    const src = new TextSubtitleSource('webvtt');
    out.addSubtitleTrack(src, { languageCode: 'deu' });
    await out.start();
    await src.add('WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHallo eins\n\n00:00:02.000 --> 00:00:02.800\nHallo zwei\n');
    src.close();
    await out.finalize();
    const tracks = await readMp4Text(bufferSource(new Uint8Array(out.target.buffer!)), 0);
    expect(summary(tracks)).toEqual([{ language: 'deu', name: 'German', cues: [[0.5, 1.5, 'Hallo eins'], [2, 2.8, 'Hallo zwei']] }]);
  });

  it('files without text tracks have none', async () => {
    for (const f of ['sample.mkv', 'sample.mp4', 'sample-vp9.webm', 'sample.ts']) expect(await readTextTracks(join(MEDIA_DIR, f), 0)).toEqual([]);
    expect(await readTextTracks(join(dir, 'missing.mkv'), 0)).toEqual([]);
  });

  it('the loader lists a sidecar first, then the embedded tracks, all on the video timeline (npt 0 at its first key frame)', async () => {
    copyFileSync(clips.late!, join(dir, 'both.mkv'));
    writeFileSync(join(dir, 'both.de.vtt'), 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nSidecar\n');
    const f = await loadMediaFile(join(dir, 'both.mkv'));
    expect(f.startTime).toBeCloseTo(10, 3);
    expect(summary([...f.subtitles!])).toEqual([
      { language: 'de', name: 'German', cues: [[1, 2, 'Sidecar']] },
      { language: 'eng', name: 'English SDH', cues: EN },
      { language: 'fre', name: 'French', cues: FR },
    ]);
  });
});

describe('damaged files', () => {
  it('never throw and give only well-formed cues', async () => {
    const seeds = [clips.srt!, clips.ass!, clips.movText!].map((p) => new Uint8Array(readFileSync(p)));
    const damage = fc.record({
      seed: fc.nat(seeds.length - 1),
      cut: fc.option(fc.nat(), { nil: undefined }),
      flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 40 }),
    });
    await fuzzAsync('embedded text tracks (MKV, MP4)', 17, 150, fc.asyncProperty(damage, async ({ seed, cut, flips }) => {
      const b = seeds[seed]!.slice(0, cut === undefined ? undefined : cut % (seeds[seed]!.length + 1));
      // Damage lands in the headers and the text most of the time: the first 4 KiB and the tail.
      for (const [at, v] of flips) if (b.length > 0) b[at % 2 === 0 ? at % Math.min(b.length, 4096) : b.length - 1 - (at % b.length)] = v;
      for (const read of [readMatroskaText, readMp4Text]) {
        for (const t of await read(bufferSource(b), 0)) {
          expect(t.cues.length).toBeLessThanOrEqual(20_000);
          for (const c of t.cues) {
            expect(Number.isFinite(c.start) && Number.isFinite(c.end) && c.start >= 0 && c.end >= c.start).toBe(true);
            expect(c.text).not.toMatch(/-->|\n\s*\n/);
          }
        }
      }
    }));
  });
});
