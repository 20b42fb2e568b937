// The Axis media-stream-library (npm, the best-known browser RTSP-over-WebSocket client) in headless
// Chromium: its Html5VideoPipeline (RTSP over our ws://HOST/rtsp with subprotocol `binary`, fMP4 into
// MSE) plays a file and a live path of H.264 without B-frames + AAC: the <video> clock advances and
// frames are decoded. The library's muxer takes no B-frames (composition offsets), so the clip has none.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { waitPlaylist } from '../http/hls-source.js';

const BUNDLE = resolve(import.meta.dirname, '../../node_modules/media-stream-library/dist/media-stream-library.min.js');
const CLIP = 'nob.mp4';

let srv: TestServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-axis-'));
  // 4 s of the sample re-encoded without B-frames (-bf 0), a key frame a second, AAC kept. The
  // library reads the AAC `config` as one 16-bit number (its esds): the server describes ffmpeg's
  // 5-byte config (119056e500) by its 2-byte core (server/sdp/aac-config.ts), or the library's
  // muxer stops with RangeError "value" argument is out of bounds.
  const args = ['-v', 'error', '-i', join(MEDIA_DIR, 'sample.mp4'), '-t', '4', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0', '-g', '30', '-pix_fmt', 'yuv420p', '-c:a', 'copy', join(dir, CLIP)];
  const r = spawnSync(resolveFfmpeg(), args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`making the clip: ${r.stderr}`);
  srv = await startTestServer({ mediaDir: dir });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface VideoState {
  currentTime: number;
  frames: number;
  error: string | null;
}

/** A page of our origin running the library's Html5VideoPipeline on `path`. */
async function play(path: string, log: string[]): Promise<Page> {
  const page = await testPage(browser, log);
  await page.goto(srv.httpUrl(''));
  await page.addScriptTag({ path: BUNDLE });
  // The library reports its failures with console.warn(error): keep the stack for a failing test.
  await page.evaluate(() => {
    const w = console.warn.bind(console);
    console.warn = (...a: unknown[]) => w(...a.map((x) => (x instanceof Error ? `${x.message} ${x.stack}` : x)));
  });
  await page.evaluate(
    ({ ws, rtsp }) => {
      const video = document.createElement('video');
      video.id = 'axis';
      video.muted = true;
      video.autoplay = true;
      document.body.append(video);
      const lib = (window as unknown as { mediaStreamLibrary: { pipelines: { Html5VideoPipeline: new (c: unknown) => { ready: Promise<void>; rtsp: { play(): void } } } } }).mediaStreamLibrary;
      const pipeline = new lib.pipelines.Html5VideoPipeline({ ws: { uri: ws }, rtsp: { uri: rtsp }, mediaElement: video });
      (window as unknown as { axisPipeline: unknown }).axisPipeline = pipeline;
      void pipeline.ready.then(() => pipeline.rtsp.play());
    },
    { ws: `ws://127.0.0.1:${srv.httpPort}/rtsp`, rtsp: srv.url(path) },
  );
  return page;
}

async function videoState(page: Page): Promise<VideoState> {
  return page.evaluate(() => {
    const v = document.getElementById('axis') as HTMLVideoElement;
    return { currentTime: v.currentTime, frames: v.getVideoPlaybackQuality().totalVideoFrames, error: v.error ? `${v.error.code} ${v.error.message}` : null };
  });
}

/** Polls the <video> until it has played `seconds` with decoded frames; fails with what it saw after `ms`. */
async function waitPlayed(page: Page, seconds: number, log: string[], ms = 45_000): Promise<VideoState> {
  const t0 = Date.now();
  let s = await videoState(page);
  while (!(s.currentTime > seconds && s.frames > 0)) {
    if (s.error || Date.now() - t0 > ms) throw new Error(`the <video> did not play ${seconds} s: ${JSON.stringify(s)}\n${log.join('\n')}`);
    await page.waitForTimeout(100);
    s = await videoState(page);
  }
  return s;
}

describe('Axis media-stream-library over ws://HOST/rtsp (subprotocol binary)', () => {
  it('plays a file without B-frames: currentTime advances, frames decoded', async () => {
    const log: string[] = [];
    const page = await play(CLIP, log);
    const s = await waitPlayed(page, 1.5, log);
    expect(s.frames, log.join('\n')).toBeGreaterThan(20);
    expect(s.error).toBeNull();
  }, 90_000);

  it('plays a live path ffmpeg publishes (no B-frames): currentTime advances, frames decoded', async () => {
    const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', join(dir, CLIP), '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('live/axis')];
    const pub = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    pub.stderr.on('data', (d) => (err += d));
    onTestFinished(() => void pub.kill('SIGKILL'));
    // The playlist answers once the publisher is up: the path exists.
    await waitPlaylist(srv.httpUrl('live/axis/index.m3u8'), 45_000);
    const log: string[] = [];
    const page = await play('live/axis', log);
    const s = await waitPlayed(page, 1.5, log);
    expect(s.frames, `${log.join('\n')}\npublisher: ${err}`).toBeGreaterThan(20);
    expect(s.error).toBeNull();
  }, 90_000);
});
