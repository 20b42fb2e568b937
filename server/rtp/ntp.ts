// NTP wallclock <-> Unix time conversions for RTCP sender reports (RFC 3550 §4, RFC 5905 §6).

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_OFFSET = 2208988800;
const FRACTION_PER_MS = 4294967.296; // 2^32 / 1000

export function ntpFromUnixMs(ms: number): { seconds: number; fraction: number } {
  // Split before scaling: ms/1000 + offset as one double would lose sub-microsecond precision.
  const s = Math.floor(ms / 1000);
  const fraction = Math.min(0xffffffff, Math.floor((ms - s * 1000) * FRACTION_PER_MS));
  // >>> 0 wraps into the next NTP era (2036), as RFC 4330 §3 expects.
  return { seconds: (s + NTP_UNIX_OFFSET) >>> 0, fraction: fraction >>> 0 };
}

export function unixMsFromNtp(seconds: number, fraction: number): number {
  // RFC 4330 §3: an MSB of 0 means era 1 (after 2036-02-07), valid for 1968..2104.
  const s = seconds >>> 0;
  const full = s >= 0x80000000 ? s : s + 0x100000000;
  return (full - NTP_UNIX_OFFSET) * 1000 + (fraction >>> 0) / FRACTION_PER_MS;
}

/** The middle 32 bits of a 64-bit NTP timestamp: the LSR field of a report block (RFC 3550 §6.4.1). */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | ((fraction >>> 16) & 0xffff)) >>> 0;
}
