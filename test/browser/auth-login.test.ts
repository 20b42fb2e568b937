// Logging in from the pages in Chromium: the player (ws, hls and mp4 modes) and the dashboard show their form on a 401, say when a password is wrong, then play or list with the token on every request.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

let srv: TestServer;
let browser: Browser;

beforeAll(async () => {
  buildPlayer();
  // One wrong password per test from 127.0.0.1: four in all, under the five that would block the address.
  srv = await startTestServer({
    authUsers: [
      { user: 'alice', pass: 'secret', permissions: [{ action: 'read' }, { action: 'api' }] },
      { user: 'bob', pass: 'builder', permissions: [{ action: 'read', path: 'other/*' }] },
    ],
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
});

/** Fills the page's login form and submits it. */
async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.locator('#login-user').fill(user);
  await page.locator('#login-pass').fill(password);
  await page.locator('#login-submit').click();
}

describe('player login', () => {
  it.each(['ws', 'hls', 'mp4'] as const)('%s mode: the form on a 401, a wrong password said, a user who may not watch said, then playing', async (mode) => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(srv, { src: 'sample.mp4', mode }));
    await page.locator('#login').waitFor({ state: 'visible', timeout: 45_000 });
    expect(await page.locator('#login-why').textContent()).toMatch(/Reading \/sample\.mp4 needs a login/);
    await logIn(page, 'alice', 'wrong');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 20_000 }).toBe('wrong user name or password');
    await logIn(page, 'bob', 'builder');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 20_000 }).toBe('user bob may not read /sample.mp4');
    await logIn(page, 'alice', 'secret');
    await page.locator('#login').waitFor({ state: 'hidden', timeout: 20_000 });
    const s = await waitStats(page, (x) => x.state === 'playing' && (x.framesDecoded ?? 0) > 20, log, undefined, `${mode} playback after the login`);
    expect(s.message, log.join('\n')).toBeNull();
    // The token stays with the tab: a reload plays without asking again.
    await page.reload();
    await waitStats(page, (x) => x.state === 'playing' && (x.framesDecoded ?? 0) > 5, log, undefined, `${mode} playback after a reload`);
    expect(await page.locator('#login').isHidden()).toBe(true);
  });
});

describe('dashboard login', () => {
  it('asks for a login instead of showing anything, lists paths and sessions after it, and its login lets the player play', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(srv.httpUrl(''));
    await page.locator('#login').waitFor({ state: 'visible', timeout: 45_000 });
    expect(await page.locator('#login-why').textContent()).toMatch(/Using the API needs a login/);
    expect(await page.locator('#files').textContent()).toBe('');
    await logIn(page, 'alice', 'wrong');
    await expect.poll(() => page.locator('#login-error').textContent(), { timeout: 20_000 }).toBe('wrong user name or password');
    await logIn(page, 'alice', 'secret');
    await page.locator('#login').waitFor({ state: 'hidden', timeout: 20_000 });
    await expect.poll(() => page.locator('#files').textContent(), { timeout: 45_000 }).toContain('sample.mp4');
    await expect.poll(() => page.locator('#status').textContent(), { timeout: 45_000 }).toMatch(/RTSP port \d+/);
    // The dashboard's links open the player in the same tab: it plays with the dashboard's login.
    await page.locator('#files a', { hasText: 'player' }).first().click();
    await waitStats(page, (x) => x.state === 'playing' && (x.framesDecoded ?? 0) > 10, log, undefined, 'the player opened from the dashboard');
    expect(await page.locator('#login').isHidden()).toBe(true);
  });
});
