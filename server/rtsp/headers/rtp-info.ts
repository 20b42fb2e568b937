// RTP-Info header (RFC 2326 §12.33): per track, the seq and rtptime of the first packet a PLAY delivers.

import { RtspError } from '../errors.js';

export interface RtpInfoEntry {
  /** The track's control URL; ffmpeg matches it exactly against the SETUP URL. */
  url: string;
  /** Sequence number of the first packet sent after PLAY. */
  seq?: number;
  /** RTP timestamp matching the Range start; clients anchor their timeline on it. */
  rtptime?: number;
}

export type RtpInfoHeader = RtpInfoEntry[];

export function parseRtpInfo(value: string): RtpInfoHeader {
  // Entries are split only where a comma is followed by "url=": URLs may themselves contain commas.
  const entries = value
    .split(/,(?=\s*url\s*=)/i)
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) throw new RtspError(400, 'RTP-Info: the header is empty, e.g. RTP-Info: url=rtsp://host/path/trackID=0;seq=1;rtptime=0');
  return entries.map(parseEntry);
}

function parseEntry(entry: string): RtpInfoEntry {
  const parts = entry.split(';');
  const first = /^url\s*=\s*(.*)$/is.exec(parts[0].trim());
  if (first === null) throw new RtspError(400, `RTP-Info: each entry must start with url=, got ${quote(entry)}`);
  let url = first[1];
  const out: RtpInfoEntry = { url: '' };
  // A quoted URL (RFC 7826) is closed: whatever follows is parameters, known or not.
  let paramsSeen = /^\s*".*"\s*$/s.test(url);
  for (const part of parts.slice(1)) {
    const m = /^\s*([A-Za-z][\w-]*)\s*=\s*(.*?)\s*$/s.exec(part);
    const key = m?.[1].toLowerCase();
    if (key === 'seq') {
      out.seq = integer('seq', m![2], 0xffff);
    } else if (key === 'rtptime') {
      out.rtptime = integer('rtptime', m![2], 0xffffffff);
    } else if (!paramsSeen) {
      url += `;${part}`; // a ';' inside the URL itself, before any parameter
      continue;
    }
    // Unknown parameters after seq/rtptime (e.g. RFC 7826 ssrc) are ignored.
    paramsSeen = true;
  }
  url = url.trim();
  // RFC 7826 quotes the URL; accept that form from newer servers.
  if (url.length >= 2 && url.startsWith('"') && url.endsWith('"')) url = url.slice(1, -1);
  if (url === '') throw new RtspError(400, `RTP-Info: url is empty in ${quote(entry)}`);
  if (/[\s"\u0000-\u001f\u007f]/.test(url)) throw new RtspError(400, `RTP-Info: the url ${quote(url)} contains spaces, quotes or control characters`);
  out.url = url;
  return out;
}

export function formatRtpInfo(h: RtpInfoHeader): string {
  return h
    .map((e) => {
      let s = `url=${e.url}`;
      if (e.seq !== undefined) s += `;seq=${e.seq}`;
      if (e.rtptime !== undefined) s += `;rtptime=${e.rtptime}`;
      return s;
    })
    .join(',');
}

function integer(name: string, text: string, max: number): number {
  if (!/^\d{1,10}$/.test(text) || Number(text) > max) {
    throw new RtspError(400, `RTP-Info: ${name} must be a whole number from 0 to ${max}, got ${quote(text)}`);
  }
  return Number(text);
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}
