// A codec the browser cannot decode (H.265 in Debian's Chromium) is a message naming the track in every mode,
// never a "Connection dropped … Reconnecting" loop: hls (hls.js) and mp4 (MSE) stop there (their tracks
// come muxed); ws (WebCodecs) leaves the video out and plays the sound.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, stats, type PageStats } from './player-page.js';
import { waitFor } from '../helpers/read.js';

let srv: TestServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  buildPlayer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-h265-'));
  // 2 s of H.265 (hvc1, as MP4 and HLS carry it) with AAC: the audio alone would be decodable.
  const args = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25:duration=2', '-f', 'lavfi', '-i', 'sine=frequency=1000:sample_rate=48000:duration=2',
    '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error:keyint=25', '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', join(dir, 'h265.mp4')];
  const r = await run(resolveFfmpeg(), args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(describeRun('ffmpeg', args, r));
  srv = await startTestServer({ mediaDir: dir });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens the player and polls its stats until a message names H.265; every sample on the way is kept,
 * so a reconnect at any moment of the wait (a "Connection dropped" message, the counter) is seen.
 */
async function messageIn(mode: 'hls' | 'mp4' | 'ws'): Promise<{ last: PageStats; seen: PageStats[]; log: string[]; page: Page }> {
  const log: string[] = [];
  const page = await testPage(browser, log);
  await page.goto(playerUrl(srv, { src: 'h265.mp4', mode }));
  // The premise: this Chromium cannot decode H.265 (a build that can would play instead).
  const hevc = await page.evaluate(() => MediaSource.isTypeSupported('video/mp4; codecs="hvc1.1.6.L63.B0"'));
  expect(hevc, 'this Chromium decodes H.265: the test needs one that cannot').toBe(false);
  const seen: PageStats[] = [];
  let last: PageStats | undefined;
  await waitFor(async () => {
    const s = await stats(page);
    if (s) seen.push(s);
    if (s?.message && /H\.?265/.test(s.message)) last = s;
    return last !== undefined;
  }, 45_000, `a message naming H.265 in ${mode} mode`).catch((e: Error) => {
    throw new Error(`${e.message}\nstats seen: ${JSON.stringify(seen.slice(-5))}\n${log.join('\n')}`);
  });
  return { last: last!, seen, log, page };
}

describe('a track the browser cannot decode', () => {
  it('ws mode names H.265, leaves it out and plays the sound', async () => {
    const { last, seen, log, page } = await messageIn('ws');
    const why = `${JSON.stringify(last)}\n${log.join('\n')}`;
    expect(last.message, why).toMatch(/cannot decode H\.?265 video.*Playing the sound alone/);
    expect(seen.every((s) => s.reconnects === 0 && s.state !== 'error'), why).toBe(true);
    let s = last;
    await waitFor(async () => (s = await stats(page)) != null && (s.audioFramesDecoded ?? 0) > 0, 30_000, 'decoded audio frames').catch(() => undefined);
    expect(s.audioFramesDecoded, `${JSON.stringify(s)}\n${log.join('\n')}`).toBeGreaterThan(0);
    expect(s.reconnects).toBe(0);
  });

  it.each(['hls', 'mp4'] as const)('%s mode names H.265 and does not reconnect', async (mode) => {
    const { last, seen, log } = await messageIn(mode);
    const why = `${JSON.stringify(last)}\n${log.join('\n')}`;
    expect(last.state, why).toBe('error');
    expect(last.message, why).toMatch(/cannot decode/);
    expect(last.message, why).toMatch(/H\.?265 video/);
    expect(seen.every((s) => s.reconnects === 0 && s.reconnectIn === null && !/Reconnecting|Connection dropped/.test(s.message ?? '')), why).toBe(true);
  });
});
