// The ws mode through a relay that delays messages by a seeded 0-150 ms and reorders them: skew during the jitter, stalls, and the playout target's rise and fall.
import { sampleStats, waitStats, type PageStats } from '../../test/browser/player-page.js';
import { startJitterRelay } from '../../test/helpers/jitter-relay.js';
import { above, atLeast, atMost, below, type Verdict } from '../lib/verdict.js';
import { withLivePage, type PlayerBenchContext, type ScenarioResult } from './context.js';

/** Fewest frames shown in any 1 s window of the samples (taken every 250 ms): a stall shows as 0. */
export function minFramesPerSecond(samples: PageStats[]): number {
  let min = Infinity;
  for (let i = 4; i < samples.length; i++) min = Math.min(min, samples[i]!.framesShown! - samples[i - 4]!.framesShown!);
  return min;
}

const peakOf = (xs: PageStats[], k: 'video' | 'audio'): number => Math.max(...xs.map((s) => s.tracks?.[k]?.networkTargetMs ?? 0));
const lastOf = (xs: PageStats[], k: 'video' | 'audio'): number => xs.at(-1)!.tracks?.[k]?.networkTargetMs ?? NaN;

export async function jitterScenario(ctx: PlayerBenchContext): Promise<ScenarioResult> {
  const relay = await startJitterRelay({ upstream: `ws://127.0.0.1:${ctx.srv.httpPort}/rtsp`, seed: 7, maxDelayMs: 150, reorderWindow: 8, jitter: false });
  try {
    return await withLivePage(ctx, 'bench/jitter', { ws: relay.url('/rtsp') }, async (page, log) => {
      await waitStats(page, (s) => s.state === 'playing' && (s.framesShown ?? 0) > 30, log, 30_000, 'playback through the relay');
      // Past the join's GOP-cache burst before the calm phase is measured.
      await waitStats(page, (s) => (s.tracks?.audio?.playoutDelayMs ?? 1e9) < 400 && (s.tracks?.video?.playoutDelayMs ?? 1e9) < 400, log, 30_000, 'settled playout delays').catch(() => undefined);
      const calm = await sampleStats(page, 4000);
      relay.setJitter(true);
      const skewBefore = calm.at(-1)!.skewSamples.length;
      const jitter = await sampleStats(page, Math.max(10, ctx.seconds / 2) * 1000);
      relay.setJitter(false);
      const after = await sampleStats(page, 12_000);
      const skews = jitter.at(-1)!.skewSamples.slice(skewBefore);
      const verdicts: Verdict[] = [
        atLeast('jitter: skew of every pair, min ms (BT.1359 sound behind)', Math.min(...skews), -125),
        atMost('jitter: skew of every pair, max ms (BT.1359 sound ahead)', Math.max(...skews), 45),
        atLeast('jitter: fewest frames shown in a second, during', minFramesPerSecond(jitter), 10, 0),
        atLeast('jitter: fewest frames shown in a second, after', minFramesPerSecond(after), 10, 0),
      ];
      for (const k of ['video', 'audio'] as const) {
        verdicts.push(above(`jitter: ${k} network target rise over calm, ms`, peakOf(jitter, k) - lastOf(calm, k), 50));
        verdicts.push(above(`jitter: ${k} network target fall from its peak 12 s after, ms`, peakOf(jitter, k) - lastOf(after, k), 40));
      }
      verdicts.push(below('jitter: audio output restarts per 100 decoded frames', (100 * after.at(-1)!.audioOutputResyncs!) / after.at(-1)!.audioFramesDecoded!, 5, 2));
      const targets = (xs: PageStats[], pick: (xs: PageStats[], k: 'video' | 'audio') => number): string => `${pick(xs, 'video')}/${pick(xs, 'audio')}`;
      return {
        verdicts,
        detail:
          `jitter: relay ${JSON.stringify(relay.stats())}, network targets video/audio calm ${targets(calm, lastOf)} -> peak ${targets(jitter, peakOf)} -> after ${targets(after, lastOf)} ms, ` +
          `skews during ${JSON.stringify(skews)}`,
      };
    });
  } finally {
    await relay.close();
  }
}
