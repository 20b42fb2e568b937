// A/V sync of the ws mode on media/sample.mp4 (a white flash and a 1 kHz beep every second): the skew of each pair, and how often the audio output restarted.
import { median, waitStats } from '../../test/browser/player-page.js';
import { atMost, below } from '../lib/verdict.js';
import { openPlayer, type PlayerBenchContext, type ScenarioResult } from './context.js';

/** Pairs to measure: one a second. */
const PAIRS = 8;

export async function syncScenario(ctx: PlayerBenchContext): Promise<ScenarioResult> {
  const log: string[] = [];
  const page = await openPlayer(ctx, { src: 'sample.mp4' }, log);
  try {
    const s = await waitStats(page, (x) => x.sync.samples >= PAIRS, log, 60_000, `${PAIRS} flash/beep pairs`);
    const pairs = s.skewSamples;
    const worst = Math.max(...pairs.map(Math.abs));
    return {
      // PLAYER.md: aim at |skew| <= 20 ms; every pair within BT.1359's detectability, +-45 ms. The
      // output restarts after running dry, not once per decoded frame (a bug once did ~400 in 8 s).
      verdicts: [
        atMost('ws A/V skew on a file, median, absolute ms', Math.abs(median(pairs)), 20),
        atMost('ws A/V skew on a file, worst pair, absolute ms', worst, 45),
        below('ws audio output restarts per 100 decoded frames (file)', (100 * s.audioOutputResyncs!) / s.audioFramesDecoded!, 5, 2),
        atMost('ws audio output restarts for a media gap (file)', s.audioOutputRestartCauses?.mediaGap ?? NaN, 0, 0),
      ],
      detail: `sync (file): pairs ${JSON.stringify(pairs)}, restarts ${JSON.stringify(s.audioOutputRestartCauses)} of ${s.audioFramesDecoded} frames`,
    };
  } finally {
    await page.close();
  }
}
