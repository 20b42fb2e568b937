// What the player's browser tests share: building the bundle, opening /player/, reading window.tidecastStats, waiting on it.
import { execFileSync, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TrackStats } from '../../player/src/engine.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { sleep } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitPlaylist } from '../http/hls-source.js';

/** The stats object the page publishes (player/src/stats.ts), as the tests read it. */
export interface PageStats {
  mode: string;
  state: string;
  message: string | null;
  position: number;
  duration: number | null;
  reconnects: number;
  redirects?: number;
  redirectedTo?: string | null;
  reconnectIn: number | null;
  tracks?: {
    video?: TrackStats;
    audio?: TrackStats;
  };
  avSkewMs?: number | null;
  e2eLatencyMs?: number | null;
  framesDecoded?: number;
  framesShown?: number;
  framesDropped?: number;
  keyFrameWaits?: number;
  audioFramesDecoded?: number;
  syncMode?: string | null;
  audioFloorMs?: number | null;
  audioDroppedLate?: number;
  audioOutputResyncs?: number;
  audioOutputSkipped?: number;
  audioOutputRestartCauses?: { dry: number; mediaGap: number; early: number };
  audioOutputGuardMs?: number;
  audioLanguage?: string | null;
  audioChannels?: number | null;
  audioChoices?: string[];
  subtitles?: string | null;
  subtitleChoices?: string[];
  cue?: string;
  sync: { samples: number; medianMs: number | null; minMs: number | null; maxMs: number | null; beeps: number; flashes: number };
  skewSamples: number[];
  at: number;
}

const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The skew a browser test holds the player to (ms, positive: sound ahead of picture): ITU-R BT.1359's
 * detectability threshold with sound behind (-125 ms) and its acceptability threshold with sound
 * ahead (+90 ms). The tighter figures (+-45 ms every pair, |median| <= 20 ms) are real-time quality
 * figures, printed by `npm run bench:player` with PASS/MISS.
 */
export const BT1359 = { minMs: -125, maxMs: 90 } as const;

/** The middle value (upper middle for an even count); NaN for none. */
export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

/** Bundles the player if its sources changed (the script is idempotent and skips an up-to-date bundle). */
export function buildPlayer(): void {
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/build-player.mjs')], { stdio: 'inherit' });
}

/**
 * The player page of a test server. Served from 127.0.0.1, a secure context like localhost, so
 * WebCodecs and AudioWorklet exist.
 */
export function playerUrl(srv: TestServer, query: Record<string, string>): string {
  return `${srv.httpUrl('player/')}?${new URLSearchParams(query)}`;
}

export async function stats(page: Page): Promise<PageStats> {
  return (await page.evaluate('window.tidecastStats ?? null')) as PageStats;
}

/** Blocks the page's main thread for `ms` (a long task, as a loaded machine gives). */
export async function blockMainThread(page: Page, ms: number): Promise<void> {
  await page.evaluate((block) => {
    const end = performance.now() + block;
    while (performance.now() < end);
  }, ms);
}

/** Resolves after the page has run `n` animation frames: the player's render loop had that many chances to act. */
export async function renderTicks(page: Page, n: number): Promise<void> {
  await page.evaluate(
    (count) =>
      new Promise<void>((done) => {
        let k = 0;
        const tick = (): void => void (++k >= count ? done() : requestAnimationFrame(tick));
        requestAnimationFrame(tick);
      }),
    n,
  );
}

/**
 * Polls the stats until `ok` holds; fails with the last stats and the page log. The deadline is
 * for a machine loaded several times over: a test waits for what it needs, never a fixed time.
 */
export async function waitStats(page: Page, ok: (s: PageStats) => boolean, log: string[], ms = 45_000, what = 'condition'): Promise<PageStats> {
  const t0 = Date.now();
  let last: PageStats | null = null;
  while (Date.now() - t0 < ms) {
    last = await stats(page);
    if (last && ok(last)) return last;
    await sleep(200);
  }
  throw new Error(`player: ${what} not reached within ${ms} ms\nlast stats: ${JSON.stringify(last)}\npage log:\n${log.join('\n')}`);
}

/** Samples the stats every `everyMs` for `ms`. */
export async function sampleStats(page: Page, ms: number, everyMs = 250): Promise<PageStats[]> {
  const out: PageStats[] = [];
  const t0 = Date.now();
  while (Date.now() - t0 < ms) {
    out.push(await stats(page));
    await sleep(everyMs);
  }
  return out;
}

/**
 * ffmpeg publishing media/sample.mp4 in a loop to `path` with `-max_delay 0`: one AAC frame per
 * RTP packet. ffmpeg's default packs ~0.5 s of AAC frames into one packet, which puts a 0.5 s floor
 * under any player's audio playout delay; a low-latency publisher does not do that.
 */
export function publishLowLatency(srv: TestServer, path: string): { stop(): void; stderr(): string } {
  const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', resolve(ROOT, 'media/sample.mp4'), '-c', 'copy', '-max_delay', '0', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)];
  const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  return { stop: () => child.kill('SIGKILL'), stderr: () => err };
}

/** What the live player tests run on: the bundle built, a test server, a browser, and `publishLowLatency` on `path`. */
export interface LivePlayerRig {
  srv: TestServer;
  browser: Browser;
  pub: ReturnType<typeof publishLowLatency>;
  close(): Promise<void>;
}

/** Builds the rig and waits until the path's playlist answers: the publisher is up and its GOP cached. */
export async function startLivePlayerRig(path: string): Promise<LivePlayerRig> {
  buildPlayer();
  const srv = await startTestServer();
  const browser = await launchBrowser();
  const pub = publishLowLatency(srv, path);
  await waitPlaylist(srv.httpUrl(`${path}/index.m3u8`), 45_000);
  return {
    srv,
    browser,
    pub,
    async close() {
      pub.stop();
      await browser.close();
      await srv.close();
    },
  };
}
