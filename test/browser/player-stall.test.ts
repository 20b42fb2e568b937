// The ws mode when the page's main thread stalls (a loaded machine): audio runs dry, and playback goes on with the picture following the sound.
// Exact behaviour (the clock held where the sound ran dry) is tested on a simulated clock in
// test/player/; the real-time figures (every pair within -125 ms, at most one past -45 ms) are
// `npm run bench:player`'s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prng } from '../helpers/prng.js';
import { sleep } from '../helpers/rtsp-client.js';
import { testPage } from '../helpers/test-page.js';
import { BT1359, blockMainThread, median, playerUrl, startLivePlayerRig, stats, waitStats, type LivePlayerRig } from './player-page.js';

let rig: LivePlayerRig;
const PATH = 'live/stall';

// The flash + beep clip looped live: as long a run of stalls as wanted (the file lasts 20 s).
beforeAll(async () => {
  rig = await startLivePlayerRig(PATH);
});
afterAll(async () => {
  await rig?.close();
});

/** Stalls: 12, at seeded lengths (150-350 ms) and gaps (400-1000 ms); a count, not a duration. */
const STALLS = 12;

describe('ws mode with a stalling main thread', () => {
  it('plays on through 12 stalls of 150-350 ms, with the skew measured and acceptable (ITU-R BT.1359)', async () => {
    const log: string[] = [];
    const page = await testPage(rig.browser, log);
    await page.goto(playerUrl(rig.srv, { src: PATH }));
    const before = await waitStats(page, (s) => s.state === 'playing' && s.sync.samples >= 2, log, 60_000, 'playback with 2 flash/beep pairs');
    // Stalls longer than the audio scheduled ahead (~the audio playout delay, 20-80 ms calm): each
    // runs the audio output dry. The gaps between them are the test's own pacing, not a bound.
    const rand = prng(11);
    for (let i = 0; i < STALLS; i++) {
      await blockMainThread(page, 150 + Math.round(rand() * 200));
      await sleep(400 + rand() * 600);
    }
    // Pairs measured across the stalls (a flash due inside a stall may be dropped, so not every second gives one).
    const s = await waitStats(page, (x) => x.skewSamples.length >= before.skewSamples.length + 4, log, 60_000, '4 flash/beep pairs after the stalls began');
    const during = s.skewSamples.slice(before.skewSamples.length);
    const why = `skews during ${JSON.stringify(during)}\n${JSON.stringify(s)}\n${log.join('\n')}`;
    console.log(`ws A/V skew with main-thread stalls (flash - beep), ms: ${JSON.stringify(during)} restarts ${s.audioOutputResyncs} skipped ${s.audioOutputSkipped} dropped ${s.framesDropped}`);
    expect(s.state, why).toBe('playing');
    const m = median(during);
    expect(m, why).toBeGreaterThanOrEqual(BT1359.minMs);
    expect(m, why).toBeLessThanOrEqual(BT1359.maxMs);
    const after = await stats(page);
    await waitStats(page, (x) => x.framesShown! >= after.framesShown! + 60 && x.audioFramesDecoded! >= after.audioFramesDecoded! + 90, log, undefined, '2 s of playback after the stalls');
  });
});
