// Range header (RFC 2326 §12.29): npt (§3.6, seconds into the presentation) and clock (§3.7, absolute UTC time, what
// ONVIF replay clients send to play a recording from an instant).

import { RtspError } from '../errors.js';
import { parseClockRange, type ClockRange } from './range-clock.js';

export { formatClockRange, parseClockRange, type ClockRange } from './range-clock.js';

export interface RangeHeader {
  unit: 'npt';
  /** Seconds from the start of the presentation, or 'now' for live streams (§3.6). */
  start: number | 'now';
  end?: number;
  /** The `;time=` parameter (§12.29): wall-clock time at which the range should start, kept as written. */
  time?: string;
}

const USAGE = 'e.g. Range: npt=10-';
// §3.6 npt-sec and npt-hhmmss; hours are unbounded, minutes and seconds are two digits or fewer.
const NPT_SEC = /^(\d+)(?:\.(\d*))?$/;
const NPT_HHMMSS = /^(\d+):(\d{1,2}):(\d{1,2})(?:\.(\d*))?$/;

/** A PLAY's Range in either form this server implements: npt for any media, clock for recordings. */
export type PlayRange = RangeHeader | ClockRange;

export function parsePlayRange(value: string): PlayRange {
  const unit = value.split(';')[0]!.split('=')[0]!.trim().toLowerCase();
  return unit === 'clock' ? parseClockRange(value) : parseRange(value);
}

/** npt ranges only (clients and the player read the server's answers with this). */
export function parseRange(value: string): RangeHeader {
  const [spec, ...params] = value.split(';');
  const eq = spec.indexOf('=');
  if (eq === -1) throw new RtspError(400, `Range: expected npt=START-END, ${USAGE}, got ${quote(value.trim())}`);
  const unit = spec.slice(0, eq).trim().toLowerCase();
  if (unit !== 'npt') {
    // smpte ranges (§3.5) are valid RTSP that this server does not implement; clock ranges go through parsePlayRange.
    throw new RtspError(501, `Range: only npt${unit === 'clock' ? '' : ' and clock'} ranges are supported${unit === 'clock' ? ' here' : ''}, ${USAGE}; got ${quote(unit)}`);
  }
  const range = spec.slice(eq + 1).trim();
  if (range.includes(',')) throw new RtspError(501, `Range: only a single range is supported, ${USAGE}`);
  const dash = range.indexOf('-');
  if (dash === -1) throw new RtspError(400, `Range: expected npt=START-END with a "-", ${USAGE}, got ${quote(range)}`);
  const startText = range.slice(0, dash).trim();
  const endText = range.slice(dash + 1).trim();
  if (startText === '' && endText === '') throw new RtspError(400, `Range: npt=- gives neither a start nor an end, ${USAGE}`);

  const out: RangeHeader = {
    unit: 'npt',
    // §3.6 allows "-END"; playing up to END from the beginning is the only sensible reading.
    start: startText === '' ? 0 : startText.toLowerCase() === 'now' ? 'now' : nptTime(startText, 'start'),
  };
  if (endText !== '') {
    if (endText.toLowerCase() === 'now') throw new RtspError(400, `Range: the end of a range cannot be "now", ${USAGE}`);
    out.end = nptTime(endText, 'end');
    if (typeof out.start === 'number' && out.end < out.start) {
      throw new RtspError(457, `Range: the end (${out.end.toFixed(3)} s) is before the start (${out.start.toFixed(3)} s)`);
    }
  }
  for (const param of params) {
    const peq = param.indexOf('=');
    const key = (peq === -1 ? param : param.slice(0, peq)).trim().toLowerCase();
    if (key !== 'time') continue; // unknown parameters ignored
    const time = peq === -1 ? '' : param.slice(peq + 1).trim();
    // §3.7 utc-time: 19961108T142300.25Z, the only form clients send.
    if (!/^\d{8}T\d{6}(?:\.\d+)?Z$/.test(time)) {
      throw new RtspError(400, `Range: time must be a UTC time such as 19961108T142300Z, got ${quote(time)}`);
    }
    out.time = time;
  }
  return out;
}

export function formatRange(h: RangeHeader): string {
  const start = h.start === 'now' ? 'now' : h.start.toFixed(3);
  const end = h.end === undefined ? '' : h.end.toFixed(3);
  return `npt=${start}-${end}${h.time === undefined ? '' : `;time=${h.time}`}`;
}

function nptTime(text: string, which: 'start' | 'end'): number {
  let seconds: number;
  const sec = NPT_SEC.exec(text);
  const hms = sec ? null : NPT_HHMMSS.exec(text);
  if (sec) {
    seconds = Number(`${sec[1]}.${sec[2] || '0'}`);
  } else if (hms) {
    const [, h, m, s, frac] = hms;
    if (Number(m) > 59 || Number(s) > 59) {
      throw new RtspError(400, `Range: minutes and seconds must be below 60 in ${quote(text)}`);
    }
    seconds = Number(h) * 3600 + Number(m) * 60 + Number(`${s}.${frac || '0'}`);
  } else {
    throw new RtspError(
      400,
      `Range: the ${which} must be seconds (10.5) or hh:mm:ss (1:02:03.5), got ${quote(text)}; ${USAGE}`,
    );
  }
  // A time so long it cannot be written back with 3 decimals is an invalid range, not a real position.
  if (!Number.isFinite(seconds) || seconds > 1e12) throw new RtspError(457, `Range: the ${which} ${quote(text)} is too large`);
  return seconds;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
