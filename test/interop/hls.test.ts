// Classic HLS clients on Tidecast's playlists: ffmpeg decodes live (published, testsrc) and VOD with no error; VLC decodes both.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, chmodSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMediaFile } from '../../server/sources/file/demux.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';

let srv: TestServer;
let pub: Publisher;
let tmp: string;
const LIVE = 'live/classic';

beforeAll(async () => {
  srv = await startTestServer();
  pub = publishSample(srv, LIVE);
  tmp = mkdtempSync(join(tmpdir(), 'tidecast-hls-'));
  chmodSync(tmp, 0o755); // VLC runs as nobody and must reach its own output directory inside
  await waitPlaylist(srv.httpUrl(`${LIVE}/index.m3u8`));
});
afterAll(async () => {
  pub?.stop();
  await srv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function ffDecode(url: string, seconds?: number): Promise<{ video: number; audio: number; stderr: string; why: string }> {
  const args = ['-v', 'error', '-i', url, ...(seconds ? ['-t', String(seconds)] : []), '-f', 'framecrc', '-'];
  const r = await run(resolveFfmpeg(), args, { timeoutMs: 60_000 });
  const lines = r.stdout.split('\n');
  return { video: lines.filter((l) => /^0,/.test(l)).length, audio: lines.filter((l) => /^1,/.test(l)).length, stderr: r.stderr, why: describeRun('ffmpeg', args, r) };
}

describe('ffmpeg plays HLS', () => {
  for (const name of ['sample.mp4', 'sample.mkv', 'sample.ts']) {
    it(`VOD ${name}: every frame and audio packet, no error`, async () => {
      const file = await loadMediaFile(`${MEDIA_DIR}/${name}`);
      const d = await ffDecode(srv.httpUrl(`${name}/index.m3u8`));
      expect(d.stderr, d.why).toBe('');
      expect(d.video).toBe(file.units[0]!.length);
      expect(d.audio).toBe(file.units[1]!.length);
    });
  }

  it('live (published H.264 with B-frames + AAC): 8 s decode with no error', async () => {
    const d = await ffDecode(srv.httpUrl(`${LIVE}/index.m3u8`), 8);
    expect(d.stderr, d.why).toBe('');
    // 8 s at 30 fps and 48000/1024 AAC frames per second, less up to half a second: `-t` counts
    // from the first timestamp of either stream, and a segment's audio starts up to ~0.3 s before
    // its key frame (measured): parts take audio as it arrives, and ffmpeg's publisher sends audio
    // after the video of the same time, so waiting for it would only add latency.
    expect(d.video).toBeGreaterThanOrEqual(225);
    expect(d.audio).toBeGreaterThanOrEqual(350);
  });

  it('live H.265 + Opus (hvc1/hvcC, Opus/dOps) published by ffmpeg: 5 s decode with no error', async () => {
    const path = 'live/hevc-opus';
    const child = spawn(resolveFfmpeg(), [
      '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25', '-re', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=25:min-keyint=25:scenecut=0', '-c:a', 'libopus', '-ac', '2',
      '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path),
    ], { stdio: 'ignore' });
    try {
      const text = await waitPlaylist(srv.httpUrl(`${path}/index.m3u8`));
      expect(text).toContain('#EXT-X-PART:');
      const d = await ffDecode(srv.httpUrl(`${path}/index.m3u8`), 5);
      expect(d.stderr, d.why).toBe('');
      expect(d.video).toBeGreaterThanOrEqual(112); // 5 s at 25 fps, less half a second (see above)
      expect(d.audio).toBeGreaterThanOrEqual(225); // 20 ms Opus frames
      const probe = await run(resolveFfprobe(), ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', srv.httpUrl(`${path}/index.m3u8`)], { timeoutMs: 30_000 });
      // The HLS demuxer lists its program's streams too: compare the distinct lines.
      expect([...new Set(probe.stdout.split('\n').map((l) => l.trim()).filter(Boolean))].sort()).toEqual(['hevc,320,180', 'opus']);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('live testsrc (x264 zerolatency + AAC from the ffmpeg source): 5 s decode with no error', async () => {
    const d = await ffDecode(srv.httpUrl('testsrc/index.m3u8'), 5);
    expect(d.stderr, d.why).toBe('');
    expect(d.video).toBeGreaterThanOrEqual(135);
    expect(d.audio).toBeGreaterThanOrEqual(210);
  });
});

/**
 * VLC (as nobody: it refuses root) plays `url` for `seconds` of media (--stop-time is a media
 * position), saving every 15th decoded picture as PNG. Late pictures are neither skipped by the
 * decoder nor dropped by the output: on a loaded machine VLC would otherwise drop what it decodes
 * late, and the count would measure the machine.
 */
async function vlcFrames(url: string, seconds: number): Promise<{ pngs: string[]; why: string; stderr: string }> {
  const dir = mkdtempSync(join(tmp, 'vlc-'));
  chmodSync(dir, 0o755);
  chownSync(dir, 65534, 65534); // nobody
  const args = ['-u', 'nobody', '--', 'env', 'HOME=/tmp', 'cvlc', '-I', 'dummy', '--play-and-exit', '--vout=dummy', '--aout=dummy', '--no-drop-late-frames', '--no-skip-frames',
    `--stop-time=${seconds}`, '--video-filter=scene', `--scene-path=${dir}`, '--scene-prefix=f', '--scene-ratio=15', '--scene-format=png', url];
  const r = await run('runuser', args, { timeoutMs: (seconds + 30) * 1000, stopAfterMs: (seconds + 20) * 1000, stopSignal: 'SIGTERM' });
  const pngs = readdirSync(dir).filter((f) => f.endsWith('.png') && statSync(join(dir, f)).size > 1000);
  return { pngs, why: describeRun('cvlc', args, r), stderr: r.stderr };
}

/** VLC error lines that mean the stream failed (its dbus/hotkey/filter-chain noise does not). */
const vlcStreamErrors = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => /(adaptive|mp4|avcodec|faad|http|input) [a-z ]*error/.test(l));

describe('VLC plays HLS over HTTP', () => {
  it('VOD sample.mp4: pictures decoded for 6 s', async () => {
    const v = await vlcFrames(srv.httpUrl('sample.mp4/index.m3u8'), 6);
    expect(vlcStreamErrors(v.stderr), v.why).toEqual([]);
    // 6 s at 30 fps, every 15th picture: about 12.
    expect(v.pngs.length, v.why).toBeGreaterThanOrEqual(8);
  });

  it('live: pictures decoded for 8 s', async () => {
    const v = await vlcFrames(srv.httpUrl(`${LIVE}/index.m3u8`), 8);
    expect(vlcStreamErrors(v.stderr), v.why).toEqual([]);
    expect(v.pngs.length, v.why).toBeGreaterThanOrEqual(8);
  });
});
