// Chromium plays /<path>/stream.mp4 in a plain <video> element: a media file and a live path.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { publishSample, type Publisher } from '../http/hls-source.js';

let srv: TestServer;
let pub: Publisher;
let browser: Browser;
const LIVE = 'live/video-element';

beforeAll(async () => {
  srv = await startTestServer();
  pub = publishSample(srv, LIVE);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  pub?.stop();
  await srv?.close();
});

interface VideoState {
  currentTime: number;
  readyState: number;
  error: string | null;
  width: number;
  height: number;
  decoded: number;
}

const state = (p: Page): Promise<VideoState> =>
  p.evaluate(() => {
    const v = document.querySelector('video')!;
    const q = v.getVideoPlaybackQuality?.();
    return {
      currentTime: v.currentTime,
      readyState: v.readyState,
      error: v.error ? `${v.error.code} ${v.error.message}` : null,
      width: v.videoWidth,
      height: v.videoHeight,
      decoded: q ? q.totalVideoFrames : 0,
    };
  });

/**
 * Opens a page with `<video src=url autoplay muted>` and waits until it has played `seconds` of
 * media past its first frame and decoded `frames` frames (a deadline for a loaded machine, not a rate).
 */
async function play(url: string, seconds: number, frames: number, shot: string): Promise<{ last: VideoState; why: string }> {
  const log: string[] = [];
  const p = await testPage(browser, log);
  await p.setContent(`<video src="${url}" autoplay muted playsinline></video>`);
  let first: number | undefined;
  let last: VideoState | undefined;
  const why = (): string => `last: ${JSON.stringify(last)}\npage log:\n${log.join('\n')}`;
  await waitFor(
    async () => {
      last = await state(p);
      if (last.error) throw new Error(`the video element failed: ${why()}`);
      if (first === undefined && last.currentTime > 0) first = last.currentTime;
      return first !== undefined && last.currentTime - first >= seconds && last.decoded >= frames;
    },
    60_000,
    `${seconds} s of ${url} played`,
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n${why()}`);
  });
  await p.screenshot({ path: artifactPath(shot) });
  return { last: last!, why: why() };
}

describe('<video src=.../stream.mp4>', () => {
  it('plays a media file', async () => {
    const { last, why } = await play(srv.httpUrl('sample.mp4/stream.mp4'), 2.5, 60, 'progressive-file.png');
    expect(last.error, why).toBeNull();
    expect(last.width, why).toBe(640);
  });

  it('plays a live path', async () => {
    await waitFor(async () => (await fetch(srv.httpUrl(`${LIVE}/stream.mp4`), { method: 'HEAD' })).status === 200, 45_000, 'the live path to be published');
    const { last, why } = await play(srv.httpUrl(`${LIVE}/stream.mp4`), 4, 100, 'progressive-live.png');
    expect(last.error, why).toBeNull();
    expect(last.width, why).toBe(640);
  });
});
