// The recording's readers never throw on malformed input: fragments, prft bodies, durations and file names.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fragmentTimes } from '../../server/record/fragment-times.js';
import { readPrft } from '../../server/record/prft.js';
import { readMoof } from '../../server/record/read/traf.js';
import { readTrackBox } from '../../server/record/track-box.js';
import { pesTimes } from '../../server/record/read/ts-times.js';
import { recordPathMatcher } from '../../server/record/path-template.js';
import { parseDuration } from '../../server/util/duration.js';
import { fuzz } from '../helpers/fuzz.js';

/** Bytes shaped like boxes (plausible sizes and types) more often than noise would be. */
const boxy = fc.array(
  fc.tuple(fc.integer({ min: 0, max: 64 }), fc.constantFrom('moof', 'traf', 'tfhd', 'tfdt', 'trun', 'prft', 'mdat', 'xxxx'), fc.uint8Array({ maxLength: 56 })),
  { maxLength: 8 },
).map((boxes) => {
  const parts = boxes.map(([size, type, body]) => {
    const b = new Uint8Array(8 + body.length);
    new DataView(b.buffer).setUint32(0, size);
    b.set(new TextEncoder().encode(type), 4);
    b.set(body, 8);
    return b;
  });
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
});

describe('recording parsers under generated input', () => {
  it('fragmentTimes and readPrft return, never throw', () => {
    fuzz('record fragmentTimes', 1501, 300, fc.property(fc.oneof(boxy, fc.uint8Array({ maxLength: 200 })), (b) => {
      for (const t of fragmentTimes(b)) expect(Number.isFinite(t.baseDecodeTime)).toBe(true);
      const p = readPrft(b);
      if (p) expect(Number.isFinite(p.mediaTime)).toBe(true);
    }));
  });

  it('readMoof and readTrackBox return, never throw', () => {
    fuzz('record readMoof', 1511, 300, fc.property(fc.oneof(boxy, fc.uint8Array({ maxLength: 200 })), fc.nat(1 << 20), (b, at) => {
      for (const run of readMoof(b, at)) for (const s of run.samples) expect(Number.isFinite(s.dts) && Number.isFinite(s.offset)).toBe(true);
      const tracks = readTrackBox(b);
      if (tracks) expect(Array.isArray(tracks)).toBe(true);
    }));
  });

  it('pesTimes reads timestamps of any bytes shaped like TS packets, never throws', () => {
    const packet = fc.uint8Array({ minLength: 188, maxLength: 188 }).map((b) => ((b[0] = 0x47), b));
    fuzz('record pesTimes', 1512, 200, fc.property(fc.array(packet, { maxLength: 6 }), (ps) => {
      const b = new Uint8Array(ps.length * 188);
      ps.forEach((p, i) => b.set(p, i * 188));
      for (const t of pesTimes(b)) expect(t.pts).toBeGreaterThanOrEqual(0);
    }));
  });

  it('parseDuration gives seconds or a message', () => {
    fuzz('record parseDuration', 1502, 300, fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9.]{0,4}(ms|s|m|h|d){0,2}$/)), (t) => {
      const r = parseDuration(t);
      if (typeof r === 'number') expect(r).toBeGreaterThanOrEqual(0);
      else expect(r.length).toBeGreaterThan(0);
    }));
  });

  it('recordPathMatcher answers a path or undefined for any file name', () => {
    const match = recordPathMatcher('/srv/rec/%path/%Y-%m-%d_%H-%M-%S-%f');
    fuzz('record path matcher', 1503, 300, fc.property(fc.string(), (s) => {
      const r = match(`/srv/rec/${s}`);
      expect(r === undefined || typeof r === 'string').toBe(true);
    }));
  });
});
