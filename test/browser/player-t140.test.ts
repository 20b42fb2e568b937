// The player's ws mode reading a file's sidecar subtitles as the server sends them over RTSP: a T.140 text track (m=text),
// set up beside the video; headless Chromium shows each cue, then clears it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { describeRun, run } from '../helpers/spawn.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

const VTT = 'WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nFirst cue\n\n00:00:02.500 --> 00:00:03.500\nSecond cue\n';
let srv: TestServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  buildPlayer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-player-t140-'));
  const ffmpeg = resolveFfmpeg();
  const args = ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '25', '-pix_fmt', 'yuv420p', join(dir, 'clip.mp4')];
  const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(describeRun(ffmpeg, args, r));
  writeFileSync(join(dir, 'clip.en.vtt'), VTT);
  srv = await startTestServer({ mediaDir: dir });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('player ws mode and T.140', () => {
  it('shows each cue of the text track, then clears it', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    onTestFinished(() => page.close());
    await page.goto(playerUrl(srv, { src: 'clip.mp4', mode: 'ws' }));
    await waitStats(page, (s) => s.cue === 'First cue', log, undefined, 'the first cue on screen');
    await waitStats(page, (s) => s.cue === 'Second cue', log, undefined, 'the second cue on screen');
    const end = await waitStats(page, (s) => s.cue === '' || s.cue === undefined, log, undefined, 'the second cue cleared');
    expect(end.mode).toBe('ws');
  });
});
