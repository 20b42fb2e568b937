// Range: clock= (RFC 2326 §3.7): absolute UTC times, as ONVIF replay clients ask for a recording from an instant.

import { RtspError } from '../errors.js';

export interface ClockRange {
  unit: 'clock';
  /** Unix milliseconds. */
  start: number;
  /**
   * Unix milliseconds; may be before `start` (ONVIF reverse replay sends `clock=LATER-EARLIER` with a
   * negative Scale), so the PLAY handler, which knows the Scale, judges the order.
   */
  end?: number;
}

const USAGE = 'e.g. Range: clock=20261203T221000Z-';
// §3.7 utc-time: utc-date "T" utc-time "Z", 8DIGIT "T" 6DIGIT [ "." fraction ] "Z".
const UTC_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/i;

export function parseClockRange(value: string): ClockRange {
  // Parameters such as ;time= mean nothing beside an absolute range: ignored like unknown ones.
  const spec = value.split(';')[0]!;
  const eq = spec.indexOf('=');
  const unit = eq === -1 ? '' : spec.slice(0, eq).trim().toLowerCase();
  if (unit !== 'clock') throw new RtspError(400, `Range: expected clock=START-END, ${USAGE}, got ${quote(value.trim())}`);
  const range = spec.slice(eq + 1).trim();
  if (range.includes(',')) throw new RtspError(501, `Range: only a single range is supported, ${USAGE}`);
  const dash = range.indexOf('-');
  if (dash === -1) throw new RtspError(400, `Range: expected clock=START-END with a "-", ${USAGE}, got ${quote(range)}`);
  const startText = range.slice(0, dash).trim();
  const endText = range.slice(dash + 1).trim();
  if (startText === '') throw new RtspError(400, `Range: a clock range needs a start time, ${USAGE}`);
  const out: ClockRange = { unit: 'clock', start: utcTime(startText, 'start') };
  if (endText !== '') out.end = utcTime(endText, 'end');
  return out;
}

/** Milliseconds are written only when there are some: `clock=20261203T221000Z-` or `…T221000.250Z-`. */
export function formatClockRange(h: ClockRange): string {
  return `clock=${formatUtcTime(h.start)}-${h.end === undefined ? '' : formatUtcTime(h.end)}`;
}

export function formatUtcTime(ms: number): string {
  const iso = new Date(Math.round(ms)).toISOString(); // 2026-12-03T22:10:00.250Z
  const frac = iso.slice(20, 23);
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${frac === '000' ? '' : `.${frac}`}Z`;
}

function utcTime(text: string, which: 'start' | 'end'): number {
  const m = UTC_TIME.exec(text);
  if (!m) throw new RtspError(400, `Range: the ${which} must be a UTC time such as 20261203T221000Z or 20261203T221000.25Z, got ${quote(text)}`);
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // Fractions finer than a millisecond are rounded away: recordings are indexed in ms.
  const frac = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s) + frac;
  const back = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 20261332 over to the next year: a date that does not come back as written is invalid.
  if (y < 1970 || back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || h > 23 || mi > 59 || s > 59) {
    throw new RtspError(400, `Range: ${quote(text)} is not a valid UTC date and time (from 1970 on)`);
  }
  return ms;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
