// hls.js in Chromium shows a file's sidecar subtitles: the WebVTT rendition becomes a text track whose cues become
// active as the video passes them. The cue's start against the video's currentTime at each cuechange is printed
// (a measurement, not asserted: the event fires on the media element's timeupdate cadence).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { servePage, type PageServer } from './hls-page.js';
import { cuesSeen, WATCH_CUES, type CueSeen } from './cue-watch.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/subtitles/sample.en.vtt');

let srv: TestServer;
let page: PageServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-subtitles-browser-'));
  copyFileSync(join(MEDIA_DIR, 'sample.mp4'), join(dir, 'sample.mp4'));
  copyFileSync(FIXTURE, join(dir, 'sample.en.vtt'));
  srv = await startTestServer({ mediaDir: dir });
  page = await servePage();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await page?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('hls.js and sidecar subtitles', () => {
  it('shows the cues of sample.en.vtt as the video passes them', async () => {
    const log: string[] = [];
    const p = await testPage(browser, log);
    await p.goto(page.pageUrl(srv.httpUrl('sample.mp4/index.m3u8')));
    await p.evaluate(WATCH_CUES);
    let seen: CueSeen[] = [];
    await waitFor(
      async () => {
        seen = await cuesSeen(p);
        return seen.some((c) => c.text === 'Second cue');
      },
      60_000,
      `the second cue to show (seen ${JSON.stringify(seen)}; page log:\n${log.slice(-20).join('\n')})`,
    );
    const tracks = (await p.evaluate(`Array.from(document.getElementById('v').textTracks).map((t) => ({ kind: t.kind, label: t.label, language: t.language }))`)) as { kind: string; label: string; language: string }[];
    expect(tracks).toContainEqual({ kind: 'subtitles', label: 'English', language: 'en' });
    for (const c of seen) console.log(`cue "${c.text}" starts at ${c.start.toFixed(3)} s; video.currentTime at cuechange ${c.at.toFixed(3)} s (${((c.at - c.start) * 1000).toFixed(0)} ms after)`);
    const first = seen.find((c) => c.text === 'First cue');
    const second = seen.find((c) => c.text === 'Second cue')!;
    // The cues sit on the video's timeline as the sidecar gives them.
    expect(first?.start).toBeCloseTo(1, 2);
    expect(second.start).toBeCloseTo(4, 2);
    expect(second.end).toBeCloseTo(6.5, 2);
    // Active means the video is inside the cue.
    expect(second.at).toBeGreaterThanOrEqual(second.start);
    expect(second.at).toBeLessThan(second.end);
  });
});

describe('live captions', () => {
  it('a caption posted to a live path reaches an hls.js viewer', async () => {
    const live = await startTestServer({ paths: { 'live/cap': { ffmpeg: `-re -stream_loop -1 -i ${MEDIA_DIR}/sample.mp4 -c copy`, sourceOnDemand: false } } });
    onTestFinished(() => live.close());
    const post = (text: string): Promise<Response> =>
      fetch(live.httpUrl('api/v1/paths/live/cap/captions'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text, duration: 4 }) });
    // The first caption makes the path's playlist multivariant with a subtitles rendition.
    await waitFor(async () => (await post('Warming up')).status === 200, 30_000, 'the path to go live (POST captions answering 200)', 250);
    const log: string[] = [];
    const p = await testPage(browser, log);
    await p.goto(page.pageUrl(live.httpUrl('live/cap/index.m3u8')));
    await p.evaluate(WATCH_CUES);
    await waitFor(async () => ((await p.evaluate('window.sample()')) as { currentTime: number }).currentTime > 0.5, 30_000, `playback to start (page log:\n${log.slice(-20).join('\n')})`);
    const r = await post('Hello from the API');
    expect(r.status).toBe(200);
    const placed = (await r.json()) as { start: number; end: number };
    expect(placed.end - placed.start).toBeCloseTo(4, 3);
    const allCues = `Array.from(document.getElementById('v').textTracks).flatMap((t) => Array.from(t.cues || []).map((c) => ({ text: c.text, start: c.startTime })))`;
    let cues: { text: string; start: number }[] = [];
    await waitFor(
      async () => {
        cues = (await p.evaluate(allCues)) as { text: string; start: number }[];
        return cues.some((c) => c.text === 'Hello from the API');
      },
      30_000,
      `the caption to reach the text track (cues ${JSON.stringify(cues)}; page log:\n${log.slice(-20).join('\n')})`,
    );
    const seen = await cuesSeen(p);
    for (const c of seen) console.log(`live cue "${c.text}" starts at ${c.start.toFixed(3)} s; video.currentTime at cuechange ${c.at.toFixed(3)} s`);
    const cue = cues.find((c) => c.text === 'Hello from the API')!;
    const now = ((await p.evaluate('window.sample()')) as { currentTime: number }).currentTime;
    console.log(`live caption placed at ${cue.start.toFixed(3)} s of the player's timeline; the player is at ${now.toFixed(3)} s`);
  });
});
