// The query of a playback URL: start=<RFC 3339 time>, optional duration=<seconds>; anything else is a 400 that says why.
import { HttpError } from '../errors.js';

/** Longest clip one playlist covers (seconds): its unit index is held in memory while a request builds it. */
export const MAX_PLAYBACK_SECONDS = 6 * 3600;

/** RFC 3339 section 5.6 date-time (fractional seconds and a zone are both allowed, the zone is required). */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export interface PlaybackQuery {
  /** As given (repeated on the playlist's URIs so each rebuilds the same clip). */
  start: string;
  startMs: number;
  /** Seconds; absent: to the end of the recorded span. */
  duration?: number;
}

function one(query: Record<string, unknown>, name: string): string | undefined {
  const v = query[name];
  const s = Array.isArray(v) ? v[v.length - 1] : v;
  return typeof s === 'string' ? s : undefined;
}

export function parsePlaybackQuery(query: Record<string, unknown>): PlaybackQuery {
  const example = 'e.g. ?start=2026-12-03T22:10:00Z&duration=60';
  // An unescaped "+01:00" arrives as " 01:00" (a query's "+" is a space): taken as meant.
  const start = one(query, 'start')?.replace(/ (\d{2}:\d{2})$/, '+$1');
  if (start === undefined || start === '') throw new HttpError(400, `playback needs start=<RFC 3339 time>, ${example}`);
  const m = RFC3339.exec(start);
  const startMs = Date.parse(start.replace(' ', 'T'));
  if (!m || !Number.isFinite(startMs) || Number(m[2]) > 12 || Number(m[3]) > 31 || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 60) {
    throw new HttpError(400, `start=${start} is not an RFC 3339 time with a zone, ${example}`);
  }
  const d = one(query, 'duration');
  if (d === undefined) return { start, startMs };
  const duration = /^\d+(\.\d+)?$/.test(d) ? Number(d) : NaN;
  if (!(duration > 0) || duration > MAX_PLAYBACK_SECONDS) {
    throw new HttpError(400, `duration=${d} must be seconds above 0 and at most ${MAX_PLAYBACK_SECONDS} (${example}); leave it out to play to the end of the recorded span`);
  }
  return { start, startMs, duration };
}
