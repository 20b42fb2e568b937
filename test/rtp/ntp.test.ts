import { describe, it, expect } from 'vitest';
import { NTP_UNIX_OFFSET, ntpFromUnixMs, ntpMiddle32, unixMsFromNtp } from '../../server/rtp/ntp.js';

describe('NTP time', () => {
  it('the Unix epoch is NTP second 2208988800', () => {
    expect(ntpFromUnixMs(0)).toEqual({ seconds: NTP_UNIX_OFFSET, fraction: 0 });
    expect(ntpFromUnixMs(500)).toEqual({ seconds: NTP_UNIX_OFFSET, fraction: 0x80000000 });
  });

  it('round-trips wallclock times to below a microsecond, including after the 2036 era wrap', () => {
    for (const ms of [1_700_000_000_123.456, 0.25, 2_085_978_496_000 + 1234.5 /* 2036-02-07 + */, 4_000_000_000_000]) {
      const { seconds, fraction } = ntpFromUnixMs(ms);
      expect(seconds).toBeLessThanOrEqual(0xffffffff);
      expect(Math.abs(unixMsFromNtp(seconds, fraction) - ms)).toBeLessThan(0.001);
    }
  });

  it('ntpMiddle32 takes the low 16 bits of seconds and the high 16 of the fraction (RFC 3550 §6.4.1)', () => {
    expect(ntpMiddle32(0x12345678, 0x9abcdef0)).toBe(0x56789abc);
    expect(ntpMiddle32(0xffffffff, 0xffffffff)).toBe(0xffffffff);
  });
});
