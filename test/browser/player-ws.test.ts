// The web player's ws mode in headless Chromium: a file and a live path play (frames advance, audio decoded), A/V skew on the flash + beep clip, seek, pause/resume, unknown path, screenshot.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchBrowser, newPage } from '../helpers/browser.js';
import { sleep } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';
import { buildPlayer, playerUrl, publishLowLatency, sampleStats, stats, waitStats } from './player-page.js';

let srv: TestServer;
let browser: Browser;
let pub: Publisher | undefined;

beforeAll(async () => {
  buildPlayer();
  srv = await startTestServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  pub?.stop();
  await browser?.close();
  await srv?.close();
});

async function open(query: Record<string, string>, log: string[]): Promise<Page> {
  const page = await newPage(browser, log);
  await page.goto(playerUrl(srv, query));
  return page;
}

describe('ws mode plays', () => {
  it('media/sample.mp4: frames advance, audio is decoded, SRs map both tracks, the picture is saved', async () => {
    const log: string[] = [];
    const page = await open({ src: 'sample.mp4' }, log);
    const a = await waitStats(page, (s) => (s.framesShown ?? 0) > 30 && (s.audioFramesDecoded ?? 0) > 50, log, 20_000, 'playback');
    await sleep(2000);
    const b = await stats(page);
    const why = `${JSON.stringify(b)}\n${log.join('\n')}`;
    expect(b.state, why).toBe('playing');
    expect(b.mode).toBe('ws');
    // 2 s at 30 fps and ~47 AAC frames per second, with slack for a loaded machine.
    expect(b.framesShown! - a.framesShown!, why).toBeGreaterThan(40);
    expect(b.audioFramesDecoded! - a.audioFramesDecoded!, why).toBeGreaterThan(60);
    expect(b.position, why).toBeGreaterThan(a.position + 1);
    expect(b.duration).toBeCloseTo(20, 0);
    expect(b.syncMode).toBe('sr');
    expect(b.tracks?.video?.senderReports).toBeGreaterThan(0);
    expect(b.tracks?.audio?.senderReports).toBeGreaterThan(0);
    expect(b.tracks?.video?.lost).toBe(0);
    expect(b.e2eLatencyMs).not.toBeNull();
    // The canvas shows a picture, not black.
    const lit = await page.evaluate(() => {
      const c = document.getElementById('canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 400) sum += d[i]! + d[i + 1]! + d[i + 2]!;
      return sum / (d.length / 400) / 3;
    });
    expect(lit, why).toBeGreaterThan(20);
    await page.screenshot({ path: artifactPath('player.png') });
    await page.close();
  });

  it('a live path (ffmpeg publishing the sample in a loop): frames advance, audio decoded', async () => {
    pub = publishSample(srv, 'live/player');
    const log: string[] = [];
    // The path exists once the publisher is up: until then DESCRIBE says 404, so wait for it first.
    const t0 = Date.now();
    let page = await open({ src: 'live/player' }, log);
    while ((await stats(page))?.state !== 'playing' && Date.now() - t0 < 15_000) {
      await sleep(500);
      if ((await stats(page))?.state === 'error') {
        await page.close();
        page = await open({ src: 'live/player' }, log);
      }
    }
    const a = await waitStats(page, (s) => (s.framesShown ?? 0) > 20 && (s.audioFramesDecoded ?? 0) > 30, log, 20_000, 'live playback');
    await sleep(3000);
    const b = await stats(page);
    const why = `${JSON.stringify(b)}\n${log.join('\n')}\npublisher: ${pub.stderr()}`;
    expect(b.duration, why).toBeNull();
    expect(b.framesShown! - a.framesShown!, why).toBeGreaterThan(60);
    expect(b.audioFramesDecoded! - a.audioFramesDecoded!, why).toBeGreaterThan(90);
    expect(b.e2eLatencyMs, why).not.toBeNull();
    await page.close();
  });
});

describe('ws mode live join', () => {
  it('the GOP-cache burst of a live join does not inflate the playout delay: a few seconds in, audio and video are far below the 2 s cap', async () => {
    // A low-latency publisher (one AAC frame per packet): ffmpeg's default packs 0.3-0.7 s of AAC
    // into a packet, which is real delay variation the audio target must cover, join or not.
    const low = publishLowLatency(srv, 'live/join');
    try {
      // The playlist answers once a segment is complete: the publisher is up and its GOP cached.
      await waitPlaylist(srv.httpUrl('live/join/index.m3u8'));
      const log: string[] = [];
      const page = await open({ src: 'live/join' }, log);
      await waitStats(page, (s) => s.state === 'playing', log, 20_000, 'playing');
      const t0 = Date.now();
      await waitStats(page, (s) => (s.framesShown ?? 0) > 20 && (s.audioFramesDecoded ?? 0) > 30, log, 20_000, 'live playback');
      // 3 to 5 s after the join: past the join and its burst, where the old estimator still held
      // the burst's delay (it slews down at 100 ms/s).
      await sleep(Math.max(0, 3000 - (Date.now() - t0)));
      const samples = await sampleStats(page, 2000);
      const last = samples.at(-1)!;
      const worst = (k: 'audio' | 'video', f: 'playoutDelayMs' | 'playoutTargetMs'): number => Math.max(...samples.map((x) => x.tracks?.[k]?.[f] ?? Infinity));
      const measured = {
        audio: { delay: worst('audio', 'playoutDelayMs'), target: worst('audio', 'playoutTargetMs') },
        video: { delay: worst('video', 'playoutDelayMs'), target: worst('video', 'playoutTargetMs') },
        audioFloorMs: last.audioFloorMs,
        audioDroppedLate: last.audioDroppedLate,
        e2eLatencyMs: last.e2eLatencyMs,
      };
      console.log(`live join, 3-5 s after PLAY (worst of 8 samples), ms: ${JSON.stringify(measured)}`);
      const why = `${JSON.stringify(measured)}\n${JSON.stringify(last)}\n${log.join('\n')}\npublisher: ${low.stderr()}`;
      // The join did start with the burst: its audio, behind the playout point, was dropped.
      expect(last.audioDroppedLate, why).toBeGreaterThan(0);
      // Loopback needs ~the 20 ms minimum; 400 ms leaves room for a loaded 2-core host's stalls
      // (the cap is 2000 ms, and a burst fed to the estimator held 200+ ms for seconds).
      for (const k of ['audio', 'video'] as const) expect(measured[k].delay, why).toBeLessThanOrEqual(400);
      expect(last.framesShown! - samples[0]!.framesShown!, why).toBeGreaterThan(20);
      await page.close();
    } finally {
      low.stop();
    }
  });
});

describe('ws mode A/V sync', () => {
  it('flash + beep of media/sample.mp4: skew centred within 20 ms, every pair within +-45 ms (ITU-R BT.1359)', async () => {
    const log: string[] = [];
    const page = await open({ src: 'sample.mp4' }, log);
    const s = await waitStats(page, (x) => x.sync.samples >= 8, log, 30_000, '8 flash/beep pairs');
    const why = `skews ${JSON.stringify(s.skewSamples)}\n${JSON.stringify(s.sync)}\n${log.join('\n')}`;
    console.log(`ws A/V skew (flash - beep), ms: median ${s.sync.medianMs}, range [${s.sync.minMs}, ${s.sync.maxMs}], n=${s.sync.samples}; pairs ${JSON.stringify(s.skewSamples)}`);
    // Measured on the audio clock (AudioWorklet onset vs the flash frame's draw, both as context
    // time), so headless audio-clock drift against performance.now() does not enter.
    // The issue's acceptance: A/V skew within +-45 ms in ws mode, every pair (BT.1359's
    // detectability threshold for audio ahead; audio behind is detectable from -125 ms, the tighter
    // bound holds both ways). The median is the sync itself: PLAYER.md aims at |skew| <= 20 ms.
    const sorted = [...s.skewSamples].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    expect(Math.abs(median), why).toBeLessThanOrEqual(20);
    for (const x of s.skewSamples) expect(Math.abs(x), why).toBeLessThanOrEqual(45);
    expect(s.sync.beeps, why).toBeGreaterThanOrEqual(8);
    // The sound is one back-to-back schedule, slewed by playback rate: not a restart per decoded
    // frame (~400 in these 8 s, what a bug once did). A loaded machine's page runs the output dry
    // now and then (6 in 8 s with two browsers on 2 cores) until the output's guard has learnt it.
    expect(s.audioOutputResyncs, why).toBeLessThan(s.audioFramesDecoded! / 20);
    // A file's audio runs without a hole in its media time: no restart is for a media gap.
    expect(s.audioOutputRestartCauses?.mediaGap, why).toBe(0);
    await page.close();
  });
});

describe('ws mode controls', () => {
  it('seek to 12 s (RTSP PLAY Range) plays from there; pause holds the picture and resume goes on', async () => {
    const log: string[] = [];
    const page = await open({ src: 'sample.mp4' }, log);
    await waitStats(page, (s) => s.state === 'playing' && (s.framesShown ?? 0) > 10, log, 20_000, 'playback');
    // The seek bar: 12 s of 20.011 s.
    await page.evaluate(() => {
      const seek = document.getElementById('seek') as HTMLInputElement;
      seek.value = String(Math.round((12 / 20.011) * 1000));
      seek.dispatchEvent(new Event('change'));
    });
    // The server starts at the key frame at or before 12 s (2 s GOP): 12.0.
    const afterSeek = await waitStats(page, (s) => s.position >= 12 && s.position < 14, log, 10_000, 'position after seek');
    await sleep(1500);
    const later = await stats(page);
    expect(later.position, JSON.stringify(later)).toBeGreaterThan(afterSeek.position + 0.8);

    // Pause from the keyboard (space), as a person would.
    await page.keyboard.press('Space');
    const paused = await waitStats(page, (s) => s.state === 'paused', log, 5000, 'paused');
    const shownAtPause = (await stats(page)).framesShown!;
    await sleep(1500);
    const stillPaused = await stats(page);
    expect(stillPaused.state).toBe('paused');
    expect(stillPaused.framesShown! - shownAtPause, JSON.stringify(stillPaused)).toBeLessThanOrEqual(2);
    expect(Math.abs(stillPaused.position - paused.position)).toBeLessThan(0.2);

    await page.keyboard.press('Space');
    await waitStats(page, (s) => s.state === 'playing', log, 5000, 'playing again');
    const resumed = await waitStats(page, (s) => (s.framesShown ?? 0) > stillPaused.framesShown! + 30, log, 10_000, 'frames after resume');
    // Resumed where it paused (RTSP PLAY Range from the paused position: at most one GOP back).
    expect(resumed.position).toBeGreaterThan(paused.position - 2.1);
    expect(resumed.position).toBeLessThan(paused.position + 3);
    const samples = await sampleStats(page, 1000);
    expect(samples.at(-1)!.audioFramesDecoded!).toBeGreaterThan(samples[0]!.audioFramesDecoded!);
    await page.close();
  });

  it('an unknown path says so in the page, and does not retry', async () => {
    const log: string[] = [];
    const page = await open({ src: 'no/such/path' }, log);
    const s = await waitStats(page, (x) => x.state === 'error', log, 10_000, 'error state');
    expect(s.message).toMatch(/"no\/such\/path" does not exist on this server/);
    expect(await page.locator('#message').isVisible()).toBe(true);
    expect(await page.locator('#message').textContent()).toMatch(/does not exist/);
    await sleep(1500);
    expect((await stats(page)).reconnects).toBe(0);
    await page.close();
  });
});
