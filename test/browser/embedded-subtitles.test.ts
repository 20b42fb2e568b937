// hls.js in Chromium offers each subtitle track inside an MKV as a text track with its language and title, and shows the
// English cue at its time in the file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { makeTextTrackClip } from '../helpers/text-track-clips.js';
import { servePage, type PageServer } from './hls-page.js';
import { cuesSeen, WATCH_CUES, type CueSeen } from './cue-watch.js';

let srv: TestServer;
let page: PageServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-embedded-subs-browser-'));
  await makeTextTrackClip(dir, 'talk.mkv', 'srt');
  srv = await startTestServer({ mediaDir: dir });
  page = await servePage();
  browser = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await page?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hls.js and subtitle tracks inside an MKV', () => {
  it('lists both languages and shows the English cues on the video timeline', async () => {
    const log: string[] = [];
    const p = await testPage(browser, log);
    await p.goto(page.pageUrl(srv.httpUrl('talk.mkv/index.m3u8')));
    await p.evaluate(WATCH_CUES);
    let seen: CueSeen[] = [];
    await waitFor(
      async () => {
        seen = await cuesSeen(p);
        return seen.some((c) => c.text === 'Hello two');
      },
      60_000,
      `the second English cue to show (seen ${JSON.stringify(seen)}; page log:\n${log.slice(-20).join('\n')})`,
    );
    const tracks = (await p.evaluate(`Array.from(document.getElementById('v').textTracks).map((t) => ({ kind: t.kind, label: t.label, language: t.language }))`)) as { kind: string; label: string; language: string }[];
    expect(tracks).toContainEqual({ kind: 'subtitles', label: 'English SDH', language: 'en' });
    expect(tracks).toContainEqual({ kind: 'subtitles', label: 'French', language: 'fr' });
    const two = seen.find((c) => c.text === 'Hello two')!;
    expect(two.start).toBeCloseTo(2, 2);
    expect(two.end).toBeCloseTo(2.8, 2);
    expect(two.at).toBeGreaterThanOrEqual(two.start);
    expect(two.at).toBeLessThan(two.end);
  });
});
