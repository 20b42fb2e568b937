// The web player's hls (hls.js, LL-HLS) and mp4 (MSE, progressive fMP4) modes in headless Chromium, on a live path and on media/sample.mp4.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

let srv: TestServer;
let browser: Browser;
let pub: Publisher;
const LIVE = 'live/modes';

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer();
  browser = await launchBrowser();
  pub = publishSample(srv, LIVE);
  await waitPlaylist(srv.httpUrl(`${LIVE}/index.m3u8`), 45_000);
});
afterAll(async () => {
  pub?.stop();
  await browser?.close();
  await srv?.close();
});

/** Opens the page, waits for playback, then for frames, decoded audio and the position to advance. */
async function playsIn(mode: 'hls' | 'mp4', src: string): Promise<void> {
  const log: string[] = [];
  const page = await testPage(browser, log);
  await page.goto(playerUrl(srv, { src, mode }));
  const a = await waitStats(page, (s) => s.state === 'playing' && (s.framesDecoded ?? 0) > 10, log, undefined, `${mode} playback of ${src}`);
  // Chromium's decoded-audio byte counter: audio is being decoded by the element.
  const b = await waitStats(
    page,
    (s) => s.framesDecoded! > a.framesDecoded! + 45 && s.audioFramesDecoded! > a.audioFramesDecoded! && s.position > a.position + 1.5,
    log,
    undefined,
    `${mode} playback of ${src} advancing 1.5 s`,
  );
  const why = `${JSON.stringify(b)}\n${log.join('\n')}`;
  expect(b.mode).toBe(mode);
  expect(b.message, why).toBeNull();
  expect(await page.locator('#video').isVisible()).toBe(true);
}

describe('hls mode (hls.js, low-latency)', () => {
  it('plays a live path', () => playsIn('hls', LIVE));
  it('plays media/sample.mp4', () => playsIn('hls', 'sample.mp4'));
});

describe('mp4 mode (MSE on progressive fMP4)', () => {
  it('plays a live path', () => playsIn('mp4', LIVE));
  it('plays media/sample.mp4', () => playsIn('mp4', 'sample.mp4'));
});

describe('mode switch', () => {
  it('the mode menu reloads the page in the chosen mode', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(srv, { src: LIVE, mode: 'ws' }));
    await waitStats(page, (s) => s.state === 'playing', log, undefined, 'ws playback');
    await page.selectOption('#mode', 'mp4');
    await page.waitForURL(/mode=mp4/);
    await waitStats(page, (s) => s.mode === 'mp4' && (s.framesDecoded ?? 0) > 10, log, undefined, 'mp4 after the switch');
  });
});
