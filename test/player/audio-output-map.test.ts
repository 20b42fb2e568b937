// AudioOutputMap: context time heard -> audio RTP time, with the playback rate of each chunk, and the output running dry.
import { describe, expect, it } from 'vitest';
import { AudioOutputMap } from '../../player/src/audio-output-map.js';

const T = 1024 / 48_000;

describe('AudioOutputMap', () => {
  it('turns the context time being heard back into audio RTP time, across the 32-bit wrap', () => {
    const m = new AudioOutputMap(48_000, 4);
    const ts0 = 0xffffffff - 1023;
    for (let i = 0; i < 6; i++) m.schedule(10 + i * T, (ts0 + i * 1024) >>> 0, 1024);
    // Only the last 4 chunks are remembered: before them nothing is known.
    expect(m.heard(10)).toBeUndefined();
    expect(m.heard(10 + 2 * T)).toEqual({ timestamp: (ts0 + 2048) >>> 0, running: true });
    expect(m.heard(10 + 2 * T + 480 / 48_000)).toEqual({ timestamp: (ts0 + 2048 + 480) >>> 0, running: true });
    m.clear();
    expect(m.heard(10 + 5 * T)).toBeUndefined();
  });

  it('past the last chunk the output has run dry: it stands at that chunk end, not running', () => {
    const m = new AudioOutputMap(48_000);
    for (let i = 0; i < 3; i++) m.schedule(5 + i * T, 1000 + i * 1024, 1024);
    expect(m.heard(5 + 3 * T + 0.2)).toEqual({ timestamp: 1000 + 3 * 1024, running: false });
    // Audio resumes later than it should have (a resync): in the gap, still the old end.
    m.schedule(5 + 3 * T + 0.3, 1000 + 3 * 1024, 1024);
    expect(m.heard(5 + 3 * T + 0.25)).toEqual({ timestamp: 1000 + 3 * 1024, running: false });
    expect(m.heard(5 + 3 * T + 0.3 + 240 / 48_000)).toEqual({ timestamp: 1000 + 3 * 1024 + 240, running: true });
  });

  it('a chunk played faster (the output slewing) covers its samples in less context time', () => {
    const m = new AudioOutputMap(48_000);
    m.schedule(1, 0, 1080, 1.08); // 1080 samples at 1.08x: 20.83 ms of context time
    m.schedule(1 + 1000 / 48_000, 1080, 1024);
    expect(m.heard(1 + 500 / 48_000)).toEqual({ timestamp: 540, running: true });
    // At 1000/48000 s the first chunk is over (1080 samples done) and the second starts.
    expect(m.heard(1 + 1000 / 48_000)).toEqual({ timestamp: 1080, running: true });
    expect(m.heard(1 + 2500 / 48_000)).toEqual({ timestamp: 2104, running: false });
  });
});
