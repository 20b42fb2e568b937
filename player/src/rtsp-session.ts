// One RTSP PLAY session over a WebSocket: DESCRIBE, SETUP per track (interleaved 2n-2n+1), PLAY/PAUSE with Range, keepalive, TEARDOWN.
import type { Track } from '../../server/media/track.js';
import { parseRange } from '../../server/rtsp/headers/range.js';
import { parseRtpInfo, type RtpInfoEntry } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseSdpTracks } from '../../server/sdp/parse.js';
import { RtspWsConnection } from './rtsp-ws.js';

export interface SessionTrack {
  track: Track;
  /** Absolute control URL used in SETUP (and matched against RTP-Info). */
  url: string;
  /** Interleaved channel of its RTP; RTCP is the next one. */
  rtpChannel: number;
}

export interface PlayAnswer {
  /** npt start the server chose (the key frame at or before the asked position), if it said. */
  start: number | undefined;
  rtpInfo: RtpInfoEntry[];
}

const decoder = new TextDecoder();

/** Resolves a=control against Content-Base (RFC 2326 C.1.1): absolute as is, relative appended. */
function controlUrl(base: string, control: string): string {
  if (/^rtsp:\/\//i.test(control)) return control;
  if (control === '' || control === '*') return base.replace(/\/$/, '');
  return `${base.endsWith('/') ? base : `${base}/`}${control}`;
}

export class RtspSession {
  readonly conn: RtspWsConnection;
  readonly tracks: SessionTrack[] = [];
  /** Every track the description offers, set up or not (the language menu lists the audio ones). */
  described: Track[] = [];
  /** Seconds, from the SDP's a=range; undefined for live paths. */
  duration: number | undefined;
  private sessionId = '';
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private baseUrl = '';

  private constructor(conn: RtspWsConnection, readonly url: string) {
    this.conn = conn;
  }

  /** Connects, describes `path` and sets up the first video and first audio track we can play. */
  static async open(wsUrl: string, rtspUrl: string, pick: (tracks: Track[]) => Track[]): Promise<RtspSession> {
    const conn = await RtspWsConnection.open(wsUrl);
    const s = new RtspSession(conn, rtspUrl);
    try {
      await s.describeAndSetup(pick);
    } catch (e) {
      conn.close();
      throw e;
    }
    return s;
  }

  private async describeAndSetup(pick: (tracks: Track[]) => Track[]): Promise<void> {
    const opts = await this.conn.request('OPTIONS', this.url);
    const publicMethods = opts.headers.get('Public') ?? '';
    const res = await this.conn.request('DESCRIBE', this.url, { Accept: 'application/sdp' });
    const sdp = decoder.decode(res.body);
    this.baseUrl = res.headers.get('Content-Base') ?? `${this.url}/`;
    const parsed = parseSdpTracks(sdp);
    // a=range lands in sdp-transform's `invalid` list; the text is simpler to read directly.
    const range = /^a=range:npt=([\d.]+)-([\d.]+)\s*$/m.exec(sdp);
    this.duration = range ? Number(range[2]) - Number(range[1]) : undefined;
    this.described = parsed.tracks;
    const chosen = pick(parsed.tracks);
    let n = 0;
    for (const track of chosen) {
      const url = controlUrl(this.baseUrl, parsed.controls[track.id] ?? '');
      const headers: Record<string, string> = { Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * n}-${2 * n + 1}` };
      if (this.sessionId) headers.Session = this.sessionId;
      const r = await this.conn.request('SETUP', url, headers);
      const session = parseSession(r.headers.get('Session') ?? '');
      this.sessionId = session.id;
      this.tracks.push({ track, url, rtpChannel: 2 * n });
      if (n === 0) this.startKeepalive(session.timeout ?? 60, publicMethods);
      n++;
    }
  }

  /** The aggregate URL PLAY/PAUSE/TEARDOWN go to (the session-level control). */
  private get aggregateUrl(): string {
    return this.url;
  }

  async play(fromSeconds?: number): Promise<PlayAnswer> {
    const headers: Record<string, string> = { Session: this.sessionId };
    if (fromSeconds !== undefined) headers.Range = `npt=${fromSeconds.toFixed(3)}-`;
    const r = await this.conn.request('PLAY', this.aggregateUrl, headers);
    let start: number | undefined;
    const range = r.headers.get('Range');
    if (range) {
      try {
        const parsed = parseRange(range);
        if (typeof parsed.start === 'number') start = parsed.start;
      } catch {
        // A Range we cannot read only costs the position display.
      }
    }
    const info = r.headers.get('RTP-Info');
    let rtpInfo: RtpInfoEntry[] = [];
    if (info) {
      try {
        rtpInfo = parseRtpInfo(info);
      } catch {
        rtpInfo = [];
      }
    }
    return { start, rtpInfo };
  }

  /** PAUSE; returns the npt the server stopped at, if it said. */
  async pause(): Promise<number | undefined> {
    const r = await this.conn.request('PAUSE', this.aggregateUrl, { Session: this.sessionId });
    const range = r.headers.get('Range');
    if (!range) return undefined;
    try {
      const p = parseRange(range);
      return typeof p.start === 'number' ? p.start : undefined;
    } catch {
      return undefined;
    }
  }

  private startKeepalive(timeoutS: number, publicMethods: string): void {
    // As VLC and ffmpeg do: GET_PARAMETER when OPTIONS lists it, else OPTIONS; well before the timeout.
    const method = /GET_PARAMETER/i.test(publicMethods) ? 'GET_PARAMETER' : 'OPTIONS';
    const everyMs = Math.max(5, timeoutS / 2) * 1000;
    this.keepalive = setInterval(() => {
      if (!this.conn.isOpen) return;
      this.conn.request(method, this.aggregateUrl, { Session: this.sessionId }).catch(() => {
        // A failed keepalive shows up as the connection closing.
      });
    }, everyMs);
  }

  /** TEARDOWN (best effort, not awaited for long) and close the socket. */
  async close(): Promise<void> {
    clearInterval(this.keepalive);
    if (this.conn.isOpen && this.sessionId) {
      await Promise.race([this.conn.request('TEARDOWN', this.aggregateUrl, { Session: this.sessionId }).catch(() => undefined), new Promise((r) => setTimeout(r, 500))]);
    }
    this.conn.close();
  }
}
