// Builds the SDP answered to DESCRIBE (RFC 4566 + RFC 2326 Appendix C) from a stream's tracks.
import { write, type SessionDescription, type MediaDescription } from 'sdp-transform';
import type { Track } from '../media/track.js';
import { fmtpFor, rtpMapFor } from './fmtp.js';

export interface DescribeOptions {
  tracks: Track[];
  /** s= line: the path's name. */
  sessionName: string;
  /** The server's address as the client reached it (o= line). */
  serverAddress: string;
  /** Seconds, for files: `a=range:npt=0-<duration>`; absent for live streams (`npt=0-`). */
  duration?: number;
  /** Stable per stream so a client can tell versions apart (o= session id). */
  sessionId?: number;
  /**
   * SRTP (RTSPS): each medium is `RTP/SAVP` with `a=key-mgmt:mikey <base64>` (RFC 4567 §3.1), the
   * MIKEY message carrying the key its packets are sent with, one per track in track order.
   */
  keyMgmt?: string[];
  /**
   * The stream's absolute URL (`rtsp://host:port/path`), for a description fetched outside RTSP
   * (HTTP): session `a=control:<url>` and media `a=control:<url>/trackID=N` (RFC 2326 C.1.1, C.1.2),
   * since such a description has no Content-Base to resolve relative controls against.
   */
  controlUrl?: string;
}

/** Media-level control attribute: relative, appended by clients to Content-Base (INTEROP.md). */
export const trackControl = (track: Track): string => `trackID=${track.id}`;

/** A value safe on one SDP line: no line breaks or control characters. */
const sdpText = (s: string): string => s.replace(/[\x00-\x1f\x7f]/g, ' ').trim();

export function buildSdp(opts: DescribeOptions): string {
  const ipVer = opts.serverAddress.includes(':') ? 6 : 4;
  const range = opts.duration !== undefined ? `range:npt=0-${opts.duration.toFixed(3)}` : 'range:npt=0-';
  const media: MediaDescription[] = opts.tracks.map((t, i) => {
    const fmtp = fmtpFor(t);
    const key = opts.keyMgmt?.[i];
    const m: MediaDescription = {
      type: t.kind,
      port: 0,
      protocol: key !== undefined ? 'RTP/SAVP' : 'RTP/AVP',
      payloads: String(t.payloadType),
      rtp: [rtpMapFor(t)],
      fmtp: fmtp ? [{ payload: t.payloadType, config: fmtp }] : [],
      control: opts.controlUrl !== undefined ? `${opts.controlUrl}/${trackControl(t)}` : trackControl(t),
    };
    if (t.kind === 'video' && t.width && t.height) {
      // Not part of RFC 4566 but read by VLC and ffmpeg to size the picture before the first frame.
      m.invalid = [{ value: `x-dimensions:${t.width},${t.height}` }];
    }
    if (key !== undefined) (m.invalid ??= []).push({ value: `key-mgmt:mikey ${key}` });
    // RFC 4566 §6: the medium's language, so a client can SETUP the audio it wants of several.
    if (t.language) (m.invalid ??= []).push({ value: `lang:${t.language}` });
    // RFC 4566 §5.4 media title (i=): the track's own name for a menu.
    if (t.name) m.description = sdpText(t.name);
    return m;
  });
  const session: SessionDescription = {
    version: 0,
    origin: {
      username: '-',
      sessionId: opts.sessionId ?? 0,
      sessionVersion: 1,
      netType: 'IN',
      ipVer,
      address: opts.serverAddress,
    },
    name: opts.sessionName || 'Tidecast',
    connection: { version: ipVer, ip: ipVer === 6 ? '::' : '0.0.0.0' },
    timing: { start: 0, stop: 0 },
    control: opts.controlUrl ?? '*',
    invalid: [{ value: 'tool:Tidecast' }, { value: range }],
    // u=: where a person (or a player that cannot follow a=control) finds the stream itself.
    ...(opts.controlUrl !== undefined ? { uri: opts.controlUrl } : {}),
    media,
  };
  return write(session);
}
