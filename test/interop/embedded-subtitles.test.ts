// Subtitle tracks inside a file through real clients: an MKV with English and French SubRip tracks and an MP4 with the same as
// mov_text each get two WebVTT subtitles renditions in their HLS playlist; GStreamer's HLS demuxer lists both with their languages
// (ffmpeg 5.1's skips subtitle renditions of a multivariant playlist), ffprobe and ffmpeg read each one's cues at the source's times.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { makeTextTrackClip } from '../helpers/text-track-clips.js';

const GST_SCRIPT = resolve(import.meta.dirname, '../fixtures/gst-hls-streams.py');
let srv: TestServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-embedded-subs-'));
  await makeTextTrackClip(dir, 'talk.mkv', 'srt');
  await makeTextTrackClip(dir, 'talk.mp4', 'mov_text');
  srv = await startTestServer({ mediaDir: dir });
}, 60_000);
afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.each(['talk.mkv', 'talk.mp4'])('%s: text tracks inside over HLS', (file) => {
  it('lists one SUBTITLES rendition per track, the first DEFAULT', async () => {
    const idx = await (await fetch(srv.httpUrl(`${file}/index.m3u8`))).text();
    expect(idx).toContain('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English SDH",LANGUAGE="en",DEFAULT=YES,AUTOSELECT=YES,URI="subs.m3u8"');
    expect(idx).toContain('#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="French",LANGUAGE="fr",DEFAULT=NO,AUTOSELECT=YES,URI="subs-1.m3u8"');
  });

  it('GStreamer (hlsdemux2) finds both subtitle renditions with their languages beside the video; ffprobe reads each as WebVTT', async () => {
    const args = [GST_SCRIPT, srv.httpUrl(`${file}/index.m3u8`), '20'];
    const r = await run('/usr/bin/python3', args, { timeoutMs: 40_000 });
    const found = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as { streams?: { type: string; language: string | null }[] };
    expect(found.streams, describeRun('/usr/bin/python3', args, r)).toEqual(expect.arrayContaining([
      { type: 'video', language: null },
      { type: 'text', language: 'en' },
      { type: 'text', language: 'fr' },
    ]));
    const ffprobe = resolveFfprobe();
    for (const name of ['subs.m3u8', 'subs-1.m3u8']) {
      const args2 = ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', srv.httpUrl(`${file}/${name}`)];
      const r2 = await run(ffprobe, args2, { timeoutMs: 20_000 });
      expect(r2.stdout.trim().split('\n'), describeRun(ffprobe, args2, r2)).toContain('webvtt,subtitle');
    }
  });

  it('ffmpeg reads each rendition with the cue times of the source', async () => {
    const ffmpeg = resolveFfmpeg();
    const read = async (name: string): Promise<string> => {
      const args = ['-v', 'error', '-i', srv.httpUrl(`${file}/${name}`), '-f', 'webvtt', '-'];
      const r = await run(ffmpeg, args, { timeoutMs: 20_000 });
      expect(r.code, describeRun(ffmpeg, args, r)).toBe(0);
      return r.stdout;
    };
    const en = await read('subs.m3u8');
    expect(en).toMatch(/00:00\.500 --> 00:01\.500\nHello one/);
    expect(en).toMatch(/00:02\.000 --> 00:02\.800\nHello two/);
    const fr = await read('subs-1.m3u8');
    expect(fr).toMatch(/00:00\.700 --> 00:01\.200\nBonjour un/);
    expect(fr).toMatch(/00:01\.900 --> 00:02\.600\nBonjour deux/);
    expect(fr).not.toContain('Hello');
  });
});
