// A live join of the ws mode: the GOP-cache burst must not inflate the playout delay; 3 to 5 s after the join, both tracks' delays are near the minimum.
import { sampleStats, waitStats } from '../../test/browser/player-page.js';
import { sleep } from '../lib/net.js';
import { atLeast, atMost } from '../lib/verdict.js';
import { withLivePage, type PlayerBenchContext, type ScenarioResult } from './context.js';

export async function joinScenario(ctx: PlayerBenchContext): Promise<ScenarioResult> {
  return withLivePage(ctx, 'bench/join', {}, async (page, log) => {
    await waitStats(page, (s) => s.state === 'playing', log, 30_000, 'playing');
    const t0 = Date.now();
    await waitStats(page, (s) => (s.framesShown ?? 0) > 20 && (s.audioFramesDecoded ?? 0) > 30, log, 30_000, 'live playback');
    await sleep(Math.max(0, 3000 - (Date.now() - t0)));
    const samples = await sampleStats(page, 2000);
    const worst = (k: 'audio' | 'video'): number => Math.max(...samples.map((x) => x.tracks?.[k]?.playoutDelayMs ?? Infinity));
    const last = samples.at(-1)!;
    // Loopback needs about the 20 ms minimum; 400 ms leaves room for a loaded host's stalls (the
    // cap is 2000 ms, and a burst fed to the estimator held 200+ ms for seconds).
    return {
      verdicts: [
        atMost('join: video playout delay 3-5 s after, worst ms', worst('video'), 400),
        atMost('join: audio playout delay 3-5 s after, worst ms', worst('audio'), 400),
        atLeast('join: audio frames of the burst skipped (behind the playout point)', last.audioDroppedLate ?? NaN, 1, 0),
      ],
      detail: `join: floor ${last.audioFloorMs} ms, e2e ${last.e2eLatencyMs} ms, burst audio skipped ${last.audioDroppedLate}`,
    };
  });
}
