// Session header (RFC 2326 §12.37): the session id and the idle timeout the server enforces.

import { RtspError } from '../errors.js';

export interface SessionHeader {
  id: string;
  /** Seconds of silence after which the server drops the session; clients keep alive before it. */
  timeout?: number;
}

export function parseSession(value: string): SessionHeader {
  const [idPart, ...params] = value.split(';');
  const id = idPart.trim();
  if (id === '') throw new RtspError(400, `Session: the session id is missing, e.g. Session: 4f2a9c;timeout=60`);
  // §3.4 session-id is 1*(ALPHA | DIGIT | safe); we only refuse what would break the header's syntax.
  if (/[\s,"\u0000-\u001f\u007f]/.test(id)) {
    throw new RtspError(400, `Session: the session id ${quote(id)} contains spaces, commas, quotes or control characters`);
  }
  const out: SessionHeader = { id };
  for (const param of params) {
    const eq = param.indexOf('=');
    const key = (eq === -1 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (key === '') continue;
    // Unknown parameters are ignored so newer clients/servers still interoperate.
    if (key !== 'timeout') continue;
    const raw = eq === -1 ? '' : param.slice(eq + 1).trim();
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
      throw new RtspError(400, `Session: timeout must be a whole number of seconds, got ${quote(raw)}`);
    }
    out.timeout = Number(raw);
  }
  return out;
}

export function formatSession(h: SessionHeader): string {
  return h.timeout === undefined ? h.id : `${h.id};timeout=${h.timeout}`;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
