// Headless Debian Chromium through playwright-core, with the flags this machine needs (see PLAYER.md).
import { chromium, type Browser, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where browser tests save screenshots and logs (kept by CI as artifacts; git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-results');

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** `extra`: more Chromium flags (a trusted certificate, host names mapped to loopback). */
export async function launchBrowser(extra: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...FLAGS, ...extra] });
}

/** A new page that forwards the page's console errors to `log` (a failing test shows them). */
export async function newPage(browser: Browser, log: string[] = []): Promise<Page> {
  const page = await browser.newPage();
  page.on('console', (m) => log.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => log.push(`[pageerror] ${e.message}`));
  return page;
}

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return resolve(ARTIFACTS, name);
}
