// Recordings played back over HLS in Chromium: hls.js plays /<path>/playback.m3u8 across a segment boundary to its end;
// a click on the dashboard's time line opens the player on the recording from there; the player's own time line of the
// path's recordings plays from the point clicked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { cutSample, recordClip, type RecordedSpan } from '../helpers/record-clip.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { servePage, type PageServer } from './hls-page.js';
import { buildPlayer, stats, waitStats } from './player-page.js';

let dir: string;
let srv: TestServer;
let page: PageServer;
let browser: Browser;
let span: RecordedSpan;

beforeAll(async () => {
  buildPlayer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-pbhls-browser-'));
  const clip = await cutSample(dir, 9);
  srv = await startTestServer({ recordPath: `${dir}/rec/%path/%Y-%m-%d_%H-%M-%S-%f`, recordSegmentDuration: '3s', recordPartDuration: '500ms', paths: { cams: { record: true } } });
  page = await servePage();
  browser = await launchBrowser();
  span = await recordClip(srv, 'cams', clip);
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await page?.close();
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface VideoState {
  currentTime: number;
  duration: number;
  ended: boolean;
  fatal: string | null;
  errors: string[];
}

const videoState = (p: Page): Promise<VideoState> =>
  p.evaluate(() => {
    const v = document.getElementById('v') as HTMLVideoElement;
    const s = (window as unknown as { stats: { fatal: string | null; errors: string[] } }).stats;
    return { currentTime: v.currentTime, duration: v.duration, ended: v.ended, fatal: s.fatal, errors: s.errors };
  });

describe('HLS playback of a recording in Chromium', () => {
  it('hls.js plays the playback playlist past a segment boundary to its end', async () => {
    const log: string[] = [];
    const p = await testPage(browser, log);
    const url = srv.httpUrl(`cams/playback.m3u8?start=${encodeURIComponent(span.start)}`);
    const playlist = await (await fetch(url)).text();
    const firstExtinf = Number(/#EXTINF:([\d.]+)/.exec(playlist)![1]);
    const total = [...playlist.matchAll(/#EXTINF:([\d.]+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    await p.goto(page.pageUrl(url));
    let last: VideoState | undefined;
    const why = (): string => `last: ${JSON.stringify(last)}\npage log:\n${log.join('\n')}`;
    let passedBoundary = false;
    await waitFor(
      async () => {
        last = await videoState(p);
        if (last.fatal) throw new Error(`hls.js fatal error ${last.fatal}\n${why()}`);
        if (last.currentTime > firstExtinf + 0.5) passedBoundary = true;
        return passedBoundary && last.ended;
      },
      60_000,
      'playback past the first segment to the end',
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${why()}`);
    });
    // The element's duration is the playlist's, and it played to it.
    expect(Math.abs(last!.duration - total), why()).toBeLessThan(0.1);
    expect(last!.currentTime, why()).toBeGreaterThan(total - 0.2);
  }, 90_000);

  it("a click on the dashboard's time line plays the recording in the player; the player's time line plays from the point clicked", async () => {
    const log: string[] = [];
    const p = await testPage(browser, log);
    const playlists: string[] = [];
    p.on('request', (r) => {
      if (r.url().includes('/playback.m3u8')) playlists.push(r.url());
    });
    await p.goto(srv.httpUrl(''));
    const link = p.locator('#recordings-section .recording[data-path="cams"] .timeline a').first();
    await link.waitFor({ timeout: 30_000 });
    // Near the start of the span: the player starts from the key frame at or before that instant.
    const box = (await link.boundingBox())!;
    await link.click({ position: { x: 1, y: box.height / 2 } });
    await p.waitForURL(/\/player\/\?/, { timeout: 20_000 });
    const q = new URL(p.url()).searchParams;
    expect(q.get('src')).toBe('cams');
    expect(q.get('mode')).toBe('hls');
    const start = Date.parse(q.get('start')!);
    expect(start).toBeGreaterThanOrEqual(Date.parse(span.start));
    expect(start).toBeLessThan(Date.parse(span.end));
    await waitStats(p, (s) => s.state === 'playing' && s.position > 0.5, log, 45_000, 'the recording playing');
    expect(playlists.some((u) => new URL(u).pathname === '/cams/playback.m3u8' && new URL(u).searchParams.get('start') === q.get('start')), playlists.join('\n')).toBe(true);
    expect((await stats(p)).duration).toBeGreaterThan(0);

    // The player's own time line: a click 3/4 along the span plays from there (later than the first start).
    const bar = p.locator('#recordings .bar');
    await bar.waitFor({ timeout: 20_000 });
    const spanButton = p.locator('#recordings .span').first();
    const b = (await spanButton.boundingBox())!;
    await spanButton.click({ position: { x: b.width * 0.75, y: b.height / 2 } });
    await p.waitForURL((u) => u.searchParams.get('start') !== q.get('start'), { timeout: 20_000 });
    const again = Date.parse(new URL(p.url()).searchParams.get('start')!);
    expect(again).toBeGreaterThan(start + 3000);
    await waitStats(p, (s) => s.state === 'playing' && s.position > 0.2, log, 45_000, 'the recording playing from the later point');
    expect(log.filter((l) => l.startsWith('[pageerror]'))).toEqual([]);
  }, 120_000);
});
