// The web player on VP8, VP9 and AV1 live paths in headless Chromium: ws mode decodes all three with WebCodecs, mp4 and hls modes play VP9 and AV1, and VP8 there is a message naming it (no reconnect loop).
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { av1TemporalUnits, publishAv1 } from '../helpers/av1-publisher.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { testPage } from '../helpers/test-page.js';
import { publishSample } from '../http/hls-source.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';
import { buildPlayer, playerUrl, waitStats } from './player-page.js';

let srv: TestServer;
let browser: Browser;
const stops: (() => void)[] = [];
let lossy: Awaited<ReturnType<typeof publishAv1>>;

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer();
  browser = await launchBrowser();
  // ffmpeg 5.1 calls its VP9 RTP packetizer experimental: without -strict experimental it refuses to publish.
  for (const codec of ['vp8', 'vp9']) stops.push(publishSample(srv, `live/${codec}`, `sample-${codec}.webm`, ['-strict', 'experimental']).stop);
  const tus = await av1TemporalUnits();
  stops.push((await publishAv1(srv.rtspPort, srv.url('live/av1'), tus)).stop);
  lossy = await publishAv1(srv.rtspPort, srv.url('live/av1-lossy'), tus, { lossEvery: 10 });
  stops.push(lossy.stop);
  for (const codec of ['vp8', 'vp9', 'av1', 'av1-lossy']) await waitLive(`live/${codec}`);
}, 120_000);
afterAll(async () => {
  for (const s of stops) s();
  await browser?.close();
  await srv?.close();
});

/** Waits until DESCRIBE of `path` answers 200: its publisher is live. */
async function waitLive(path: string): Promise<void> {
  await waitFor(
    async () => {
      const c = await RawRtspClient.open(srv.rtspPort);
      try {
        return (await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' })).status === 200;
      } finally {
        c.close();
      }
    },
    45_000,
    `/${path} to go live`,
    300,
  );
}

/** Opens the player on `path` in `mode` and waits for decoded frames to advance; returns the page log. */
async function plays(path: string, mode: 'ws' | 'mp4' | 'hls'): Promise<void> {
  const log: string[] = [];
  const page = await testPage(browser, log);
  await page.goto(playerUrl(srv, { src: path, mode }));
  const a = await waitStats(page, (s) => s.state === 'playing' && (s.framesDecoded ?? 0) > 10, log, undefined, `${mode} playback of ${path}`);
  const b = await waitStats(page, (s) => s.framesDecoded! >= a.framesDecoded! + 15, log, undefined, `${mode} playback of ${path} advancing`);
  const why = `${JSON.stringify(b)}\n${log.join('\n')}`;
  expect(b.mode).toBe(mode);
  expect(b.message, why).toBeNull();
  expect(b.reconnects, why).toBe(0);
}

describe('ws mode (WebCodecs)', () => {
  it('plays VP8', () => plays('live/vp8', 'ws'), 90_000);
  it('plays VP9', () => plays('live/vp9', 'ws'), 90_000);
  it('plays AV1', () => plays('live/av1', 'ws'), 90_000);
});

describe('ws mode after loss', () => {
  it('AV1 with a packet lost every 10 units: waits for the next key frame and goes on decoding', async () => {
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.goto(playerUrl(srv, { src: 'live/av1-lossy', mode: 'ws' }));
    const a = await waitStats(page, (s) => (s.framesDecoded ?? 0) > 5 && (s.keyFrameWaits ?? 0) >= 1, log, undefined, 'a wait for a key frame after a loss');
    const b = await waitStats(page, (s) => s.keyFrameWaits! >= a.keyFrameWaits! + 1 && s.framesDecoded! > a.framesDecoded! + 15, log, undefined, 'decoding again after further losses');
    const why = `${JSON.stringify(b)}\n${log.join('\n')}`;
    expect(lossy.lost()).toBeGreaterThan(0);
    expect(b.state, why).toBe('playing');
    expect(b.message, why).toBeNull();
    expect(log.filter((l) => /video decoder:/.test(l)), why).toEqual([]);
  }, 90_000);
});

describe('mp4 mode (MSE on progressive fMP4)', () => {
  it('plays VP9 (vp09 + vpcC)', () => plays('live/vp9', 'mp4'), 90_000);
  it('plays AV1 (av01 + av1C)', () => plays('live/av1', 'mp4'), 90_000);
});

describe('hls mode (hls.js, fMP4 segments)', () => {
  it('plays VP9', () => plays('live/vp9', 'hls'), 90_000);
  it('plays AV1', () => plays('live/av1', 'hls'), 90_000);
});

describe('VP8 where the browser or HLS has no place for it: a message, never a reconnect loop', () => {
  for (const [mode, says] of [
    ['mp4', /vp08/], // Chromium's MSE takes no VP8 in MP4
    ['hls', /VP8/], // HLS carries no VP8: the server refuses the playlist with a reason
  ] as const) {
    it(`${mode} mode says so`, async () => {
      const log: string[] = [];
      const page = await testPage(browser, log);
      await page.goto(playerUrl(srv, { src: 'live/vp8', mode }));
      const s = await waitStats(page, (x) => x.state === 'error', log, undefined, `${mode} mode's message on VP8`);
      expect(s.message).toMatch(says);
      expect(s.reconnects).toBe(0);
    }, 90_000);
  }
});
