// MPEG-4 Audio as LATM, MPEG-1/2 Audio (MP3) and AC-3: ffmpeg or GStreamer publishes, ffprobe reads the
// codec back over RTSP UDP and TCP, and ffmpeg decodes the audio of stream.mp4 and stream.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { UDP_BUFFER, waitFor } from '../helpers/read.js';

let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
let children: ChildProcess[] = [];

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  srv = await startTestServer();
});
afterEach(() => {
  for (const c of children) c.kill('SIGKILL');
  children = [];
});
afterAll(async () => {
  await srv?.close();
});

function publish(cmd: string, args: string[]): () => string {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  return () => err;
}

const ffPublish = (path: string, codec: string[], rate: number, channels: number): (() => string) =>
  publish(ffmpeg, ['-v', 'error', '-re', '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=${rate}`, '-ac', String(channels), ...codec, '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)]);

const gstAudio = (path: string, encoder: string, rate: number, channels: number): (() => string) =>
  publish('gst-launch-1.0', ['-q', 'audiotestsrc', 'is-live=true', '!', 'audioconvert', '!', 'audioresample', '!', `audio/x-raw,rate=${rate},channels=${channels}`, '!', encoder, '!', 'rtspclientsink', `location=${srv.url(path)}`, 'protocols=tcp']);

interface Probed {
  codec_name: string;
  sample_rate: string;
  channels: number;
}

async function probe(url: string, transport?: 'udp' | 'tcp'): Promise<{ streams: Probed[]; info: string }> {
  const args = ['-v', 'error', ...(transport ? ['-rtsp_transport', transport, ...(transport === 'udp' ? UDP_BUFFER : [])] : []), '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'json', url];
  const r = await run(ffprobe, args, { timeoutMs: 20_000 });
  let streams: Probed[] = [];
  try {
    streams = (JSON.parse(r.stdout) as { streams?: Probed[] }).streams ?? [];
  } catch {
    streams = [];
  }
  return { streams, info: describeRun(ffprobe, args, r) };
}

/** Waits for the path to be live with an audio stream ffprobe can read over TCP. */
async function waitLive(path: string, stderr: () => string): Promise<void> {
  await waitFor(async () => (await probe(srv.url(path), 'tcp')).streams.some((s) => s.sample_rate), 45_000, `/${path} live (publisher said: ${stderr()})`, 300);
}

/** Decoded audio frames of the first `seconds` of `url` (HTTP progressive). */
async function decodedAudio(url: string, seconds = 2): Promise<{ frames: number; info: string }> {
  const args = ['-v', 'error', '-i', url, '-t', String(seconds), '-map', '0:a:0', '-f', 'framecrc', '-'];
  const r = await run(ffmpeg, args, { timeoutMs: (seconds + 25) * 1000 });
  return { frames: r.stdout.split('\n').filter((l) => /^0,/.test(l)).length, info: describeRun(ffmpeg, args, r) };
}

async function expectCarried(path: string, codec: string, rate: number, channels: number, stderr: () => string): Promise<void> {
  await waitLive(path, stderr);
  const probes = await Promise.all((['udp', 'tcp'] as const).map((transport) => probe(srv.url(path), transport)));
  for (const p of probes) {
    const a = p.streams.find((s) => s.sample_rate);
    expect(a, p.info).toBeDefined();
    expect(a!.codec_name, p.info).toBe(codec);
    expect(Number(a!.sample_rate), p.info).toBe(rate);
    expect(a!.channels, p.info).toBe(channels);
  }
  // HLS first: its playlist must not need an HTTP reader before it to have learnt the MP3/AC-3 frame header.
  const hls = await decodedAudio(srv.httpUrl(`${path}/index.m3u8`));
  expect(hls.frames, hls.info).toBeGreaterThan(0);
  const progressive = await Promise.all(['stream.mp4', 'stream.ts'].map((file) => decodedAudio(srv.httpUrl(`${path}/${file}`), 1)));
  for (const d of progressive) expect(d.frames, d.info).toBeGreaterThan(0);
}

describe('audio codecs published live', () => {
  it('ffmpeg publishes AAC as MP4A-LATM (-rtpflags latm)', async () => {
    const err = ffPublish('live/latm-ff', ['-c:a', 'aac', '-b:a', '48k', '-rtpflags', 'latm'], 44100, 1);
    await expectCarried('live/latm-ff', 'aac', 44100, 1, err);
  });

  it('GStreamer publishes AAC with rtspclientsink defaults (rtpmp4apay, MP4A-LATM)', async () => {
    const err = gstAudio('live/latm-gst', 'avenc_aac', 48000, 2);
    await expectCarried('live/latm-gst', 'aac', 48000, 2, err);
  });

  it('ffmpeg publishes MPEG-2 Layer III (libmp3lame at 22.05 kHz, static payload type 14)', async () => {
    // MPEG-2 audio: 576-sample frames, MP4 object type 0x69, TS stream type 0x04 (the clip below is MPEG-1).
    const err = ffPublish('live/mp3', ['-c:a', 'libmp3lame', '-b:a', '32k'], 22050, 2);
    await expectCarried('live/mp3', 'mp3', 22050, 2, err);
  });

  it('ffmpeg publishes the bundled media/sample-mp3.mp3 as it is (-c copy)', async () => {
    const err = publish(ffmpeg, ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample-mp3.mp3`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('live/mp3-file')]);
    await expectCarried('live/mp3-file', 'mp3', 44100, 1, err);
  });

  it('GStreamer publishes AC-3 (rtpac3pay; ffmpeg 5.1 has no AC-3 RTP packetizer)', async () => {
    const err = gstAudio('live/ac3', 'avenc_ac3', 48000, 2);
    await expectCarried('live/ac3', 'ac3', 48000, 2, err);
  });

  it('GStreamer x264enc + avenc_aac + rtspclientsink publishes with its defaults; ffmpeg reads the AAC back', async () => {
    const path = 'live/gst-natural';
    const err = publish('gst-launch-1.0', [
      '-q', 'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240,framerate=15/1', '!', 'x264enc', 'tune=zerolatency', 'key-int-max=30', '!',
      'video/x-h264,profile=baseline', '!', 'h264parse', '!', 'rtspclientsink', `location=${srv.url(path)}`, 'name=s',
      'audiotestsrc', 'is-live=true', '!', 'audioconvert', '!', 'avenc_aac', '!', 's.',
    ]);
    await waitLive(path, err);
    const p = await probe(srv.url(path), 'tcp');
    const a = p.streams.find((s) => s.sample_rate);
    expect(a?.codec_name, p.info).toBe('aac');
    expect(Number(a!.sample_rate), p.info).toBe(44100);
    expect(a!.channels, p.info).toBe(1);
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-i', srv.url(path), '-t', '2', '-map', '0:a:0', '-f', 'framecrc', '-'];
    const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
    expect(r.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun(ffmpeg, args, r)).toBeGreaterThan(10);
  });
});

describe('the bundled audio clips as file paths', () => {
  it.each([
    ['sample-mp3.mp3', 'mp3', 44100, 1],
    ['sample-ac3.mka', 'ac3', 48000, 2],
  ])('%s: RTSP readers and stream.mp4/.ts/HLS decode it', async (file, codec, rate, channels) => {
    await expectCarried(file, codec, rate, channels, () => '');
  });
});
