// A hand-driven RTSP publisher over one TCP connection: ANNOUNCE with a hand-written SDP, SETUP of each track interleaved, RECORD, then any bytes as `$` frames.
import { encodeInterleaved } from '../../server/rtsp/message.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { bodyText, RawRtspClient } from './rtsp-client.js';

/** H.264 (no sprop-parameter-sets: they come in band, or as garbage) and AAC-hbr 48 kHz stereo. */
export const H264_AAC_SDP = [
  'v=0',
  'o=- 0 0 IN IP4 127.0.0.1',
  's=hand-written',
  't=0 0',
  'm=video 0 RTP/AVP 96',
  'a=rtpmap:96 H264/90000',
  'a=fmtp:96 packetization-mode=1',
  'a=control:trackID=0',
  'm=audio 0 RTP/AVP 97',
  'a=rtpmap:97 MPEG4-GENERIC/48000/2',
  'a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190',
  'a=control:trackID=1',
  '',
].join('\r\n');

export class RawPublisher {
  private constructor(
    readonly c: RawRtspClient,
    readonly url: string,
    readonly session: string,
  ) {}

  /** ANNOUNCE `sdp` to `url`, SETUP tracks 0..n-1 on interleaved channels 2k/2k+1, RECORD. */
  static async start(port: number, url: string, sdp: string, tracks: number): Promise<RawPublisher> {
    const c = await RawRtspClient.open(port);
    try {
      const a = await c.request('ANNOUNCE', url, { 'Content-Type': 'application/sdp' }, sdp);
      if (a.status !== 200) throw new Error(`ANNOUNCE answered ${a.status}: ${bodyText(a)}`);
      let session = '';
      for (let k = 0; k < tracks; k++) {
        const headers: Record<string, string> = { Transport: `RTP/AVP/TCP;unicast;interleaved=${2 * k}-${2 * k + 1};mode=record` };
        if (session) headers.Session = session;
        const s = await c.request('SETUP', `${url}/trackID=${k}`, headers);
        if (s.status !== 200) throw new Error(`SETUP of track ${k} answered ${s.status}: ${bodyText(s)}`);
        session = parseSession(s.headers.get('Session')!).id;
      }
      const r = await c.request('RECORD', url, { Session: session, Range: 'npt=0.000-' });
      if (r.status !== 200) throw new Error(`RECORD answered ${r.status}: ${bodyText(r)}`);
      return new RawPublisher(c, url, session);
    } catch (e) {
      c.close();
      throw e;
    }
  }

  /** Writes one `$` frame, waiting for the socket to drain when its buffer is full. */
  async send(channel: number, data: Uint8Array): Promise<void> {
    if (!this.c.socket.write(encodeInterleaved(channel, data.subarray(0, 0xffff)))) {
      await new Promise((r) => this.c.socket.once('drain', r));
    }
  }

  /** A request after everything sent: its answer means the server has read all of it. */
  async sync(): Promise<number> {
    return (await this.c.request('GET_PARAMETER', this.url, { Session: this.session })).status;
  }

  async teardown(): Promise<number> {
    return (await this.c.request('TEARDOWN', this.url, { Session: this.session })).status;
  }

  close(): void {
    this.c.close();
  }
}
