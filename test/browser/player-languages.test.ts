// The player's language menu in headless Chromium on the bundled two-language clip (English: 440 Hz stereo, French:
// 1000 Hz mono): ws mode sets up the chosen audio track and decodes it (its channel count says which one it hears);
// hls mode switches hls.js to the French rendition, on the file and on a live path.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';
import { publishSample, waitPlaylist } from '../http/hls-source.js';

const CLIP = 'sample-languages.mkv';
let srv: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

describe('language menu', () => {
  it('ws mode: plays English, then French after the menu choice', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(srv, { src: CLIP, mode: 'ws' }));
    const en = await waitStats(page, (s) => s.audioLanguage === 'eng' && s.audioChannels === 2 && (s.audioFramesDecoded ?? 0) > 0, log, undefined, 'English audio decoded');
    expect(en.audioChoices).toEqual(['eng', 'fre']);
    const menu = page.locator('#language');
    expect(await menu.isVisible()).toBe(true);
    expect(await menu.locator('option').allTextContents()).toEqual(['English', 'Français']);
    await menu.selectOption('fre');
    // Mono decoded audio: the French track is what is heard now, not just what was asked for.
    const fr = await waitStats(page, (s) => s.audioLanguage === 'fre' && s.audioChannels === 1 && (s.audioFramesDecoded ?? 0) > 0, log, undefined, 'French audio decoded');
    expect(fr.message, JSON.stringify(fr)).toBeNull();
    expect(await menu.inputValue()).toBe('fre');
  });

  it('ws mode: ?audio=fre starts with the French track', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(srv, { src: CLIP, mode: 'ws', audio: 'fre' }));
    await waitStats(page, (s) => s.audioLanguage === 'fre' && s.audioChannels === 1, log, undefined, 'French audio decoded');
  });

  it('hls mode: switches hls.js to the French rendition', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(playerUrl(srv, { src: CLIP, mode: 'hls' }));
    const en = await waitStats(page, (s) => s.state === 'playing' && s.audioLanguage === 'en', log, undefined, 'English rendition playing');
    expect(en.audioChoices).toEqual(['en', 'fr']);
    await page.locator('#language').selectOption('fr');
    await waitStats(page, (s) => s.audioLanguage === 'fr', log, undefined, 'French rendition chosen');
    // hls.js loads the French rendition's playlist and init segment (track id 2 of the clip).
    const deadline = Date.now() + 30_000;
    while (!fetched.some((p) => /t2\.mp4$/.test(p)) && Date.now() < deadline) await page.waitForTimeout(100);
    expect(fetched.filter((p) => /audio-2\.m3u8$|t2(-\d+)?\.mp4$/.test(p)).length, fetched.join('\n')).toBeGreaterThanOrEqual(2);
  });

  it('hls mode on a live path with two audio tracks: plays on after switching to the second rendition', async () => {
    const pub = publishSample(srv, 'live/languages', CLIP, ['-map', '0']);
    onTestFinished(() => pub.stop());
    await waitPlaylist(srv.httpUrl('live/languages/index.m3u8'));
    const log: string[] = [];
    const page = await testPage(browser, log);
    const fetched: string[] = [];
    page.on('request', (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(playerUrl(srv, { src: 'live/languages', mode: 'hls' }));
    // ffmpeg publishes no a=lang: the renditions are told apart by their order.
    await waitStats(page, (s) => s.state === 'playing' && (s.audioChoices ?? []).length === 2, log, undefined, 'live renditions playing');
    await page.locator('#language').selectOption('track1');
    const switched = await waitStats(page, () => fetched.some((p) => p.endsWith('/audio-2.m3u8')), log, undefined, 'the second rendition requested');
    await waitStats(
      page,
      (s) => s.state === 'playing' && s.audioFramesDecoded! > switched.audioFramesDecoded! && s.position > switched.position + 1,
      log,
      undefined,
      'audio decoded and the position advancing after the switch',
    );
  });
});
