// The query of /<path>/playback.(mp4|ts): `start` (RFC 3339, or Unix seconds) and `duration` (seconds, capped), or a
// 400 that says what is expected.
import { HttpError } from '../errors.js';

/**
 * The longest clip one request may ask for: 6 hours. A clip's units and the MP4's sample tables are built in memory
 * before the first byte (about 50 MB and 0.15 s of CPU per hour of 30 fps video with AAC), so a day per request would
 * let a few requests take gigabytes.
 */
export const MAX_PLAYBACK_SECONDS = 6 * 3600;

// RFC 3339 5.6 date-time. A '+' in a query string decodes to a space, so " 01:00" is read as "+01:00".
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+ -]\d{2}:\d{2})$/;
const UNIX_SECONDS = /^\d{9,11}(\.\d+)?$/;

export interface PlaybackQuery {
  /** Unix ms. */
  startMs: number;
  /** Seconds. */
  duration: number;
}

function single(q: unknown, name: string): string {
  const v = Array.isArray(q) ? q : [q];
  if (v.length !== 1 || typeof v[0] !== 'string' || v[0].trim() === '') {
    const example = name === 'start' ? 'start=2026-12-03T22:10:00Z' : 'duration=60';
    throw new HttpError(400, `${name} is ${q === undefined ? 'missing' : 'not a single value'}: give one, e.g. ?${example}`);
  }
  return v[0].trim();
}

/** Unix ms of an RFC 3339 date-time (any offset, fractional seconds) or of Unix seconds; undefined if it is neither. */
export function parseStartTime(s: string): number | undefined {
  if (UNIX_SECONDS.test(s)) return Math.round(Number(s) * 1000);
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec] = m.map(Number) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || sec! > 60) return undefined;
  const ms = Date.parse(s.replace(/ (\d{2}:\d{2})$/, '+$1').replace(/^(.{10}) /, '$1T').toUpperCase());
  return Number.isFinite(ms) ? ms : undefined;
}

export function parsePlaybackQuery(query: Record<string, unknown>): PlaybackQuery {
  const start = single(query.start, 'start');
  const startMs = parseStartTime(start);
  if (startMs === undefined) {
    throw new HttpError(400, `start=${start} is not a time: give an RFC 3339 date-time such as 2026-12-03T22:10:00Z or 2026-12-03T23:10:00.5%2B01:00, or Unix seconds`);
  }
  const d = single(query.duration, 'duration');
  const duration = /^\d+(\.\d+)?$/.test(d) ? Number(d) : NaN;
  if (!(duration > 0)) throw new HttpError(400, `duration=${d} is not a length: give seconds greater than 0, e.g. duration=60`);
  if (duration > MAX_PLAYBACK_SECONDS) {
    throw new HttpError(400, `duration=${d} is longer than ${MAX_PLAYBACK_SECONDS} s (6 h), the most one clip may be: ask for several`);
  }
  return { startMs, duration };
}
