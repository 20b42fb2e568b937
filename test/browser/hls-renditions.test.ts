// hls.js in Chromium on a multivariant playlist (a path with a rendition): it switches down when the HTTP port is
// rate-limited (nftables) and back up when the limit is lifted, as its LEVEL_SWITCHED events say.
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { hasTable, limitPortRate, removePortLimit } from '../helpers/nft-rate.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { servePage, type PageSample, type PageServer } from './hls-page.js';

const MAIN = 'cams/door';
const TABLE = `tc_renditions_${process.pid}`;
/** The sample is 640x360 at ~550 kbit/s with its audio; the rendition ~150 kbit/s of video plus the same audio. */
const LOW_HEIGHT = 180;
/** 40 kB/s = 320 kbit/s: the rendition fits, the main stream does not. */
const LIMIT_KBYTES = 40;

let srv: TestServer;
let page: PageServer;
let browser: Browser;

beforeAll(async () => {
  srv = await startTestServer({
    paths: {
      [MAIN]: {
        ffmpeg: `-re -stream_loop -1 -i ${MEDIA_DIR}/sample.mp4 -c copy`,
        renditions: [{ name: `${LOW_HEIGHT}p`, height: LOW_HEIGHT, videoBitrate: '100k' }],
      },
    },
  });
  page = await servePage();
  browser = await launchBrowser();
});
afterEach(async () => {
  await removePortLimit(TABLE);
  expect(await hasTable(TABLE)).toBe(false);
});
afterAll(async () => {
  await browser?.close();
  await page?.close();
  await srv?.close();
});

describe('hls.js on a multivariant playlist', () => {
  it('switches down to the rendition under a rate limit and back up to the main stream when it is lifted', async () => {
    const log: string[] = [];
    const p = await testPage(browser, log);
    // Start from the top (hls.js's default estimate would pick the low variant first).
    await p.goto(page.pageUrl(srv.httpUrl(`${MAIN}/index.m3u8`), { abrEwmaDefaultEstimate: 5_000_000 }));
    let last: PageSample | undefined;
    const why = (): string => `last sample: ${JSON.stringify(last)}\npage log:\n${log.slice(-30).join('\n')}`;
    const until = async (cond: (s: PageSample) => boolean, what: string): Promise<void> =>
      waitFor(
        async () => {
          last = (await p.evaluate('window.sample()')) as PageSample;
          if (last.fatal) throw new Error(`hls.js fatal error ${last.fatal}\n${why()}`);
          return cond(last);
        },
        120_000,
        what,
        250,
      ).catch((e: Error) => {
        throw new Error(`${e.message}\n${why()}`);
      });
    await until((s) => s.switches.at(-1) === 360 && s.currentTime > 1, 'hls.js to play the main variant (360 lines)');
    const before = last!.switches.length;
    await limitPortRate(TABLE, srv.httpPort, LIMIT_KBYTES);
    await until((s) => s.switches.slice(before).includes(LOW_HEIGHT), `a switch down to ${LOW_HEIGHT} lines under ${LIMIT_KBYTES} kB/s`);
    const down = last!.switches.length;
    await removePortLimit(TABLE);
    await until((s) => s.switches.slice(down).includes(360), 'a switch back up to 360 lines once the limit is lifted');
    expect(last!.fatal, why()).toBeNull();
  }, 360_000);
});
