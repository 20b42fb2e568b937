// A file's sidecar subtitles over RTSP as a T.140 text track (RFC 4103): DESCRIBE lists m=text, a raw reader gets each cue and its
// clear at the cue's times on the video's clock (through RTP-Info and through RTCP SRs), subtitle tracks inside an MKV become text tracks too,
// and ffprobe lists the text stream; GStreamer and progressive MP4 are not disturbed by it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { spawnSync } from 'node:child_process';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { cutClips, type Clips } from '../helpers/clips.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { waitFor } from '../helpers/read.js';
import { readText } from '../helpers/text-reader.js';
import { decodeT140 } from '../../server/rtp/codecs/t140.js';

const VTT = 'WEBVTT\n\n00:00:00.400 --> 00:00:01.000\nOne\n\n00:00:01.000 --> 00:00:01.600\nTwo\nlines\n\n00:00:01.800 --> 00:00:02.500\nThree\n';
let srv: TestServer;
let clips: Clips;

beforeAll(async () => {
  clips = cutClips(['sample.mp4'], 3);
  writeFileSync(join(clips.dir, 'clip-sample.en.vtt'), VTT);
  // An MKV with two SubRip tracks inside (English, French) and no sidecar.
  writeFileSync(join(clips.dir, 'en.srt'), '1\n00:00:00,500 --> 00:00:01,000\nHello\n');
  writeFileSync(join(clips.dir, 'fr.srt'), '1\n00:00:00,700 --> 00:00:01,200\nBonjour\n');
  const mkv = spawnSync(resolveFfmpeg(), ['-v', 'error', '-i', join(clips.dir, 'clip-sample.mp4'), '-i', join(clips.dir, 'en.srt'), '-i', join(clips.dir, 'fr.srt'),
    '-map', '0:v', '-map', '1', '-map', '2', '-c:v', 'copy', '-c:s', 'srt', '-metadata:s:s:0', 'language=eng', '-metadata:s:s:1', 'language=fre', join(clips.dir, 'inside.mkv')], { encoding: 'utf8' });
  if (mkv.status !== 0) throw new Error(`making inside.mkv: ${mkv.stderr}`);
  srv = await startTestServer({ mediaDir: clips.dir });
});
afterAll(async () => {
  await srv?.close();
  clips?.remove();
});

describe('subtitles of a file over RTSP (T.140)', () => {
  it('a raw reader gets each cue and clear at its time relative to the video, by RTP-Info and by RTCP SR', async () => {
    const r = await readText(srv.rtspPort, srv.url('clip-sample.mp4'));
    onTestFinished(() => r.close());
    expect(r.sdp).toMatch(/m=text 0 RTP\/AVP (\d+)\r\n(?:i=English\r\n)a=rtpmap:\1 t140\/1000\r\n/);
    expect(r.sdp).toContain('a=lang:en');
    const text = r.tracks.find((t) => t.kind === 'text')!;
    const video = r.tracks.find((t) => t.kind === 'video')!;
    await waitFor(() => r.cues().length >= 5, 20_000, 'five text packets');
    const base = r.rtptime[text.id]!;
    // RTP-Info: each track's rtptime is npt 0, so a cue's offset from it is its npt.
    expect(r.cues().map((c) => [((c.ts - base) >>> 0) / 1000, c.text])).toEqual([
      [0.4, 'One'],
      [1, 'Two\nlines'],
      [1.6, ''],
      [1.8, 'Three'],
      [2.5, ''],
    ]);
    // RTCP SRs: the wall clock of a cue minus the wall clock of the video's npt 0.
    await waitFor(() => r.wallOf(text.id, 0) !== undefined && r.wallOf(video.id, 0) !== undefined, 10_000, 'SRs on both tracks');
    const videoZero = r.wallOf(video.id, r.rtptime[video.id]!, true)!;
    const offsets = r.cues().map((c) => (r.wallOf(text.id, c.ts, true)! - videoZero) / 1000);
    offsets.forEach((o, i) => expect(o).toBeCloseTo([0.4, 1, 1.6, 1.8, 2.5][i]!, 2));
  });

  it('a PLAY with a Range into a cue starts with that cue, stamped at its own start', async () => {
    const r = await readText(srv.rtspPort, srv.url('clip-sample.mp4'), 2.2);
    onTestFinished(() => r.close());
    const text = r.tracks.find((t) => t.kind === 'text')!;
    await waitFor(() => r.cues().length >= 2, 20_000, 'the cue and its clear');
    // The server starts at the key frame at or before 2.2 s (2.0 s in this clip; Range says so), inside "Three" (1.8 s to 2.5 s).
    const start = r.start!;
    expect(start).toBe(2);
    const at = (ts: number): number => Math.round(((ts - r.rtptime[text.id]!) | 0) + start * 1000) / 1000;
    const cues = r.cues().map((c) => [at(c.ts), c.text]);
    expect(cues.slice(0, 2)).toEqual([[1.8, 'Three'], [2.5, '']]);
  });

  it('subtitle tracks inside an MKV are text tracks too, each with its language and cues', async () => {
    const r = await readText(srv.rtspPort, srv.url('inside.mkv'));
    onTestFinished(() => r.close());
    expect(r.tracks.map((t) => [t.kind, t.language])).toEqual([['video', undefined], ['text', 'eng'], ['text', 'fre']]);
    const fr = r.tracks[2]!;
    const cues = () => r.client.rtpOn(2 * fr.id).map((p) => [((p.timestamp - r.rtptime[fr.id]!) >>> 0) / 1000, decodeT140(p.payload)]);
    await waitFor(() => cues().length >= 2, 20_000, 'the French cue and its clear');
    expect(cues()).toEqual([[0.7, 'Bonjour'], [1.2, '']]);
  });

  it('ffprobe lists the text stream beside the video', async () => {
    const ffprobe = resolveFfprobe();
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_type,codec_name', '-of', 'csv=p=0', srv.url('clip-sample.mp4')];
    const res = await run(ffprobe, args, { timeoutMs: 20_000 });
    const lines = res.stdout.trim().split('\n');
    expect(lines, describeRun(ffprobe, args, res)).toContain('text,subtitle');
    expect(lines.some((l) => l.endsWith(',video'))).toBe(true);
  });

  it('GStreamer playbin, which has no T.140 depayloader, still plays the file to its end beside the text track', async () => {
    const args = ['-q', 'playbin', `uri=${srv.url('clip-sample.mp4')}`, 'video-sink=fakesink', 'audio-sink=fakesink', 'text-sink=fakesink'];
    const res = await run('gst-launch-1.0', args, { timeoutMs: 30_000 });
    expect(res.code, describeRun('gst-launch-1.0', args, res)).toBe(0);
  });

  it('progressive MP4 of the same file leaves the text track out', async () => {
    const ffprobe = resolveFfprobe();
    const args = ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', srv.httpUrl('clip-sample.mp4/stream.mp4')];
    const res = await run(ffprobe, args, { timeoutMs: 20_000 });
    expect(res.stdout.trim().split('\n'), describeRun(ffprobe, args, res)).toEqual(['video', 'audio']);
  });
});
