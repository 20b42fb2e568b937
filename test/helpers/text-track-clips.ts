// Short clips with subtitle tracks inside, made by ffmpeg in a test's temp dir: an MKV with English (titled) and French SubRip, an MP4 with the same as mov_text.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { describeRun, run } from './spawn.js';

export const EN_SRT = '1\n00:00:00,500 --> 00:00:01,500\nHello one\n\n2\n00:00:02,000 --> 00:00:02,800\nHello two\n';
export const FR_SRT = '1\n00:00:00,700 --> 00:00:01,200\nBonjour un\n\n2\n00:00:01,900 --> 00:00:02,600\nBonjour deux\n';

/**
 * `name` in `dir`: 3 s of 160x120 H.264 (a key frame a second) with the English and French subtitles
 * in `codec` (srt, ass, webvtt, mov_text); `extra` goes before the output name (e.g. -output_ts_offset).
 */
export async function makeTextTrackClip(dir: string, name: string, codec: string, extra: string[] = []): Promise<string> {
  writeFileSync(join(dir, 'en.srt'), EN_SRT);
  writeFileSync(join(dir, 'fr.srt'), FR_SRT);
  const out = join(dir, name);
  const ffmpeg = resolveFfmpeg();
  const args = [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=25:duration=3',
    '-i', join(dir, 'en.srt'), '-i', join(dir, 'fr.srt'), '-map', '0', '-map', '1', '-map', '2',
    '-c:v', 'libx264', '-g', '25', '-pix_fmt', 'yuv420p', '-c:s', codec,
    '-metadata:s:s:0', 'language=eng', '-metadata:s:s:0', 'title=English SDH', '-metadata:s:s:1', 'language=fre',
    ...extra, out,
  ];
  const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(describeRun(ffmpeg, args, r));
  return out;
}
