// A browser page that belongs to one test: closed when the test finishes, passed or failed.
import type { Browser, Page } from 'playwright-core';
import { onTestFinished } from 'vitest';
import { newPage } from './browser.js';

/**
 * A new page (console and page errors into `log`) closed when the running test finishes: a failed
 * test's page must not go on decoding beside the next test.
 */
export async function testPage(browser: Browser, log: string[]): Promise<Page> {
  const page = await newPage(browser, log);
  onTestFinished(() => page.close().catch(() => undefined));
  return page;
}
