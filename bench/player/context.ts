// What every web player bench scenario gets: one Tidecast, one browser, and how to open the player page on it.
import type { Browser, Page } from 'playwright-core';
import { newPage } from '../../test/helpers/browser.js';
import type { TestServer } from '../../test/helpers/server.js';
import { playerUrl } from '../../test/browser/player-page.js';
import type { Verdict } from '../lib/verdict.js';

export interface PlayerBenchContext {
  srv: TestServer;
  browser: Browser;
  /** Seconds each scenario measures for (after its warm-up), where it measures over time. */
  seconds: number;
}

/** A scenario's figures held to their targets, and a line of detail for the report. */
export interface ScenarioResult {
  verdicts: Verdict[];
  detail: string;
}

/** Opens the player with `query`; the caller closes the page. */
export async function openPlayer(ctx: PlayerBenchContext, query: Record<string, string>, log: string[]): Promise<Page> {
  const page = await newPage(ctx.browser, log);
  await page.goto(playerUrl(ctx.srv, query));
  return page;
}
