// The web player's ws mode on a path with a rendition: it shows what it plays, asks for the rendition when its own jitter
// figures go bad (a jittering WebSocket relay), comes back to the main path when they are clean, and obeys the menu.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startJitterRelay, type JitterRelay } from '../helpers/jitter-relay.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats, type PageStats } from './player-page.js';

const MAIN = 'cams/door';
const LOW = 'cams/door~240p';

let srv: TestServer;
let browser: Browser;
let relay: JitterRelay;

type WithRendition = PageStats & { rendition?: { name: string; path: string; auto: boolean; switches: number; choices: string[] } | null };

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer({
    paths: {
      [MAIN]: {
        // One AAC frame per packet (as the player's other live tests): the jitter figures measure the network, not ffmpeg's packing.
        ffmpeg: `-re -stream_loop -1 -i ${MEDIA_DIR}/sample.mp4 -c copy -max_delay 0`,
        renditions: [{ name: '240p', height: 240, videoBitrate: '300k' }],
      },
    },
  });
  browser = await launchBrowser();
  // Up to 300 ms of delay per message when on: interarrival jitter far above the picker's 40 ms.
  relay = await startJitterRelay({ upstream: `ws://127.0.0.1:${srv.httpPort}/rtsp`, seed: 11, maxDelayMs: 300, reorderWindow: 8, jitter: false });
});
afterAll(async () => {
  await relay?.close();
  await browser?.close();
  await srv?.close();
});

describe('ws mode renditions', () => {
  it('switches to the rendition under jitter, back to the main path when clean, and to a chosen one from the menu', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(srv, { src: MAIN, mode: 'ws', ws: relay.url('/rtsp') }));
    const on = (name: string, auto: boolean) => (s: WithRendition) => s.state === 'playing' && s.rendition?.name === name && s.rendition.auto === auto && (s.framesShown ?? 0) > 0;
    const first = (await waitStats(page, (s) => on('source', true)(s) && (s.framesShown ?? 0) > 30, log, 60_000, 'the main path playing')) as WithRendition;
    expect(first.rendition!.choices).toEqual(['source', '240p']);
    expect(first.rendition!.switches).toBe(0);
    expect(await page.locator('#rendition-label').textContent()).toBe('source (auto)');

    relay.setJitter(true);
    const down = (await waitStats(page, on('240p', true), log, 120_000, 'a switch down to the rendition under jitter')) as WithRendition;
    expect(down.rendition!.path).toBe(LOW);
    expect(down.rendition!.switches).toBe(1);
    expect(srv.paths.sourceOf(LOW)!.isRunning).toBe(true);
    expect(await page.locator('#rendition-label').textContent()).toBe('240p (auto)');

    relay.setJitter(false);
    const up = (await waitStats(page, on('source', true), log, 120_000, 'a switch back up once the jitter stops')) as WithRendition;
    // Down once, up once: no flapping on the way (the jitter is either on or off).
    expect(up.rendition!.switches).toBe(2);

    // Chosen by hand: the picker stops choosing.
    await page.locator('#rendition').selectOption('1');
    const fixed = (await waitStats(page, (s) => on('240p', false)(s) && (s.framesShown ?? 0) > 10, log, 60_000, 'the rendition chosen from the menu')) as WithRendition;
    expect(fixed.rendition!.auto).toBe(false);
    expect(await page.locator('#rendition-label').textContent()).toBe('240p');
  }, 360_000);
});
