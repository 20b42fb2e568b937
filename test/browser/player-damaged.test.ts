// The web player on a damaged file: in every mode (ws, hls, mp4) it shows the server's 415 reason and stops, never reconnecting.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { writeDamagedFiles, type DamagedFile } from '../helpers/damaged-media.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

let srv: TestServer;
let browser: Browser;
let dir: string;
let files: DamagedFile[];

beforeAll(async () => {
  buildPlayer();
  dir = mkdtempSync(join(tmpdir(), 'tidecast-damaged-player-'));
  files = writeDamagedFiles(dir);
  srv = await startTestServer({ mediaDir: dir, fileDemuxTimeout: 1 });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('player on a damaged file', () => {
  for (const mode of ['ws', 'hls', 'mp4'] as const) {
    it.each(['cut-at-half.mp4', 'garbage.mkv'])(`${mode} mode shows the 415 reason for %s and does not reconnect`, async (name) => {
      const f = files.find((x) => x.name === name)!;
      const log: string[] = [];
      const page = await testPage(browser, log);
      await page.goto(playerUrl(srv, { src: name, mode }));
      const s = await waitStats(page, (x) => x.state === 'error' || x.state === 'reconnecting', log, undefined, `${mode}: the refusal of ${name}`);
      const why = `${JSON.stringify(s)}\n${log.join('\n')}`;
      expect(s.state, why).toBe('error');
      expect(s.reconnects, why).toBe(0);
      expect(s.message, why).toContain(`"${name}" cannot be played`);
      expect(s.message, why).toMatch(f.reason);
      expect(await page.locator('body').innerText()).toContain('cannot be played');
    });
  }
});
