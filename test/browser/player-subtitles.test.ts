// The player's subtitles in headless Chromium: a 4 s clip with a sidecar .vtt plays in the hls and mp4 modes, and the page measures,
// for each cue, the presentation time (requestVideoFrameCallback's mediaTime) of the frame with which the overlay changed.
// Each cue must appear within one frame of its start and go within one frame of its end; the menu turns them off and on.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { describeRun, run } from '../helpers/spawn.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats, type PageStats } from './player-page.js';

const FPS = 25;
const CUES = [
  { start: 1, end: 2, text: 'First cue' },
  { start: 2.5, end: 3.5, text: 'Second cue\n<b>line</b> two' },
];
const VTT = `WEBVTT

00:00:01.000 --> 00:00:02.000
First cue

00:00:02.500 --> 00:00:03.500
Second cue
&lt;b&gt;line&lt;/b&gt; two
`;

/**
 * In the page from its first script: every presented frame of #video (the rAF time of its rendering
 * step and its mediaTime) and every change of the #cues overlay (performance.now() and its text).
 * A change made in a rendering step happened after that step's time and before the next one's.
 */
const MEASURE = `(() => {
  window.cueFrames = [];
  window.cueChanges = [];
  document.addEventListener('DOMContentLoaded', () => {
    const v = document.getElementById('video');
    const box = document.getElementById('cues');
    const onFrame = (now, meta) => {
      if (window.cueFrames.length < 2000) window.cueFrames.push({ now, mediaTime: meta.mediaTime });
      v.requestVideoFrameCallback(onFrame);
    };
    v.requestVideoFrameCallback(onFrame);
    new MutationObserver(() => window.cueChanges.push({ t: performance.now(), text: box.hidden ? '' : box.textContent })).observe(box, { childList: true, characterData: true, subtree: true, attributes: true });
  });
})()`;

interface Frame {
  now: number;
  mediaTime: number;
}
interface Change {
  t: number;
  text: string;
}

/** The mediaTime of the frame whose rendering step made the first change to `text` after `after` (ms), and that change's time. */
function frameOf(frames: Frame[], changes: Change[], text: string, after = -Infinity): { mediaTime: number; t: number } | undefined {
  const change = changes.find((c) => c.text === text && c.t > after);
  if (!change) return undefined;
  const frame = frames.filter((f) => f.now <= change.t).at(-1);
  return frame ? { mediaTime: frame.mediaTime, t: change.t } : undefined;
}

let srv: TestServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  buildPlayer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-player-subtitles-'));
  const ffmpeg = resolveFfmpeg();
  const args = ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=${FPS}`, '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-g', String(FPS), '-pix_fmt', 'yuv420p', join(dir, 'clip.mp4')];
  const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(describeRun(ffmpeg, args, r));
  writeFileSync(join(dir, 'clip.en.vtt'), VTT);
  copyFileSync(join(dir, 'clip.mp4'), join(dir, 'bare.mp4'));
  srv = await startTestServer({ mediaDir: dir });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function measured(page: Page): Promise<{ frames: Frame[]; changes: Change[] }> {
  return (await page.evaluate('({ frames: window.cueFrames, changes: window.cueChanges })')) as { frames: Frame[]; changes: Change[] };
}

/**
 * Plays the clip in `mode`, waits until the last cue has gone, and asserts each cue was drawn with
 * the first frame at or after its start and cleared with the first at or after its end (within
 * one frame interval); then the menu turns the subtitles off and on again on a paused frame.
 */
async function playAndCheck(mode: 'hls' | 'mp4'): Promise<void> {
  const log: string[] = [];
  const page = await testPage(browser, log);
  await page.addInitScript(MEASURE);
  await page.goto(playerUrl(srv, { src: 'clip.mp4', mode }));
  // hls: the playlist's DEFAULT=YES rendition; mp4: the file's sidecar. Both shown unasked.
  await waitStats(page, (s) => s.state === 'playing' && s.subtitles === 'en', log, undefined, 'English subtitles on');
  const last = CUES.at(-1)!;
  let m = await measured(page);
  const t0 = Date.now();
  while (!frameOf(m.frames, m.changes, '', frameOf(m.frames, m.changes, last.text)?.t ?? Infinity) && Date.now() - t0 < 45_000) {
    await page.waitForTimeout(200);
    m = await measured(page);
  }
  const frame = 1 / FPS;
  for (const cue of CUES) {
    const shown = frameOf(m.frames, m.changes, cue.text);
    const gone = shown && frameOf(m.frames, m.changes, '', shown.t);
    expect(shown && gone, `cue "${cue.text}" shown and cleared (changes ${JSON.stringify(m.changes)}; log:\n${log.join('\n')})`).toBeTruthy();
    const firstAt = (t: number): number | undefined => m.frames.find((f) => f.mediaTime >= t - 0.001)?.mediaTime;
    console.log(`${mode}: first frames presented at or after the start and end: ${firstAt(cue.start)?.toFixed(3)} s, ${firstAt(cue.end)?.toFixed(3)} s`);
    console.log(`${mode}: cue "${cue.text.split('\n')[0]}" shown with the frame at ${shown!.mediaTime.toFixed(3)} s (start ${cue.start.toFixed(3)}, +${((shown!.mediaTime - cue.start) * 1000).toFixed(1)} ms); cleared with the frame at ${gone!.mediaTime.toFixed(3)} s (end ${cue.end.toFixed(3)}, +${((gone!.mediaTime - cue.end) * 1000).toFixed(1)} ms)`);
    // Drawn with the first frame presented at or after the start, and cleared with the first at or after
    // the end (a millisecond of rounding either side): frame-exact against what the element showed.
    expect(shown!.mediaTime).toBe(firstAt(cue.start));
    expect(gone!.mediaTime).toBe(firstAt(cue.end));
    // That frame is the one at the cue's time unless the element skipped presenting some (a loaded
    // machine): one frame interval at most, plus at most one frame it did not present.
    expect(shown!.mediaTime - cue.start).toBeLessThan(2 * frame + 0.001);
    expect(gone!.mediaTime - cue.end).toBeLessThan(2 * frame + 0.001);
  }
  // Markup in a cue is text: nothing but the text node was made.
  expect(await page.locator('#cues b').count()).toBe(0);

  // The menu: Off clears the overlay on a frame inside the first cue, English brings it back.
  const menu = page.locator('#subtitles');
  expect(await menu.locator('option').allTextContents()).toEqual(['Off', 'English']);
  await page.evaluate(`document.getElementById('video').pause(); document.getElementById('video').currentTime = 1.5`);
  await waitStats(page, (s) => s.cue === 'First cue', log, undefined, 'the first cue drawn at 1.5 s');
  await menu.selectOption('off');
  const off = await waitStats(page, (s: PageStats) => s.subtitles === null && s.cue === '', log, undefined, 'subtitles off');
  expect(off.position).toBeCloseTo(1.5, 1);
  expect(await page.locator('#cues').isHidden()).toBe(true);
  await menu.selectOption('en');
  await waitStats(page, (s) => s.subtitles === 'en' && s.cue === 'First cue', log, undefined, 'subtitles on again');
}

describe('player subtitles', () => {
  it('hls mode: hls.js subtitle track, each cue within one frame of its start and end; menu off and on', () => playAndCheck('hls'));

  it('mp4 mode: the file\'s /subtitles.vtt, each cue within one frame of its start and end; menu off and on', () => playAndCheck('mp4'));

  it('GET /<file>/subtitles.vtt gives the sidecar\'s cues; ?lang= picks, a file without subtitles answers 404', async () => {
    const r = await fetch(srv.httpUrl('clip.mp4/subtitles.vtt'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(r.headers.get('content-language')).toBe('en');
    const body = await r.text();
    expect(body).toMatch(/^WEBVTT/);
    expect(body).toContain('00:00:01.000 --> 00:00:02.000\nFirst cue');
    expect((await fetch(srv.httpUrl('clip.mp4/subtitles.vtt?lang=English'))).status).toBe(200);
    const fr = await fetch(srv.httpUrl('clip.mp4/subtitles.vtt?lang=fr'));
    expect(fr.status).toBe(404);
    expect(await fr.text()).toMatch(/no subtitles in fr/);
    expect((await fetch(srv.httpUrl('bare.mp4/subtitles.vtt'))).status).toBe(404);
  });
});
