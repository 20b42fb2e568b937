// RTSP start lines (RFC 2326 §6.1, §7.1): a request line or a status line, parsed into a typed value or a 400 with the reason.
import { RtspError } from './errors.js';

// RFC 2326 §15.1 token: CHARs except CTLs and tspecials (the RFC 2616 set).
export const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VERSION = /^(?:RTSP\/\d+\.\d+|HTTP\/1\.\d)$/i;
const STATUS_LINE = /^(RTSP\/\d+\.\d+|HTTP\/1\.\d)[ \t]+(\d{3})(?:[ \t]+(.*))?$/i;
const REQUEST_HINT = 'expected METHOD URI RTSP/1.0, e.g. OPTIONS rtsp://host/ RTSP/1.0';
const STATUS_HINT = 'expected RTSP/1.0 CODE REASON, e.g. RTSP/1.0 200 OK';

export type RequestLine = { method: string; uri: string; version: string };
export type StatusLine = { version: string; status: number; reason: string };
export type StartLine = ({ kind: 'request' } & RequestLine) | ({ kind: 'response' } & StatusLine);

export function parseStartLine(line: string): StartLine | RtspError {
  const text = line.trim();
  const tokens = text.split(/[ \t]+/);
  if (/^(?:RTSP|HTTP)\//i.test(tokens[0])) {
    const m = STATUS_LINE.exec(text);
    if (m === null) return new RtspError(400, `Could not parse the status line ${quote(line)}: ${STATUS_HINT}`);
    return { kind: 'response', version: m[1].toUpperCase(), status: Number(m[2]), reason: m[3] ?? '' };
  }
  if (tokens.length !== 3) {
    return new RtspError(400, `Could not parse the request line ${quote(line)}: ${REQUEST_HINT}`);
  }
  const [method, uri, version] = tokens;
  const bad = (what: string) => new RtspError(400, `Could not parse the request line ${quote(line)}: ${what}; ${REQUEST_HINT}`);
  if (!VERSION.test(version)) return bad(`${quote(version)} is not an RTSP version`);
  // §6.1: methods are case-sensitive tokens; "options" is a different (unknown) method, answered later.
  if (!TOKEN.test(method)) return bad(`${quote(method)} is not a method name`);
  return { kind: 'request', method, uri, version: version.toUpperCase() };
}

/** Quoted, escaped and shortened, so any input can be echoed in a reason safely. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}
