// Live publishing: ffmpeg and GStreamer publish over UDP and TCP; ffmpeg reads the live path; a
// second publisher is refused; readers get BYE when the publisher leaves; codecs H.264/H.265/AAC/Opus/G.711.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { bodyText, RawRtspClient, sleep } from '../helpers/rtsp-client.js';

let srv: TestServer;
let ffmpeg: string;
let ffprobe: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  ffprobe = resolveFfprobe();
  srv = await startTestServer();
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await srv?.close();
});

/** Starts a publisher in the background; its stderr is kept for failure messages. */
function publish(cmd: string, args: string[]): { child: ChildProcess; stderr: () => string } {
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { child, stderr: () => err };
}

const ffPublish = (path: string, transport: 'udp' | 'tcp', input: string[] = ['-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy']): ReturnType<typeof publish> =>
  publish(ffmpeg, ['-v', 'error', '-re', ...input, '-f', 'rtsp', '-rtsp_transport', transport, srv.url(path)]);

/** Waits until DESCRIBE of `path` answers 200 (the publisher is live); the deadline is for a loaded machine. */
async function waitLive(path: string, ms = 45_000): Promise<void> {
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    const r = await run(ffprobe, ['-v', 'quiet', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', srv.url(path)], { timeoutMs: 8000 });
    if (r.code === 0 && r.stdout.trim()) return;
    await sleep(300);
  }
  throw new Error(`/${path} did not go live within ${ms} ms`);
}

async function readFor(path: string, transport: 'udp' | 'tcp', seconds: number): Promise<{ frames: number; args: string[]; r: Awaited<ReturnType<typeof run>> }> {
  const args = ['-v', 'error', '-rtsp_transport', transport, '-i', srv.url(path), '-t', String(seconds), '-map', '0:v', '-f', 'framecrc', '-'];
  const r = await run(ffmpeg, args, { timeoutMs: (seconds + 15) * 1000 });
  const frames = r.stdout.split('\n').filter((l) => /^0,/.test(l)).length;
  return { frames, args, r };
}

/**
 * A read of `seconds` of media (ffmpeg's -t counts media time, not wall time). With TCP all the
 * way, every frame decodes without a word on stderr. With UDP on the way (the publisher's leg or
 * the reader's), a datagram dropped by a loopback starved of CPU costs frames and makes ffmpeg say
 * so: that read is held to decoding, not to every frame.
 */
function expectRead(x: Awaited<ReturnType<typeof readFor>>, seconds: number, allTcp: boolean): void {
  const info = describeRun(ffmpeg, x.args, x.r);
  expect(x.r.code, info).toBe(0);
  if (!allTcp) return void expect(x.frames, info).toBeGreaterThan(0);
  expect(x.r.stderr, info).toBe('');
  // 30 fps; a reader joining mid-GOP starts at the cached key frame, so nothing is lost. ffmpeg's
  // -t counts from the earliest stream's start, which at a live join can be audio up to a few
  // frames ahead of the key frame: 10 frames of slack, while a lost GOP (30 frames or more) shows.
  expect(x.frames, info).toBeGreaterThanOrEqual(seconds * 30 - 10);
}

describe('ffmpeg publishes, ffmpeg reads', () => {
  for (const pub of ['udp', 'tcp'] as const) {
    it(`publish over ${pub}; readers over UDP and TCP decode cleanly`, async () => {
      const path = `live/ff-${pub}`;
      const p = ffPublish(path, pub);
      await waitLive(path);
      const [u, t] = await Promise.all([readFor(path, 'udp', 4), readFor(path, 'tcp', 4)]);
      expectRead(u, 4, false);
      expectRead(t, 4, pub === 'tcp');
      p.child.kill('SIGINT');
      expect(p.stderr()).toBe('');
    }, 120_000);
  }

  it('a reader joining mid-stream gets a key frame first (GOP cache) and decodes from its first second', async () => {
    const path = 'live/gop';
    const p = ffPublish(path, 'tcp');
    await waitLive(path);
    await sleep(1000); // join well inside a 2 s GOP
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-read_intervals', '%+1', '-select_streams', 'v', '-show_entries', 'frame=key_frame,pict_type', '-of', 'csv', srv.url(path)];
    const r = await run(ffprobe, args, { timeoutMs: 20_000 });
    const frames = r.stdout.split('\n').filter((l) => l.startsWith('frame'));
    expect(r.code, describeRun(ffprobe, args, r)).toBe(0);
    expect(frames[0], r.stdout.slice(0, 400)).toMatch(/^frame,1,I/);
    // A full second of pictures from the first second on: no wait for the next key frame.
    expect(frames.length).toBeGreaterThanOrEqual(25);
    p.child.kill('SIGINT');
  }, 120_000);

  it('refuses a second publisher with 403 and a reason; the first keeps publishing', async () => {
    const path = 'live/busy';
    const first = ffPublish(path, 'tcp');
    await waitLive(path);
    const second = await run(ffmpeg, ['-v', 'error', '-re', '-i', `${MEDIA_DIR}/sample.mp4`, '-t', '2', '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)], { timeoutMs: 20_000 });
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/403/);
    // The refusal names neither the first publisher's session id nor its address.
    const c = await RawRtspClient.open(srv.rtspPort);
    const busy = await c.request('ANNOUNCE', srv.url(path), { 'Content-Type': 'application/sdp' }, 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n');
    c.close();
    expect(busy.status).toBe(403);
    const publisher = [...srv.rtsp.sessions.values()].find((s) => s.path === path && s.media.kind === 'publish')!;
    expect(bodyText(busy)).toMatch(/already being published/);
    expect(bodyText(busy)).not.toContain(publisher.id);
    expect(bodyText(busy)).not.toContain('127.0.0.1');
    expectRead(await readFor(path, 'tcp', 2), 2, true);
    first.child.kill('SIGINT');
  }, 120_000);

  it('readers end when the publisher leaves; a new publisher on the path serves new readers', async () => {
    const path = 'live/leave';
    const p = ffPublish(path, 'udp');
    await waitLive(path);
    const reader = run(ffmpeg, ['-v', 'error', '-rtsp_transport', 'tcp', '-i', srv.url(path), '-f', 'null', '-'], { timeoutMs: 30_000 });
    await sleep(2000);
    p.child.kill('SIGKILL'); // no TEARDOWN: the server notices the closed connection
    const r = await reader;
    expect(r.timedOut).toBe(false); // it ended on its own: BYE / end of stream
    const again = ffPublish(path, 'tcp');
    await waitLive(path);
    expectRead(await readFor(path, 'tcp', 2), 2, true);
    again.child.kill('SIGINT');
  }, 120_000);
});

describe('codecs through publish and read', () => {
  const cases: { name: string; enc: string[]; expect: string[] }[] = [
    { name: 'H.265 + Opus', enc: ['-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'keyint=30:log-level=error', '-c:a', 'libopus'], expect: ['hevc', 'opus'] },
    { name: 'H.264 + G.711 µ-law', enc: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'pcm_mulaw', '-ar', '8000', '-ac', '1'], expect: ['h264', 'pcm_mulaw'] },
    { name: 'H.264 + G.711 A-law', enc: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1'], expect: ['h264', 'pcm_alaw'] },
    { name: 'H.264 + AAC', enc: ['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '30', '-c:a', 'aac'], expect: ['h264', 'aac'] },
  ];
  for (const c of cases) {
    it(`${c.name}: ffprobe reads back the codecs and ffmpeg decodes`, async () => {
      const path = `codec/${c.expect.join('-')}`;
      const input = ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000', '-pix_fmt', 'yuv420p', ...c.enc];
      const p = ffPublish(path, 'tcp', input);
      await waitLive(path);
      const probe = await run(ffprobe, ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', srv.url(path)], { timeoutMs: 15_000 });
      expect(probe.stdout.trim().split('\n').sort(), probe.stderr).toEqual([...c.expect].sort());
      expectRead(await readFor(path, 'tcp', 2), 2, true);
      p.child.kill('SIGINT');
      expect(p.stderr()).toBe('');
    }, 120_000);
  }
});

describe('GStreamer rtspclientsink publishes', () => {
  for (const proto of ['tcp', 'udp'] as const) {
    it(`over ${proto}: ffmpeg reads the stream (H.264 + Opus)`, async () => {
      const path = `live/gst-${proto}`;
      const args = [
        '-q',
        'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!', 'x264enc', 'tune=zerolatency', 'key-int-max=30', '!', 'h264parse', '!', 's.sink_0',
        'audiotestsrc', 'is-live=true', '!', 'audioconvert', '!', 'opusenc', '!', 's.sink_1',
        'rtspclientsink', 'name=s', `location=${srv.url(path)}`, `protocols=${proto}`,
      ];
      const p = publish('gst-launch-1.0', args);
      await waitLive(path);
      expectRead(await readFor(path, 'tcp', 2), 2, proto === 'tcp');
      p.child.kill('SIGINT');
    }, 120_000);
  }
});
