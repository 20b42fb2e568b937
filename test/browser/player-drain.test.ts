// The web player (ws mode, Chromium) follows a draining server's REDIRECT to the other server: it plays on there, without a reconnect error.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { publishSample, type Publisher } from '../http/hls-source.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

const servers: TestServer[] = [];
let browser: Browser;
let pub: Publisher | undefined;

beforeAll(async () => {
  buildPlayer();
  browser = await launchBrowser();
});
afterAll(async () => {
  pub?.stop();
  await browser?.close();
  for (const s of servers.reverse()) await s.close();
});

describe('player and drain', () => {
  it('a playing player moves from A to B on REDIRECT: frames advance on B, no reconnect', async () => {
    const origin = await startTestServer();
    servers.push(origin);
    pub = publishSample(origin, 'live/cam');
    await waitFor(() => origin.paths.livePath('live/cam').stream !== undefined, 30_000, 'the origin publisher');
    // A and B serve the same live source.
    const a = await startTestServer({ paths: { cam: { source: origin.url('live/cam'), sourceOnDemand: false } } });
    servers.push(a);
    const b = await startTestServer({ paths: { cam: { source: origin.url('live/cam'), sourceOnDemand: false } } });
    servers.push(b);
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(a, { src: 'cam' }));
    await waitStats(page, (s) => s.state === 'playing' && (s.framesShown ?? 0) > 20, log, undefined, 'playing from A');

    const report = a.drain({ location: `rtsp://127.0.0.1:${b.rtspPort}`, httpLocation: `http://127.0.0.1:${b.httpPort}`, graceMs: 15_000 });
    const moved = await waitStats(page, (s) => s.redirects === 1 && s.state === 'playing' && (s.framesShown ?? 0) > 0, log, undefined, 'playing from B');
    const onB = (): boolean => b.paths.clients.list().some((c) => c.path === 'cam' && c.protocol === 'rtsp-ws');
    expect(onB(), log.join('\n')).toBe(true);
    // Frames go on advancing there.
    const later = await waitStats(page, (s) => (s.framesShown ?? 0) > (moved.framesShown ?? 0) + 30, log, undefined, 'frames advancing on B');
    const why = `${JSON.stringify(later)}\n${log.join('\n')}`;
    expect(later.reconnects, why).toBe(0);
    expect(later.message, why).toBeNull();
    expect(later.redirectedTo, why).toBe(`rtsp://127.0.0.1:${b.rtspPort}/cam`);
    // The player left A on its own (TEARDOWN there): nothing was torn down at the grace time.
    expect(await report).toMatchObject({ redirected: 1, tornDown: 0 });
    expect(onB()).toBe(true);
  });
});
