// The player's subtitles in ws mode, in headless Chromium: a file's sidecar .vtt reaches the player as a T.140 text track over
// RTSP-over-WebSocket, and each cue is drawn with the canvas frame whose presentation time is the first at or after its start.
// The frame on the canvas is read back when the overlay changes: the clip carries its frame number as the brightness of a block.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { describeRun, run } from '../helpers/spawn.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

const FPS = 25;
const CUES = [
  { start: 1, end: 2, text: 'First cue' },
  { start: 2.5, end: 3.5, text: 'Second cue' },
];
const VTT = `WEBVTT

00:00:01.000 --> 00:00:02.000
First cue

00:00:02.500 --> 00:00:03.500
Second cue
`;
/** The top-left 64x64 block is grey at limited-range luma 16 + 2 * frame number (chroma neutral). */
const FRAME_NUMBER = "geq=lum='if(lt(X\\,64)*lt(Y\\,64)\\,16+2*N\\,lum(X\\,Y))':cb='if(lt(X\\,32)*lt(Y\\,32)\\,128\\,cb(X\\,Y))':cr='if(lt(X\\,32)*lt(Y\\,32)\\,128\\,cr(X\\,Y))'";

/** In the page: at each change of #cues, the frame number the canvas shows then (from the block's brightness). */
const MEASURE = `(() => {
  window.cueChanges = [];
  document.addEventListener('DOMContentLoaded', () => {
    const box = document.getElementById('cues');
    const canvas = document.getElementById('canvas');
    new MutationObserver(() => {
      const px = canvas.getContext('2d').getImageData(16, 16, 32, 32).data;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) sum += px[i + 1];
      const full = sum / (px.length / 4);
      window.cueChanges.push({ text: box.hidden ? '' : box.textContent, frame: Math.round((full * 219) / 255 / 2) });
    }).observe(box, { childList: true, characterData: true, subtree: true, attributes: true });
  });
})()`;

let srv: TestServer;
let browser: Browser;
let dir: string;

beforeAll(async () => {
  buildPlayer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-player-subtitles-ws-'));
  const ffmpeg = resolveFfmpeg();
  const args = ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=320x240:rate=${FPS},format=yuv420p,${FRAME_NUMBER}`, '-t', '4', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '8', '-g', String(FPS), '-pix_fmt', 'yuv420p', join(dir, 'clip.mp4')];
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

describe('player subtitles (ws mode)', () => {
  it('draws each T.140 cue with the canvas frame at or after its start, cleared at or after its end; the menu turns them off', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.addInitScript(MEASURE);
    await page.goto(playerUrl(srv, { src: 'clip.mp4', mode: 'ws' }));
    await waitStats(page, (s) => s.state === 'playing' && s.subtitles === 'en', log, undefined, 'English subtitles on');
    type Change = { text: string; frame: number };
    const changes = async (): Promise<Change[]> => (await page.evaluate('window.cueChanges')) as Change[];
    let seen: Change[] = [];
    const t0 = Date.now();
    const done = (c: Change[]): boolean => {
      const i = c.findIndex((x) => x.text === CUES.at(-1)!.text);
      return i >= 0 && c.slice(i + 1).some((x) => x.text === '');
    };
    while (!done((seen = await changes())) && Date.now() - t0 < 45_000) await page.waitForTimeout(200);
    for (const cue of CUES) {
      const i = seen.findIndex((c) => c.text === cue.text);
      const off = seen.slice(i + 1).find((c) => c.text === '');
      expect(i >= 0 && off, `cue "${cue.text}" shown and cleared (changes ${JSON.stringify(seen)}; log:\n${log.join('\n')})`).toBeTruthy();
      const shownAt = seen[i]!.frame / FPS;
      const goneAt = off!.frame / FPS;
      console.log(`ws: cue "${cue.text}" shown with frame ${seen[i]!.frame} (${shownAt.toFixed(3)} s, start ${cue.start.toFixed(3)}, +${((shownAt - cue.start) * 1000).toFixed(0)} ms); cleared with frame ${off!.frame} (${goneAt.toFixed(3)} s, end ${cue.end.toFixed(3)}, +${((goneAt - cue.end) * 1000).toFixed(0)} ms)`);
      // Never before its time; the frame at it (measured: +0 and +20 ms, the first 25 fps frames at or after
      // the times), or the next when the player dropped that one as late on a loaded machine.
      expect(shownAt).toBeGreaterThanOrEqual(cue.start - 0.001);
      expect(shownAt).toBeLessThan(cue.start + 2 / FPS + 0.001);
      expect(goneAt).toBeGreaterThanOrEqual(cue.end - 0.001);
      expect(goneAt).toBeLessThan(cue.end + 2 / FPS + 0.001);
    }
    expect(await page.locator('#subtitles option').allTextContents()).toEqual(['Off', 'English']);
    await page.locator('#subtitles').selectOption('off');
    await waitStats(page, (s) => s.subtitles === null && s.cue === '', log, undefined, 'subtitles off');
  });
});
