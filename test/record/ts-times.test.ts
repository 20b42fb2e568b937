// The TS segment span: the PES timestamps the TS muxer writes read back, video preferred over audio.
import { describe, expect, it } from 'vitest';
import { TsMuxer } from '../../server/mux/mpegts.js';
import { pesTimes } from '../../server/record/read/ts-times.js';
import { AUDIO, units, VIDEO } from '../helpers/recorded-segments.js';

describe('pesTimes', () => {
  it('gives every PES start with its PTS (90 kHz, after the muxer offset), video marked', () => {
    const mux = new TsMuxer([VIDEO, AUDIO], { offset90k: 45000 });
    const chunks = units(0, 1).map((u) => mux.mux(u.trackId, u.au)!.bytes);
    const b = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let o = 0;
    for (const c of chunks) (b.set(c, o), (o += c.length));
    const times = pesTimes(b);
    const video = times.filter((t) => t.video).map((t) => t.pts);
    expect(video).toEqual(Array.from({ length: 30 }, (_, i) => 45000 + i * 3000));
    const audio = times.filter((t) => !t.video);
    expect(audio.length).toBeGreaterThan(40);
    expect(audio[0]!.pts).toBe(45000);
  });
});
