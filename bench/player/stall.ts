// The ws mode with the page's main thread blocked 150-350 ms at seeded times (a loaded machine): the skew of each flash/beep pair while the audio output runs dry.
import { blockMainThread, median, stats, waitStats } from '../../test/browser/player-page.js';
import { prng } from '../../test/helpers/prng.js';
import { sleep } from '../lib/net.js';
import { atLeast, atMost, below } from '../lib/verdict.js';
import { withLivePage, type PlayerBenchContext, type ScenarioResult } from './context.js';

export async function stallScenario(ctx: PlayerBenchContext): Promise<ScenarioResult> {
  return withLivePage(ctx, 'bench/stall', {}, async (page, log) => {
    await waitStats(page, (s) => s.state === 'playing' && s.sync.samples >= 2, log, 60_000, 'playback with 2 flash/beep pairs');
    const before = (await stats(page)).skewSamples.length;
    const rand = prng(11);
    const t0 = Date.now();
    let stalls = 0;
    while (Date.now() - t0 < ctx.seconds * 1000) {
      await blockMainThread(page, 150 + Math.round(rand() * 200));
      stalls++;
      await sleep(400 + rand() * 600);
    }
    const s = await stats(page);
    const during = s.skewSamples.slice(before);
    // The picture never runs ahead of the sound past BT.1359's -125 ms, at most one pair past
    // -45 ms, the middle of them in sync. Pairs above +45 ms are not the player's to prevent: a
    // flash due while the page is blocked is drawn when the block ends, the beep plays on time.
    return {
      verdicts: [
        // About half the seconds give a pair: a flash due inside a stall is dropped.
        atLeast('stalls: pairs measured', during.length, Math.floor(ctx.seconds * 0.3), 0),
        atLeast('stalls: skew of every pair, min ms', Math.min(...during), -125),
        atMost('stalls: pairs below -45 ms', during.filter((x) => x < -45).length, 1, 0),
        atMost('stalls: skew median, absolute ms', Math.abs(median(during)), 20),
        below('stalls: audio output restarts per 100 decoded frames', (100 * s.audioOutputResyncs!) / s.audioFramesDecoded!, 5, 2),
      ],
      detail: `stalls: ${stalls} stalls in ${ctx.seconds} s, skews ${JSON.stringify(during)}, restarts ${JSON.stringify(s.audioOutputRestartCauses)}, skipped ${s.audioOutputSkipped}, dropped ${s.framesDropped}`,
    };
  });
}
