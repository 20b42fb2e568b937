// The dashboard at `/` in Chromium against a real server: a live path published by ffmpeg, a real RTSP reader (ffmpeg),
// the sparkline moving, URLs on the clipboard, the reader listed and kicked, a login when auth is on, and a server restart.
import { spawn, type ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { artifactPath, launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';

let srv: TestServer;
let pub: ChildProcess | undefined;
let browser: Browser;
/** Where cams/door is recorded (the time line test). */
const recordDir = mkdtempSync(join(tmpdir(), 'tidecast-dash-rec-'));

const apiJson = async (s: TestServer, path: string): Promise<any> => (await fetch(s.httpUrl(path))).json();

/** A long-running ffmpeg (publisher or reader), killed when the test (or file) that started it ends. */
function ffmpeg(args: string[]): ChildProcess {
  return spawn(resolveFfmpeg(), ['-v', 'error', ...args], { stdio: 'ignore' });
}

const pageErrors = (log: string[]): string[] => log.filter((l) => l.startsWith('[pageerror]'));

beforeAll(async () => {
  srv = await startTestServer({ sessionTimeout: 3600, recordPath: `${recordDir}/%path/%Y-%m-%d_%H-%M-%S-%f`, paths: { 'cams/door': { record: true } } });
  pub = ffmpeg(['-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('cams/door')]);
  browser = await launchBrowser();
  await waitFor(async () => (await apiJson(srv, 'api/v1/paths')).live.some((p: { name: string; running: boolean }) => p.name === 'cams/door' && p.running), 50_000, 'the publisher to go live');
}, 60_000);
afterAll(async () => {
  pub?.kill('SIGKILL');
  await browser?.close();
  await srv?.close();
  rmSync(recordDir, { recursive: true, force: true });
});

/** The dashboard, loaded from localhost (a secure context: the clipboard API is there). */
async function openDashboard(log: string[], s: TestServer = srv): Promise<Page> {
  const page = await testPage(browser, log);
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.goto(s.httpUrl('').replace('127.0.0.1', 'localhost'));
  return page;
}

const card = (page: Page, path: string) => page.locator(`article.path[data-path="${path}"]`);

describe('dashboard: live paths', () => {
  it('draws a moving bitrate sparkline, shows state, source and tracks, and copies the four URLs', async () => {
    const log: string[] = [];
    const page = await openDashboard(log);
    const door = card(page, 'cams/door');
    await door.waitFor({ timeout: 30_000 });
    const line = door.locator('.spark polyline');
    // Two measurements make a line; the next ones must change it (the source is live).
    await expect.poll(async () => ((await line.getAttribute('points')) ?? '').split(' ').filter(Boolean).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    const before = await line.getAttribute('points');
    await expect.poll(() => line.getAttribute('points'), { timeout: 30_000 }).not.toBe(before);
    expect(await door.locator('.rate').textContent()).toMatch(/^\d+(\.\d+)? (k|M)bit\/s in$/);
    expect(await door.locator('.state').textContent()).toMatch(/^(live|ready)/);
    expect(await door.locator('.source').textContent()).toMatch(/127\.0\.0\.1/);
    expect(await door.locator('.tracks').textContent()).toBe('H264 640x360, AAC 2ch');

    const origin = `http://localhost:${srv.httpPort}`;
    const want: Record<string, string> = {
      rtsp: `rtsp://localhost:${srv.rtspPort}/cams/door`,
      hls: `${origin}/cams/door/index.m3u8`,
      mp4: `${origin}/cams/door/stream.mp4`,
      player: `${origin}/player/?src=cams%2Fdoor`,
    };
    for (const [key, url] of Object.entries(want)) {
      const button = door.locator(`li[data-url="${key}"] button`);
      await button.click();
      await expect.poll(() => button.getAttribute('data-copied'), { timeout: 10_000 }).toBe('yes');
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
    }
    // A screen reader hears what was copied.
    expect(await page.locator('#announce').textContent()).toBe('Copied the Player URL of cams/door');
    // The URLs it copies are served: the MP4 and HLS ones answer (the RTSP one is read by the reader test below).
    for (const u of [want.hls!, want.mp4!].map((x) => x.replace('localhost', '127.0.0.1'))) {
      const ctl = new AbortController();
      const r = await fetch(u, { signal: ctl.signal });
      expect(r.status, u).toBe(200);
      ctl.abort();
    }
    expect(pageErrors(log)).toEqual([]);
  }, 90_000);

  it('offers ffmpeg, GStreamer and OBS publish snippets with the path URL, copyable', async () => {
    const log: string[] = [];
    const page = await openDashboard(log);
    const door = card(page, 'cams/door');
    await door.locator('details.publish summary').click();
    const url = `rtsp://localhost:${srv.rtspPort}/cams/door`;
    const ffmpegSnippet = door.locator('[data-snippet="ffmpeg"]');
    expect(await ffmpegSnippet.locator('pre').textContent()).toBe(`ffmpeg -re -stream_loop -1 -i input.mp4 -c copy -f rtsp -rtsp_transport tcp ${url}`);
    expect(await door.locator('[data-snippet="gstreamer"] pre').textContent()).toMatch(new RegExp(`rtspclientsink location=${url.replace(/[.?]/g, '\\$&')} protocols=tcp$`));
    expect(await door.locator('[data-snippet="obs"] pre').textContent()).toContain(`File path or URL: ${url}`);
    await ffmpegSnippet.locator('button').click();
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText()), { timeout: 10_000 }).toMatch(/^ffmpeg -re /);
    // The snippet stays open across refreshes (cards are updated in place, not redrawn).
    const status = await page.locator('#status').textContent();
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).not.toBe(status);
    expect(await door.locator('details.publish').getAttribute('open')).toBe('');
    expect(pageErrors(log)).toEqual([]);
  }, 60_000);
});

describe('dashboard: sessions', () => {
  it('lists a real RTSP reader, kicks it, and the reader sees its connection closed', async () => {
    const log: string[] = [];
    const reader = ffmpeg(['-rtsp_transport', 'tcp', '-i', srv.url('cams/door'), '-c', 'copy', '-f', 'null', '-']);
    const exited = new Promise<number | null>((resolve) => reader.once('exit', (code) => resolve(code)));
    let gone = false;
    void exited.then(() => (gone = true));
    onTestFinished(() => {
      reader.kill('SIGKILL');
    });
    const page = await openDashboard(log);
    const row = page.locator('#sessions tr', { hasText: 'reader' }).filter({ hasText: 'cams/door' }).filter({ hasText: 'rtsp-tcp' });
    await row.waitFor({ timeout: 30_000 });
    const id = await row.getAttribute('data-session');
    expect(id).toBeTruthy();
    expect(await row.textContent()).toContain('127.0.0.1');
    // Readers by protocol on the path's card count it.
    await expect.poll(() => card(page, 'cams/door').locator('.readers').textContent(), { timeout: 10_000 }).toMatch(/rtsp-tcp 1/);
    await page.screenshot({ path: artifactPath('dashboard.png'), fullPage: true });

    await row.locator('button.kick').click();
    await page.locator(`#sessions tr[data-session="${id}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    await waitFor(() => gone, 20_000, 'the kicked ffmpeg reader to see its connection closed and exit');
    // And it stays gone: the next refreshes do not bring the row back.
    await waitFor(async () => !(await apiJson(srv, 'api/v1/sessions')).sessions.some((s: { id: string }) => s.id === id), 10_000, 'the session to leave the API');
    expect(await page.locator(`#sessions tr[data-session="${id}"]`).count()).toBe(0);
    expect(pageErrors(log)).toEqual([]);
  }, 90_000);

  it('lists a progressive MP4 reader with its bytes and bitrate, and a kick ends its HTTP response', async () => {
    const log: string[] = [];
    const ctl = new AbortController();
    onTestFinished(() => ctl.abort());
    const res = await fetch(srv.httpUrl('cams/door/stream.mp4'), { signal: ctl.signal });
    expect(res.status).toBe(200);
    let received = 0;
    // Reads until the server ends the response (done) or drops the connection (error).
    const ended = (async () => {
      const body = res.body!.getReader();
      try {
        for (;;) {
          const { done, value } = await body.read();
          if (done) break;
          received += value.length;
        }
      } catch {
        // The connection was closed under the reader: that is an end too.
      }
      return true;
    })();
    let over = false;
    void ended.then(() => (over = true));
    const page = await openDashboard(log);
    const row = page.locator('#sessions tr', { hasText: 'progressive-mp4' }).filter({ hasText: 'cams/door' });
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(async () => row.locator('td[data-label="bytes"]').textContent(), { timeout: 20_000 }).toMatch(/^\d+(\.\d+)? (kB|MB)$/);
    await expect.poll(async () => row.locator('td[data-label="bitrate"]').textContent(), { timeout: 20_000 }).toMatch(/^[1-9]\d*(\.\d+)? (kbit|Mbit)\/s$/);
    const id = await row.getAttribute('data-session');
    await row.locator('button.kick').click();
    await page.locator(`#sessions tr[data-session="${id}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    await waitFor(() => over, 20_000, 'the kicked progressive reader to see its response end');
    expect(received).toBeGreaterThan(0);
    expect(pageErrors(log)).toEqual([]);
  }, 60_000);

  it('shows the recorded span of a recording path on its time line', async () => {
    const log: string[] = [];
    const page = await openDashboard(log);
    await card(page, 'cams/door').waitFor({ timeout: 30_000 });
    const spans = page.locator('#recordings-section .recording[data-path="cams/door"] .timeline [role="listitem"]');
    await spans.first().waitFor({ timeout: 30_000 });
    const listed = await apiJson(srv, 'api/v1/recordings/cams/door');
    expect(await spans.count()).toBeGreaterThanOrEqual(1);
    expect(listed.spans.length).toBeGreaterThanOrEqual(1);
    expect(await spans.first().getAttribute('aria-label')).toMatch(/^cams\/door recorded from /);
    expect(pageErrors(log)).toEqual([]);
  }, 60_000);
});

describe('dashboard: login and restarts', () => {
  it('shows the login form when auth is on, logs in, then shows the paths', async () => {
    const authed = await startTestServer({ authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'api' }, { action: 'read' }] }] });
    onTestFinished(() => authed.close());
    const log: string[] = [];
    const page = await openDashboard(log, authed);
    await page.locator('#login').waitFor({ state: 'visible', timeout: 30_000 });
    expect(await page.locator('#login-why').textContent()).toMatch(/Using the API needs a login/);
    expect(await page.locator('#main').isHidden()).toBe(true);
    await page.locator('#login-user').fill('alice');
    await page.locator('#login-pass').fill('secret');
    await page.locator('#login-submit').click();
    await page.locator('#login').waitFor({ state: 'hidden', timeout: 20_000 });
    await card(page, 'testsrc').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('#files').textContent(), { timeout: 20_000 }).toContain('sample.mp4');
    await expect.poll(() => page.locator('#conn').textContent(), { timeout: 20_000 }).toBe('connected');
    expect(pageErrors(log)).toEqual([]);
  }, 60_000);

  it('says "disconnected" while the server is down and recovers when it is back on the same port', async () => {
    let s = await startTestServer();
    onTestFinished(() => s.close());
    const log: string[] = [];
    const page = await openDashboard(log, s);
    await card(page, 'testsrc').waitFor({ timeout: 30_000 });
    // The badge turns "connected" once the whole first refresh is in, which may be after the cards are drawn.
    await expect.poll(() => page.locator('#conn').textContent(), { timeout: 20_000 }).toBe('connected');
    const port = s.httpPort;
    await s.close();
    await expect.poll(() => page.locator('#conn').textContent(), { timeout: 20_000 }).toMatch(/^disconnected/);
    // What was shown stays on the page (dimmed) while the server is away.
    expect(await card(page, 'testsrc').count()).toBe(1);
    s = await startTestServer({ httpPort: port });
    await expect.poll(() => page.locator('#conn').textContent(), { timeout: 20_000 }).toBe('connected');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 10_000 }).toMatch(new RegExp(`RTSP port ${s.rtspPort} `));
    expect(await page.evaluate(() => document.body.classList.contains('offline'))).toBe(false);
    expect(pageErrors(log)).toEqual([]);
  }, 60_000);
});
