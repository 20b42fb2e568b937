// RtpClock: RTP -> sender wallclock from SRs (32-bit wrap, refit, backward/insane reports rejected), the arrival fallback, fuzz.
import { describe, expect, it } from 'vitest';
import { DecodeOrderTime, RtpClock } from '../../player/src/rtp-clock.js';
import { ntpFromUnixMs } from '../../server/rtp/ntp.js';
import { buildSenderReport, parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { prng } from '../helpers/prng.js';

const T0 = 1_700_000_000_000; // a Unix ms instant
const sr = (unixMs: number, rtpTimestamp: number) => {
  const n = ntpFromUnixMs(unixMs);
  return { ntpSeconds: n.seconds, ntpFraction: n.fraction, rtpTimestamp: rtpTimestamp >>> 0 };
};

describe('RtpClock', () => {
  it('maps RTP time to wallclock from a parsed RTCP SR', () => {
    const c = new RtpClock(90_000);
    expect(c.wallclockMs(0)).toBeUndefined();
    const bytes = buildSenderReport({ ssrc: 1, ...sr(T0, 1000), packetCount: 0, octetCount: 0 });
    const [p] = parseRtcpCompound(bytes);
    expect(p!.type).toBe('sr');
    expect(c.onSenderReport(p as { ntpSeconds: number; ntpFraction: number; rtpTimestamp: number })).toBe('first');
    expect(c.synced).toBe(true);
    // NTP fractions are 1/2^32 s: sub-microsecond rounding.
    expect(c.wallclockMs(1000)).toBeCloseTo(T0, 2);
    expect(c.wallclockMs(1000 + 90_000)).toBeCloseTo(T0 + 1000, 2);
    expect(c.wallclockMs(1000 - 45_000)).toBeCloseTo(T0 - 500, 2);
  });

  const wraps: { name: string; srRtp: number; ts: number; ms: number }[] = [
    { name: 'ts after the wrap, SR before', srRtp: 0xffffff00, ts: 0x100, ms: (0x200 * 1000) / 48_000 },
    { name: 'ts before the wrap, SR after', srRtp: 0x80, ts: 0xffffff80, ms: (-0x100 * 1000) / 48_000 },
    { name: 'no wrap', srRtp: 0x7fff0000, ts: 0x7fff0000 + 48_000, ms: 1000 },
    { name: 'across the sign bit', srRtp: 0x7fffffff, ts: 0x80000000 + 47_999, ms: 1000 },
  ];
  for (const w of wraps) {
    it(`unwraps 32-bit RTP time: ${w.name}`, () => {
      const c = new RtpClock(48_000);
      c.onSenderReport(sr(T0, w.srRtp));
      expect(c.wallclockMs(w.ts)! - T0).toBeCloseTo(w.ms, 2);
    });
  }

  it('refits on every sane SR, rejects backward and insane ones, adopts a new timeline two SRs confirm', () => {
    const c = new RtpClock(90_000);
    c.onSenderReport(sr(T0, 0));
    // 5 s later, the sender's RTP clock ran 2 ms slow against NTP: refit to the new anchor.
    expect(c.onSenderReport(sr(T0 + 5000, 5 * 90_000 - 180))).toBe('accepted');
    expect(c.wallclockMs(5 * 90_000 - 180)).toBeCloseTo(T0 + 5000, 2);
    // NTP going back: rejected, the map stays.
    expect(c.onSenderReport(sr(T0 + 4000, 6 * 90_000))).toBe('rejected');
    expect(c.wallclockMs(5 * 90_000 - 180)).toBeCloseTo(T0 + 5000, 2);
    // RTP jumping 60 s while NTP moves 5 s: insane, rejected...
    expect(c.onSenderReport(sr(T0 + 10_000, 65 * 90_000))).toBe('rejected');
    expect(c.wallclockMs(10 * 90_000)).toBeCloseTo(T0 + 10_000 + 2, 1);
    // ...unless the next SR agrees with it (the sender restarted its timeline): adopted.
    expect(c.onSenderReport(sr(T0 + 15_000, 70 * 90_000))).toBe('adopted');
    expect(c.wallclockMs(70 * 90_000)).toBeCloseTo(T0 + 15_000, 2);
    expect(c.stats).toEqual({ reports: 3, rejected: 2 });
  });

  it('falls back to the fastest arrival before the first SR', () => {
    const c = new RtpClock(48_000);
    expect(c.arrivalWallclockMs(0)).toBeUndefined();
    // A GOP-cache burst: old packets first (arriving together), then live ones.
    c.noteArrival(0, T0 + 2000);
    c.noteArrival(48_000, T0 + 2000);
    c.noteArrival(96_000, T0 + 2001);
    c.noteArrival(96_960, T0 + 2025);
    expect(c.arrivalWallclockMs(96_000)).toBeCloseTo(T0 + 2001, 6);
    expect(c.arrivalWallclockMs(0)).toBeCloseTo(T0 + 1, 6);
    c.reset();
    expect(c.arrivalWallclockMs(0)).toBeUndefined();
    expect(c.synced).toBe(false);
  });

  it('arrival fallback of a B-frame stream follows the B-frames, not the early P-frames; reordered arrivals are left out', () => {
    // Decode order I0 P3 B1 B2 P6 B4 B5 ... (display index x 33.3 ms), one frame sent every
    // 33.3 ms and arriving 2 ms later: each B-frame is sent at its own display time (display i at
    // T0 + 33.3 i), each P-frame 100 ms before its own.
    const c = new RtpClock(90_000);
    const disp = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8, 12, 10, 11];
    disp.forEach((d, k) => c.noteArrival(d * 3000, T0 + (k + 1) * (100 / 3) + 2, k));
    // B-frame display 4 (decode 5) arrived at T0 + 6 * 33.3 + 2 = its wallclock + 2 ms.
    expect(c.arrivalWallclockMs(4 * 3000)! - (T0 + 200 + 2)).toBeCloseTo(0, 2);
    // A reordered packet arriving very early for its timestamp (seq lower than one seen) is ignored.
    c.noteArrival(0, T0 - 5000, 3);
    expect(c.arrivalWallclockMs(4 * 3000)! - (T0 + 202)).toBeCloseTo(0, 2);
  });

  it('DecodeOrderTime: P-frames counted at the previous highest time once B-frames are seen; no change without them', () => {
    const d = new DecodeOrderTime();
    expect([0, 20, 40, 40, 60].map((m) => d.next(m))).toEqual([0, 20, 40, 40, 60]);
    expect(d.reordering).toBe(false);
    const b = new DecodeOrderTime();
    // I0 P3 B1 B2 P6 (two packets) B4 B5, in 33.3 ms units of 100/3.
    const ms = [0, 3, 1, 2, 6, 6, 4, 5].map((x) => x * 100);
    expect(ms.map((m) => b.next(m))).toEqual([0, 300, 100, 200, 300, 300, 400, 500]);
    expect(b.reordering).toBe(true);
    // A key frame of 200 packets (one timestamp) does not end the B-frame spell: counted in frames.
    for (let k = 0; k < 200; k++) expect(b.next(900)).toBe(600);
    expect(b.next(1200)).toBe(900);
    b.reset();
    expect(b.reordering).toBe(false);
  });

  it('fuzz: random SRs and timestamps never throw and never give a non-finite wallclock', () => {
    const rand = prng(5);
    const c = new RtpClock(90_000);
    let t = T0;
    let rtp = Math.floor(rand() * 2 ** 32);
    for (let k = 0; k < 5000; k++) {
      t += rand() < 0.1 ? (rand() - 0.5) * 1e6 : rand() * 6000;
      rtp = (rtp + Math.floor(rand() * 2 ** 31)) >>> 0;
      const r = rand();
      if (r < 0.5) c.onSenderReport(sr(t, rtp));
      else if (r < 0.6) c.onSenderReport({ ntpSeconds: Math.floor(rand() * 2 ** 32), ntpFraction: Math.floor(rand() * 2 ** 32), rtpTimestamp: Math.floor(rand() * 2 ** 32) });
      else c.noteArrival(Math.floor(rand() * 2 ** 32), t);
      const w = c.wallclockMs(Math.floor(rand() * 2 ** 32));
      if (w !== undefined) expect(Number.isFinite(w)).toBe(true);
      const a = c.arrivalWallclockMs(rtp);
      if (a !== undefined) expect(Number.isFinite(a)).toBe(true);
    }
  });
});
