// The web player's hls (hls.js, LL-HLS) and mp4 (MSE, progressive fMP4) modes in headless Chromium, on a live path and on media/sample.mp4.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage } from '../helpers/browser.js';
import { sleep } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';
import { buildPlayer, playerUrl, stats, waitStats } from './player-page.js';

let srv: TestServer;
let browser: Browser;
let pub: Publisher;
const LIVE = 'live/modes';

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer();
  browser = await launchBrowser();
  pub = publishSample(srv, LIVE);
  await waitPlaylist(srv.httpUrl(`${LIVE}/index.m3u8`));
});
afterAll(async () => {
  pub?.stop();
  await browser?.close();
  await srv?.close();
});

/** Opens the page, waits for playback, and checks that frames and decoded audio advance over 3 s. */
async function playsIn(mode: 'hls' | 'mp4', src: string): Promise<void> {
  const log: string[] = [];
  const page = await newPage(browser, log);
  await page.goto(playerUrl(srv, { src, mode }));
  const a = await waitStats(page, (s) => s.state === 'playing' && (s.framesDecoded ?? 0) > 10, log, 30_000, `${mode} playback of ${src}`);
  await sleep(3000);
  const b = await stats(page);
  const why = `${JSON.stringify(b)}\n${log.join('\n')}`;
  expect(b.mode).toBe(mode);
  expect(b.message, why).toBeNull();
  expect(b.framesDecoded! - a.framesDecoded!, why).toBeGreaterThan(45);
  // Chromium's decoded-audio byte counter: audio is being decoded by the element.
  expect(b.audioFramesDecoded! - a.audioFramesDecoded!, why).toBeGreaterThan(0);
  expect(b.position, why).toBeGreaterThan(a.position + 1.5);
  expect(await page.locator('#video').isVisible()).toBe(true);
  await page.close();
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
    const page = await newPage(browser, log);
    await page.goto(playerUrl(srv, { src: LIVE, mode: 'ws' }));
    await waitStats(page, (s) => s.state === 'playing', log, 20_000, 'ws playback');
    await page.selectOption('#mode', 'mp4');
    await page.waitForURL(/mode=mp4/);
    await waitStats(page, (s) => s.mode === 'mp4' && (s.framesDecoded ?? 0) > 10, log, 30_000, 'mp4 after the switch');
    await page.close();
  });
});
