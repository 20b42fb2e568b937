// A light RTSP/UDP reader that decodes nothing: it counts RTP per track and sends true RTCP receiver reports (RFC 3550
// §6.4.1: fraction lost per interval, cumulative loss from the extended highest seq) every `everyMs`. The QoS suite's
// clean-link reader: on a loaded machine a decoding client can fall behind and report loss the link never had.
import { createSocket, type Socket } from 'node:dgram';
import { buildReceiverReport } from '../../server/rtp/rtcp.js';
import { bodyText, RawRtspClient } from './rtsp-client.js';

interface TrackStats {
  rtp: Socket;
  rtcp: Socket;
  serverRtcp: number;
  ssrc?: number;
  received: number;
  baseSeq?: number;
  /** Extended highest sequence number. */
  maxSeq: number;
  expectedPrior: number;
  receivedPrior: number;
}

function bind(s: Socket, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(s.address().port));
  });
}

/** An even/odd pair of bound UDP sockets. */
async function portPair(): Promise<{ rtp: Socket; rtcp: Socket; port: number }> {
  for (let i = 0; i < 50; i++) {
    const rtp = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
    const port = await bind(rtp, 0);
    const rtcp = createSocket('udp4');
    if (port % 2 === 0 && (await bind(rtcp, port + 1).then(() => true, () => false))) return { rtp, rtcp, port };
    rtp.close();
    rtcp.close();
  }
  throw new Error('no free even/odd UDP port pair');
}

function onRtp(t: TrackStats, m: Buffer): void {
  if (m.length < 12) return;
  const seq = m.readUInt16BE(2);
  t.ssrc ??= m.readUInt32BE(8);
  t.received++;
  if (t.baseSeq === undefined) {
    t.baseSeq = seq;
    t.maxSeq = seq;
    return;
  }
  const delta = (seq - (t.maxSeq & 0xffff)) & 0xffff;
  if (delta > 0 && delta < 0x8000) t.maxSeq += delta;
}

export class RrReader {
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly c: RawRtspClient,
    readonly tracks: TrackStats[],
  ) {}

  /** DESCRIBE, SETUP of every track over UDP, PLAY; then a receiver report per track every `everyMs`. */
  static async start(rtspPort: number, url: string, everyMs = 500): Promise<RrReader> {
    const c = await RawRtspClient.open(rtspPort);
    const tracks: TrackStats[] = [];
    const reader = new RrReader(c, tracks);
    try {
      const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' });
      if (d.status !== 200) throw new Error(`DESCRIBE answered ${d.status}: ${bodyText(d)}`);
      let session = '';
      for (const control of [...bodyText(d).matchAll(/a=control:(trackID=\d+)/g)].map((m) => m[1]!)) {
        const p = await portPair();
        const t: TrackStats = { rtp: p.rtp, rtcp: p.rtcp, serverRtcp: 0, received: 0, maxSeq: 0, expectedPrior: 0, receivedPrior: 0 };
        tracks.push(t);
        p.rtp.on('message', (m) => onRtp(t, m));
        const headers: Record<string, string> = { Transport: `RTP/AVP;unicast;client_port=${p.port}-${p.port + 1}` };
        if (session) headers.Session = session;
        const s = await c.request('SETUP', `${url}/${control}`, headers);
        if (s.status !== 200) throw new Error(`SETUP answered ${s.status}: ${bodyText(s)}`);
        session = s.headers.get('Session')!.split(';')[0]!;
        t.serverRtcp = Number(/server_port=\d+-(\d+)/.exec(s.headers.get('Transport') ?? '')?.[1] ?? 0);
      }
      const r = await c.request('PLAY', url, { Session: session });
      if (r.status !== 200) throw new Error(`PLAY answered ${r.status}: ${bodyText(r)}`);
    } catch (e) {
      reader.close();
      throw e;
    }
    reader.timer = setInterval(() => reader.report(), everyMs);
    return reader;
  }

  private report(): void {
    for (const t of this.tracks) {
      if (t.ssrc === undefined || t.baseSeq === undefined) continue;
      const expected = t.maxSeq - t.baseSeq + 1;
      const expectedInterval = expected - t.expectedPrior;
      const receivedInterval = t.received - t.receivedPrior;
      t.expectedPrior = expected;
      t.receivedPrior = t.received;
      const lostInterval = expectedInterval - receivedInterval;
      const fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval * 256) / expectedInterval));
      const rr = buildReceiverReport({
        ssrc: 0x7e57,
        reports: [{ ssrc: t.ssrc, fractionLost, cumulativeLost: expected - t.received, highestSeq: t.maxSeq, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }],
      });
      t.rtcp.send(rr, t.serverRtcp, '127.0.0.1');
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.c.close();
    for (const t of this.tracks) {
      t.rtp.close();
      t.rtcp.close();
    }
  }
}
