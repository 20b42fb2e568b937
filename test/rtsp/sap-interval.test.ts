// RFC 2974 §3.1 announcement interval: the configured one, stretched by the 4000 bit/s budget, capped at 300 s, jittered by ±1/3.
import { describe, expect, it } from 'vitest';
import { sapIntervalMs } from '../../server/rtsp/sap-announcer.js';

describe('sapIntervalMs', () => {
  it.each([
    // configured s, announcements, bytes, random -> ms
    [5, 1, 500, 0.5, 5000], // 1 s of budget: the configured 5 s rules
    [5, 1, 500, 0, 3333], // earliest: 2/3 of the interval
    [5, 1, 500, 1, 6667], // latest: 4/3
    [5, 20, 500, 0.5, 20000], // 20 ads of 500 B = 80 kbit: 20 s at 4000 bit/s
    [5, 1000, 1000, 0.5, 300000], // capped at 300 s
    [60, 1, 100, 0.5, 60000],
  ])('%d s, %d ads of %d B, random %d -> %d ms', (configured, n, bytes, random, ms) => {
    expect(sapIntervalMs(configured, n, bytes, random)).toBe(ms);
  });
});
