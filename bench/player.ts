// The web player's real-time figures, each printed PASS or MISS against its target: A/V sync on a file, under network jitter and under main-thread stalls, the live join, end-to-end latency.
//
//   npm run bench:player                                  # every scenario: ~4 min
//   npm run bench:player -- --scenarios sync,jitter --seconds 20
//   npm run bench:player -- --scenarios latency --sources publish --modes ws --json /tmp/player.json
//
// These are the figures the browser tests do not assert (a test holds only what always holds: it
// plays, the skew is acceptable, the target rises under jitter). Tidecast runs in this process
// (through tsx), the player is the real bundle (dist/player, built first) in headless Chromium; each
// scenario opens its own page. Figures are real time on a shared machine: the load average before
// and after is printed beside them.
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { buildPlayer } from '../test/browser/player-page.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { startTestServer } from '../test/helpers/server.js';
import { runMain } from './lib/cases.js';
import { f } from './lib/table.js';
import { verdictTable, type Verdict } from './lib/verdict.js';
import type { PlayerBenchContext, ScenarioResult } from './player/context.js';
import { jitterScenario } from './player/jitter.js';
import { joinScenario } from './player/join.js';
import { latencyScenario } from './player/latency.js';
import { stallScenario } from './player/stall.js';
import { syncScenario } from './player/sync.js';

const { values: args } = parseArgs({
  options: {
    scenarios: { type: 'string', default: 'sync,jitter,stall,join,latency' },
    seconds: { type: 'string', default: '20' },
    sources: { type: 'string', default: 'publish,publish-default,testsrc' },
    modes: { type: 'string', default: 'ws,hls' },
    json: { type: 'string' },
  },
});

const SCENARIOS: Record<string, (ctx: PlayerBenchContext) => Promise<ScenarioResult>> = {
  sync: syncScenario,
  jitter: jitterScenario,
  stall: stallScenario,
  join: joinScenario,
  latency: (ctx) => latencyScenario(ctx, args.sources.split(','), args.modes.split(',')),
};

async function main(): Promise<void> {
  const wanted = args.scenarios.split(',');
  const unknown = wanted.filter((s) => !(s in SCENARIOS));
  if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}: use ${Object.keys(SCENARIOS).join(', ')}`);
  buildPlayer();
  const loadBefore = loadavg()[0]!;
  const srv = await startTestServer();
  const browser = await launchBrowser();
  const ctx: PlayerBenchContext = { srv, browser, seconds: Number(args.seconds) };
  const verdicts: Verdict[] = [];
  const details: string[] = [];
  try {
    for (const name of wanted) {
      process.stderr.write(`bench:player ${name} ...\n`);
      const r = await SCENARIOS[name]!(ctx);
      verdicts.push(...r.verdicts);
      details.push(r.detail);
      process.stderr.write(`  ${r.detail.split('\n')[0]}\n`);
    }
  } finally {
    await browser.close();
    await srv.close();
  }
  process.stdout.write(
    `\nWeb player in headless Chromium on loopback, ${cpus().length} cores, load average ${f(loadBefore, 1)} before / ${f(loadavg()[0]!, 1)} after\n\n` +
      `${details.join('\n')}\n\n${verdictTable(verdicts)}\n`,
  );
  if (args.json) writeFileSync(args.json, JSON.stringify({ verdicts, details }, null, 2));
}

runMain(main, 'bench:player');
