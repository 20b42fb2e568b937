// A raw RTSP reader of every track over TCP, for timed text: the T.140 cues it got, each placed on the video's clock through RTCP SRs or RTP-Info.
import { RawRtspClient, bodyText } from './rtsp-client.js';
import { parseSdpTracks } from '../../server/sdp/parse.js';
import type { Track } from '../../server/media/track.js';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { unixMsFromNtp } from '../../server/rtp/ntp.js';
import { decodeT140 } from '../../server/rtp/codecs/t140.js';

export interface TextCue {
  /** RTP timestamp of the packet. */
  ts: number;
  /** '' for a clear. */
  text: string;
}

export interface TextReader {
  client: RawRtspClient;
  sdp: string;
  tracks: Track[];
  /** The PLAY answer's Range start (npt seconds), when it gave one. */
  start: number | undefined;
  /** RTP-Info rtptime per track id (undefined when the server gave none). */
  rtptime: (number | undefined)[];
  /** The text track's packets so far. */
  cues(): TextCue[];
  /**
   * Unix ms of an RTP timestamp of track `id`, through the latest SR of that track, or its first with
   * `first` (a file's: the SR in its closing BYE is taken at the clamped end position); undefined before one.
   */
  wallOf(id: number, ts: number, first?: boolean): number | undefined;
  close(): void;
}

/** DESCRIBE, SETUP every track interleaved (channels 2i, 2i+1), PLAY from `from` seconds (the start). */
export async function readText(port: number, url: string, from = 0): Promise<TextReader> {
  const client = await RawRtspClient.open(port);
  try {
    const d = await client.request('DESCRIBE', url, { Accept: 'application/sdp' });
    if (d.status !== 200) throw new Error(`DESCRIBE ${url}: ${d.status} ${bodyText(d)}`);
    const sdp = bodyText(d);
    const tracks = parseSdpTracks(sdp).tracks;
    let session = '';
    for (const t of tracks) {
      const r = await client.request('SETUP', `${url}/trackID=${t.id}`, {
        Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * t.id}-${2 * t.id + 1}`,
        ...(session ? { Session: session } : {}),
      });
      if (r.status !== 200) throw new Error(`SETUP track ${t.id}: ${r.status} ${bodyText(r)}`);
      session = r.headers.get('Session')!.split(';')[0]!;
    }
    const play = await client.request('PLAY', `${url}/`, { Session: session, Range: `npt=${from.toFixed(3)}-` });
    if (play.status !== 200) throw new Error(`PLAY: ${play.status} ${bodyText(play)}`);
    const info = play.headers.get('RTP-Info');
    const entries = info ? parseRtpInfo(info) : [];
    const rtptime = tracks.map((t) => entries.find((e) => e.url.endsWith(`/trackID=${t.id}`))?.rtptime);
    const text = tracks.find((t) => t.kind === 'text');
    const range = /npt=([\d.]+)-/.exec(play.headers.get('Range') ?? '');
    return {
      client,
      sdp,
      tracks,
      start: range ? Number(range[1]) : undefined,
      rtptime,
      cues: () => (text ? client.rtpOn(2 * text.id).map((p) => ({ ts: p.timestamp, text: decodeT140(p.payload) })) : []),
      wallOf: (id, ts, first = false) => {
        const srs = client.frames.filter((f) => f.channel === 2 * id + 1).flatMap((f) => parseRtcpCompound(f.data)).filter((p) => p.type === 'sr');
        const sr = first ? srs[0] : srs.at(-1);
        if (!sr || sr.type !== 'sr') return undefined;
        const clock = tracks[id]!.clockRate;
        return unixMsFromNtp(sr.ntpSeconds, sr.ntpFraction) + ((((ts - sr.rtpTimestamp) | 0) / clock) * 1000);
      },
      close: () => client.close(),
    };
  } catch (e) {
    client.close();
    throw e;
  }
}
