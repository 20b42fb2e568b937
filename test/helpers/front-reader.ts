// A reader that goes through a cluster front as a player does: DESCRIBE at the front, 302, then DESCRIBE/SETUP/PLAY (TCP) at the edge, until its first RTP packet.
import { parseSession } from '../../server/rtsp/headers/session.js';
import { bodyText, RawRtspClient } from './rtsp-client.js';
import { waitFor } from './read.js';

export interface EdgeReader {
  client: RawRtspClient;
  /** The edge's RTSP URL the front named. */
  location: string;
  edgePort: number;
  /** performance.now() at the front's DESCRIBE, at the edge's DESCRIBE, and at the first RTP packet. */
  askedAt: number;
  edgeAt: number;
  firstRtpAt: number;
}

/** The 302's Location from the front for `url` (throws with the answer when it is not a 302). */
export async function askFront(frontPort: number, url: string): Promise<string> {
  const f = await RawRtspClient.open(frontPort);
  try {
    const r = await f.request('DESCRIBE', url, { Accept: 'application/sdp' });
    const loc = r.headers.get('Location');
    if (r.status !== 302 || !loc) throw new Error(`the front answered ${r.status}: ${bodyText(r)}`);
    return loc;
  } finally {
    f.close();
  }
}

/** DESCRIBE, SETUP of track 0 interleaved, PLAY at `url`; resolves at the first RTP packet. */
export async function playAt(url: string, deadlineMs = 30_000): Promise<{ client: RawRtspClient; edgeAt: number; firstRtpAt: number }> {
  const u = new URL(url.replace(/^rtsp:/, 'http:'));
  const edgeAt = performance.now();
  const c = await RawRtspClient.open(Number(u.port), u.hostname);
  try {
    const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' });
    if (d.status !== 200) throw new Error(`DESCRIBE ${url} answered ${d.status}: ${bodyText(d)}`);
    const s = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    if (s.status !== 200) throw new Error(`SETUP answered ${s.status}: ${bodyText(s)}`);
    const p = await c.request('PLAY', url, { Session: parseSession(s.headers.get('Session')!).id, Range: 'npt=0.000-' });
    if (p.status !== 200) throw new Error(`PLAY answered ${p.status}: ${bodyText(p)}`);
    await waitFor(() => c.frames.some((f) => f.channel === 0), deadlineMs, `RTP from ${url}`, 5);
    return { client: c, edgeAt, firstRtpAt: c.frames.find((f) => f.channel === 0)!.at };
  } catch (e) {
    c.close();
    throw e;
  }
}

/** Through the front: its Location, then the stream from there. */
export async function readThroughFront(frontPort: number, url: string): Promise<EdgeReader> {
  const askedAt = performance.now();
  const location = await askFront(frontPort, url);
  const { client, edgeAt, firstRtpAt } = await playAt(location);
  return { client, location, edgePort: Number(new URL(location.replace(/^rtsp:/, 'http:')).port), askedAt, edgeAt, firstRtpAt };
}
