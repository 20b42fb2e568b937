// RTSP URLs for the relay: where to connect, credentials kept off the wire, control URLs resolved as ffmpeg does, RTP-Info matched to media.

import sdpTransform from 'sdp-transform';
import type { RtspHeaders } from '../../rtsp/headers-map.js';
import type { Credentials } from '../../rtsp/headers/authorization.js';
import type { RtpInfoEntry, RtpInfoHeader } from '../../rtsp/headers/rtp-info.js';
import { RtspClientError, type DescribeResult, type PlayMedia } from './rtsp-client-types.js';

/** Where an upstream URL points, and its credentials. */
export interface Target {
  secure: boolean;
  host: string;
  port: number;
  credentials?: Credentials;
  /** The URL without user:password, as sent on request lines. */
  clean: string;
}

/** Splits an rtsp:// or rtsps:// URL into where to connect and the credentials, which never go on the wire in URLs. */
export function parseRtspUrl(url: string): Target {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RtspClientError(`${JSON.stringify(stripUserinfo(url))} is not a URL: expected rtsp://[user:pass@]host[:port]/path`);
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme !== 'rtsp:' && scheme !== 'rtsps:') {
    throw new RtspClientError(`${JSON.stringify(stripUserinfo(url))} is not an rtsp:// or rtsps:// URL`);
  }
  const secure = scheme === 'rtsps:';
  let host = u.hostname;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '') throw new RtspClientError(`${JSON.stringify(stripUserinfo(url))} has no host`);
  // RFC 2326 §3.2: 554 for rtsp; 322 is the IANA port for rtsps (RFC 7826 §19.2).
  const port = u.port === '' ? (secure ? 322 : 554) : Number(u.port);
  const target: Target = { secure, host, port, clean: stripUserinfo(url) };
  if (u.username !== '' || u.password !== '') {
    target.credentials = { username: safeDecode(u.username), password: safeDecode(u.password) };
  }
  return target;
}

/** rtsp://user:pass@host/x -> rtsp://host/x, leaving the rest of the URL byte for byte. */
export function stripUserinfo(url: string): string {
  return url.replace(/^(rtsps?:\/\/)[^@/?#]*@/i, '$1');
}

/**
 * The base URL (Content-Base, Content-Location, request URL: RFC 2326 §C.1.1) and each media's
 * control URL, as ffmpeg resolves them: absolute controls as they are, `*` or none means the base,
 * a relative control appended to the whole base after a '/' (a query in the base stays before it;
 * cameras rely on this). A control starting with '/' is a path on the same server.
 */
export function resolveControls(requestUrl: string, sdp: string, headers: RtspHeaders): DescribeResult {
  const url = stripUserinfo(requestUrl);
  const baseHeader = headers.get('Content-Base') ?? headers.get('Content-Location');
  let baseUrl = url;
  if (baseHeader !== undefined && baseHeader.trim() !== '') {
    try {
      baseUrl = stripUserinfo(absolutize(baseHeader.trim(), url));
    } catch {
      baseUrl = url;
    }
  }
  const parsed = sdpTransform.parse(sdp);
  const sessionControl = parsed.control === undefined ? undefined : String(parsed.control).trim();
  const aggregateControl = sessionControl !== undefined && isAbsoluteRtsp(sessionControl) ? stripUserinfo(sessionControl) : baseUrl;
  const medias = (parsed.media ?? []).map((m, index) => ({
    index,
    type: String(m.type),
    control: resolveControl(baseUrl, m.control === undefined ? undefined : String(m.control).trim()),
  }));
  return { url, sdp, baseUrl, aggregateControl, medias };
}

export function resolveControl(baseUrl: string, control: string | undefined): string {
  if (control === undefined || control === '' || control === '*') return baseUrl;
  if (isAbsoluteRtsp(control)) return stripUserinfo(control);
  if (control.startsWith('/')) {
    try {
      return new URL(control, baseUrl).href;
    } catch {
      // fall through to appending
    }
  }
  return baseUrl.endsWith('/') || control.startsWith('?') ? baseUrl + control : `${baseUrl}/${control}`;
}

/** An absolute URL stays byte for byte (WHATWG URL would re-encode it); a relative one is resolved against base. */
export function absolutize(ref: string, base: string): string {
  return isAbsoluteRtsp(ref) ? ref : new URL(ref, base).href;
}

function isAbsoluteRtsp(url: string): boolean {
  return /^rtsps?:\/\//i.test(url);
}

/** RTP-Info url= should equal the SETUP URL (ffmpeg requires it); servers also send only the tail, or other hosts. */
export function matchRtpInfo(medias: PlayMedia[], info: RtpInfoHeader): void {
  const used = new Set<RtpInfoEntry>();
  for (const m of medias) {
    const exact = info.find((e) => !used.has(e) && sameUrl(e.url, m.control));
    const tail = exact ?? info.find((e) => !used.has(e) && (m.control.endsWith(`/${lastSegment(e.url)}`) || lastSegment(m.control) === lastSegment(e.url)));
    if (tail) {
      used.add(tail);
      m.rtpInfo = tail;
    }
  }
  // Nothing matched by URL but the counts agree: take them in order (some cameras send bare ids).
  if (used.size === 0 && info.length === medias.length) medias.forEach((m, i) => (m.rtpInfo = info[i]));
}

function sameUrl(a: string, b: string): boolean {
  const norm = (s: string) => stripUserinfo(s).replace(/\/+$/, '');
  return norm(a) === norm(b);
}

function lastSegment(url: string): string {
  const clean = url.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return clean.slice(clean.lastIndexOf('/') + 1);
}

/** A literal IPv4 or IPv6 address: TLS sends no SNI for those. */
export function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
