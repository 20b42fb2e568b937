// End-to-end latency of the web player on loopback for a live path: ws mode (RTCP SR wallclock of the frame on screen vs now) and hls mode (PROGRAM-DATE-TIME of the playhead vs now).
//
//   npm run bench:player                         # sample.mp4 published by ffmpeg (-re, -c copy), with and without
//                                                # -max_delay 0, and the built-in testsrc; 20 s per mode
//   npm run bench:player -- --seconds 30 --sources publish --modes ws --json /tmp/player.json
//
// Tidecast runs in this process (through tsx): the numbers are latencies, not CPU. The player is
// the real bundle (dist/player, built first) in headless Chromium; each mode gets its own page.
// The e2e figure is the page's own window.tidecastStats.e2eLatencyMs, sampled every 250 ms after
// a warm-up: in ws mode it is now - the sender wallclock (RTCP SR) of the frame drawn, which on
// loopback shares the clock with the page; in hls mode it is now - hls.playingDate.
// Target (issue 5): ws <= 300 ms.
import { execFileSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, newPage } from '../test/helpers/browser.js';
import { publishSample, startInProcess } from './lib/in-process.js';
import { sleep } from './lib/net.js';
import { ROOT } from './lib/servers.js';
import { quantile } from './lib/stats.js';
import { f, table } from './lib/table.js';

interface Result {
  source: string;
  mode: string;
  samples: number;
  median: number;
  p90: number;
  min: number;
  max: number;
  /** ws: the page's smoothed A/V skew (median of samples); hls: none. */
  skewMedian: number;
  framesDropped: number;
  framesShown: number;
}

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '4' },
    sources: { type: 'string', default: 'publish,publish-default,testsrc' },
    modes: { type: 'string', default: 'ws,hls' },
    json: { type: 'string' },
  },
});

async function main(): Promise<void> {
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/build-player.mjs')], { stdio: 'inherit' });
  const app = await startInProcess();
  const browser = await launchBrowser();
  const seconds = Number(args.seconds);
  const warmup = Number(args.warmup);
  const results: Result[] = [];
  try {
    for (const source of args.sources.split(',')) {
      let path = 'testsrc';
      let child: ChildProcess | undefined;
      if (source.startsWith('publish')) {
        path = `live/${source}`;
        const url = `rtsp://127.0.0.1:${app.rtspPort}/${path}`;
        // ffmpeg's RTP muxer packs up to ~0.5 s of AAC frames into one packet by default: that is a
        // floor under any receiver's audio delay. `-max_delay 0` sends one frame per packet.
        const pack = source === 'publish' ? ['-max_delay', '0'] : [];
        child = publishSample(url, pack);
        await sleep(2000);
      }
      try {
        for (const mode of args.modes.split(',')) {
          const log: string[] = [];
          const page = await newPage(browser, log);
          await page.goto(`http://127.0.0.1:${app.httpPort}/player/?src=${encodeURIComponent(path)}&mode=${mode}`);
          const lat: number[] = [];
          const skew: number[] = [];
          let last: Record<string, unknown> = {};
          const t0 = Date.now();
          while (Date.now() - t0 < (warmup + seconds) * 1000) {
            last = ((await page.evaluate('window.tidecastStats ?? {}')) as Record<string, unknown>) ?? {};
            if (Date.now() - t0 > warmup * 1000 && last.state === 'playing') {
              if (typeof last.e2eLatencyMs === 'number') lat.push(last.e2eLatencyMs);
              if (typeof last.avSkewMs === 'number') skew.push(last.avSkewMs);
            }
            await sleep(250);
          }
          if (lat.length === 0) console.error(`${source}/${mode}: no latency samples; last stats ${JSON.stringify(last)}\n${log.join('\n')}`);
          results.push({
            source,
            mode,
            samples: lat.length,
            median: quantile(lat, 0.5),
            p90: quantile(lat, 0.9),
            min: Math.min(...lat),
            max: Math.max(...lat),
            skewMedian: quantile(skew, 0.5),
            framesDropped: Number(last.framesDropped ?? NaN),
            framesShown: Number(last.framesShown ?? NaN),
          });
          await page.close();
        }
      } finally {
        child?.kill('SIGKILL');
      }
    }
  } finally {
    await browser.close();
    await app.close();
  }
  const rows = [['source', 'mode', 'samples', 'e2e median ms', 'p90', 'min', 'max', 'A/V skew median ms', 'frames shown', 'dropped']];
  for (const r of results) {
    rows.push([r.source, r.mode, String(r.samples), f(r.median, 0), f(r.p90, 0), f(r.min, 0), f(r.max, 0), f(r.skewMedian, 1), String(r.framesShown), String(r.framesDropped)]);
  }
  console.log(`\nWeb player end-to-end latency on loopback (${seconds} s per mode after ${warmup} s warm-up; target ws <= 300 ms)\n`);
  console.log(table(rows));
  if (args.json) writeFileSync(args.json, JSON.stringify(results, null, 2));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
