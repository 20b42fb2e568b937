// G.722, LPCM (L16/L24), M-JPEG and KLV end to end: ffmpeg publishes the bundled clips (media/sample-*),
// ffprobe reads them back over RTSP UDP and TCP, and stream.mp4 carries what fMP4 has a place for
// (LPCM as 'ipcm', M-JPEG as 'mp4v') in a form ffmpeg decodes; what has none is refused in words.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { waitLive as waitLiveAt } from '../helpers/read.js';

let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
let dir: string;

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-codecs-more-'));
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

function publisher(cmd: string, args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  onTestFinished(() => {
    child.kill('SIGKILL');
  });
  return { child, stderr: () => err };
}

/** ffmpeg publishes a bundled clip in a loop, at its own pace. */
const publishClip = (path: string, clip: string, codec: string[]): ReturnType<typeof publisher> =>
  publisher(ffmpeg, ['-v', 'error', '-re', '-stream_loop', '-1', '-i', join(MEDIA_DIR, clip), ...codec, '-t', '120', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)]);

type Streams = Record<string, string>[];

async function probe(url: string, extra: string[]): Promise<{ streams: Streams; detail: string }> {
  const args = ['-v', 'error', ...extra, '-show_entries', 'stream=codec_name,codec_tag_string,sample_rate,channels,width,height', '-of', 'json', url];
  const r = await run(ffprobe, args, { timeoutMs: 20_000 });
  let streams: Streams = [];
  try {
    streams = (JSON.parse(r.stdout) as { streams?: Streams }).streams ?? [];
  } catch {
    /* reported through detail */
  }
  return { streams: streams.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, String(v)]))), detail: describeRun(ffprobe, args, r) };
}

/** Waits until the path is live; the publisher's words go into the timeout. */
async function waitLive(path: string, pub: { stderr: () => string }): Promise<void> {
  await waitLiveAt(srv.url(path), `/${path} to go live`).catch((e: Error) => {
    throw new Error(`${e.message}; publisher said:\n${pub.stderr()}`);
  });
}

async function expectRtsp(path: string, expected: Record<string, string>[]): Promise<void> {
  const probes = await Promise.all(['udp', 'tcp'].map((t) => probe(srv.url(path), ['-rtsp_transport', t])));
  for (const p of probes) {
    expect(p.streams.length, p.detail).toBe(expected.length);
    expected.forEach((e, i) => expect(p.streams[i], p.detail).toMatchObject(e));
  }
}

/** stream.mp4 of the path: ffprobe sees `expected`, and ffmpeg decodes at least `minFrames` frames of it. */
async function expectMp4(path: string, expected: Record<string, string>, minFrames: number): Promise<void> {
  const url = srv.httpUrl(`${path}/stream.mp4`);
  const p = await probe(url, []);
  expect(p.streams.length, p.detail).toBe(1);
  expect(p.streams[0], p.detail).toMatchObject(expected);
  const args = ['-v', 'error', '-i', url, '-t', '1', '-f', 'framecrc', '-'];
  const r = await run(ffmpeg, args, { timeoutMs: 25_000 });
  expect(r.code, describeRun(ffmpeg, args, r)).toBe(0);
  expect(r.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun(ffmpeg, args, r)).toBeGreaterThanOrEqual(minFrames);
}

async function expectRefused(url: string, words: RegExp): Promise<void> {
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = await res.text();
  expect(res.status, body).toBe(415);
  expect(body).toMatch(words);
}

describe('bundled clips published with ffmpeg, read back over RTSP and stream.mp4', () => {
  it('G.722 (sample-g722.mka, -c copy): 16 kHz mono over UDP and TCP; no place in MP4, TS or HLS, said so', async () => {
    const pub = publishClip('g722', 'sample-g722.mka', ['-c', 'copy']);
    await waitLive('g722', pub);
    await expectRtsp('g722', [{ codec_name: 'adpcm_g722', sample_rate: '16000', channels: '1' }]);
    await expectRefused(srv.httpUrl('g722/stream.mp4'), /G722.*stream\.mp4 carries/);
    await expectRefused(srv.httpUrl('g722/stream.ts'), /G722/);
    await expectRefused(srv.httpUrl('g722/index.m3u8'), /G722.*HLS needs/);
  });

  it.each([
    ['l16', 'pcm_s16be', '16000', '1'],
    ['l24', 'pcm_s24be', '48000', '2'],
  ])('%s (sample-l16.wav as %s, %s Hz, %s channel(s)): RTSP over UDP and TCP, and stream.mp4 as ipcm', async (path, codec, rate, channels) => {
    const pub = publishClip(path, 'sample-l16.wav', ['-c:a', codec, '-ar', rate, '-ac', channels]);
    await waitLive(path, pub);
    const audio = { codec_name: codec, sample_rate: rate, channels };
    await expectRtsp(path, [audio]);
    // ~50 packets of 20 ms a second: the 1 s decode sees most of them.
    await expectMp4(path, { ...audio, codec_tag_string: 'ipcm' }, 20);
    await expectRefused(srv.httpUrl(`${path}/stream.ts`), /L(16|24)/);
  });

  it('M-JPEG (sample-mjpeg.mkv, -c copy): 320x240 over UDP and TCP, and stream.mp4 as mp4v', async () => {
    const pub = publishClip('mjpeg', 'sample-mjpeg.mkv', ['-c', 'copy']);
    await waitLive('mjpeg', pub);
    const video = { codec_name: 'mjpeg', width: '320', height: '240' };
    await expectRtsp('mjpeg', [video]);
    await expectMp4('mjpeg', { ...video, codec_tag_string: 'mp4v' }, 5);
  });
});

describe('KLV beside video', () => {
  it('GStreamer publishes M-JPEG + KLV: stream.mp4 carries the video and leaves KLV out; rtspsrc reads the KLV units back over UDP and TCP', async () => {
    const unit = Buffer.from('060e2b34020b01010e010301010000000a02080000000000000002', 'hex');
    const file = join(dir, 'unit.klv');
    writeFileSync(file, unit);
    const pub = publisher('gst-launch-1.0', [
      '-q', 'rtspclientsink', 'name=s', `location=${srv.url('jpeg-klv')}`,
      'videotestsrc', 'is-live=true', '!', 'video/x-raw,format=I420,width=320,height=240,framerate=10/1', '!', 'jpegenc', '!', 's.',
      'multifilesrc', `location=${file}`, 'loop=true', 'do-timestamp=true', 'caps=meta/x-klv,parsed=(boolean)true', '!',
      'identity', 'sleep-time=50000', '!', 's.',
    ]);
    await waitLive('jpeg-klv', pub);
    await expectMp4('jpeg-klv', { codec_name: 'mjpeg', width: '320', height: '240' }, 3);
    const reader = resolve(import.meta.dirname, '../fixtures/gst-klv-read.py');
    for (const protocols of ['udp', 'tcp']) {
      const args = [reader, srv.url('jpeg-klv'), '--protocols', protocols, '--units', '5', '--deadline', '15'];
      const r = await run('/usr/bin/python3', args, { timeoutMs: 25_000, stdin: 'pipe' });
      const detail = describeRun('python3', args, r) + `\npublisher: ${pub.stderr()}`;
      const got = JSON.parse(r.stdout || '{}') as { units?: number; distinct?: string[] };
      expect(got.units, detail).toBe(5);
      expect(got.distinct, detail).toEqual([unit.toString('hex')]);
    }
  });
});
