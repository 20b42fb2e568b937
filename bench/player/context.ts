// What every web player bench scenario gets: one Tidecast, one browser, and how to open the player page on it.
import type { Browser, Page } from 'playwright-core';
import { newPage } from '../../test/helpers/browser.js';
import type { TestServer } from '../../test/helpers/server.js';
import { playerUrl, publishLowLatency } from '../../test/browser/player-page.js';
import { waitPlaylist } from '../../test/http/hls-source.js';
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

/**
 * A live path published by `publishLowLatency` (one AAC frame per packet: ffmpeg's default packs
 * 0.3-0.7 s of AAC into a packet, a floor under any player's audio delay), the player opened on it
 * with `query` once its playlist answers, and `fn` run on the page; page and publisher are closed after.
 */
export async function withLivePage<T>(ctx: PlayerBenchContext, path: string, query: Record<string, string>, fn: (page: Page, log: string[]) => Promise<T>): Promise<T> {
  const pub = publishLowLatency(ctx.srv, path);
  const log: string[] = [];
  try {
    await waitPlaylist(ctx.srv.httpUrl(`${path}/index.m3u8`), 45_000);
    const page = await openPlayer(ctx, { src: path, ...query }, log);
    try {
      return await fn(page, log);
    } finally {
      await page.close();
    }
  } finally {
    pub.stop();
  }
}
