// The ws mode when the page's main thread stalls (a loaded machine): audio runs dry, and the picture must wait for it rather than run ahead of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPage } from '../helpers/browser.js';
import { sleep } from '../helpers/rtsp-client.js';
import { playerUrl, startLivePlayerRig, stats, waitStats, type LivePlayerRig } from './player-page.js';

let rig: LivePlayerRig;
const PATH = 'live/stall';

// The flash + beep clip looped live: as long a run of stalls as wanted (the file lasts 20 s).
beforeAll(async () => {
  rig = await startLivePlayerRig(PATH);
});
afterAll(async () => {
  await rig?.close();
});

describe('ws mode with a stalling main thread', () => {
  it('keeps the picture from running ahead of the sound while the page blocks for 150-350 ms at a time', async () => {
    const log: string[] = [];
    const page = await newPage(rig.browser, log);
    await page.goto(playerUrl(rig.srv, { src: PATH }));
    await waitStats(page, (s) => s.state === 'playing' && s.sync.samples >= 2, log, 30_000, 'playback with 2 flash/beep pairs');
    const before = (await stats(page)).skewSamples.length;
    // Stalls longer than the audio scheduled ahead (~the audio playout delay, 20-80 ms calm), at
    // seeded times and lengths: each one runs the audio output dry. Audio then resumes late and
    // catches up by playing faster; the picture has to follow what is heard all along.
    let seed = 11;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const t0 = Date.now();
    let stalls = 0;
    while (Date.now() - t0 < 20_000) {
      const ms = 150 + Math.round(rand() * 200);
      await page.evaluate((block) => {
        const end = performance.now() + block;
        while (performance.now() < end);
      }, ms);
      stalls++;
      await sleep(400 + rand() * 600);
    }
    const s = await stats(page);
    const during = s.skewSamples.slice(before);
    const why = `stalls ${stalls}, skews during ${JSON.stringify(during)}\n${JSON.stringify(s)}\n${log.join('\n')}`;
    console.log(`ws A/V skew with main-thread stalls (flash - beep), ms: ${JSON.stringify(during)} ${JSON.stringify(s.sync)} restarts ${s.audioOutputResyncs} skipped ${s.audioOutputSkipped} dropped ${s.framesDropped}`);
    expect(s.state, why).toBe('playing');
    // Flash frames due during a stall are late when it ends, and dropped when later than a frame:
    // about half of the 20 pairs are measured.
    expect(during.length, why).toBeGreaterThanOrEqual(6);
    // The picture never runs ahead of the sound (it did: -95 ms with the clock extrapolated past
    // the last audio heard). The other way is not the player's to prevent: a flash due while the
    // page is blocked is drawn when the block ends, while the audio thread plays the beep on time.
    // On a loaded CI machine one pair in a run may still start its sound late (-58 ms measured once
    // before the restart lead): every pair stays within BT.1359's detectability for sound behind
    // picture (-125 ms; the old clock gave -136 ms in CI), and at most one goes past -45 ms.
    for (const x of during) expect(x, why).toBeGreaterThanOrEqual(-125);
    expect(during.filter((x) => x < -45).length, why).toBeLessThanOrEqual(1);
    const sorted = [...during].sort((a, b) => a - b);
    expect(Math.abs(sorted[Math.floor(sorted.length / 2)]!), why).toBeLessThanOrEqual(20);
    // The sound restarted after the stalls that ran it dry, not at every frame.
    expect(s.audioOutputResyncs, why).toBeLessThan(s.audioFramesDecoded! / 20);
    await page.close();
  });
});
