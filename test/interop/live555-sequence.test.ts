// VLC's live555 RTSP request sequence replayed on a raw socket (UDP and TCP): headers, RTP-Info vs first packets, RTP/RTCP flow, TEARDOWN.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import sdpTransform from 'sdp-transform';
import { parsePublic } from '../../server/rtsp/headers/public.js';
import { parseRtpInfo, type RtpInfoEntry } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport, type TransportHeader } from '../../server/rtsp/headers/transport.js';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { parseRtcpCompound, type RtcpPacket } from '../../server/rtp/rtcp.js';
import { parseRtpPacket, type RtpPacket } from '../../server/rtp/packet.js';
import { unixMsFromNtp } from '../../server/rtp/ntp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, udpReceiver, sleep, bodyText, type UdpReceiver } from '../helpers/rtsp-client.js';

/** What VLC 3.0.20 on Debian 12 sends (INTEROP.md). */
const USER_AGENT = 'LibVLC/3.0.20 (LIVE555 Streaming Media v2022.07.14)';
const PLAY_MS = 2000;

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

interface Arrived {
  pkt: RtpPacket;
  at: number;
}
interface TrackFlow {
  kind: 'video' | 'audio';
  setupUrl: string;
  payloadType: number;
  clockRate: number;
  transport: TransportHeader;
  rtp(): Arrived[];
  rtcp(): { packets: RtcpPacket[]; at: number }[];
}

/** live555 RTSPClient::sendRequest: CSeq, User-Agent, then the request's own headers. */
async function send(c: RawRtspClient, method: string, url: string, headers: Record<string, string> = {}): Promise<RtspResponse> {
  const cseq = c.cseq + 1;
  const r = await c.request(method, url, { 'User-Agent': USER_AGENT, ...headers });
  expect(r.headers.get('CSeq'), `${method} CSeq echo`).toBe(String(cseq));
  return r;
}

/** live555 MediaSubsession URL: absolute control as is, else base + ('/' unless already there) + control. */
function controlUrl(base: string, control: string): string {
  if (/^rtsp:\/\//i.test(control)) return control;
  return base.endsWith('/') || control.startsWith('/') ? base + control : `${base}/${control}`;
}

const seqDiff = (a: number, b: number): number => (b - a) & 0xffff;

function expectFlow(t: TrackFlow, info: RtpInfoEntry, label: string): void {
  const rtp = t.rtp();
  // ~30 video frames/s, ~47 AAC or 50 Opus frames/s: far more than this in 2 s.
  expect(rtp.length, `${label}: RTP packets in ${PLAY_MS} ms`).toBeGreaterThan(40);
  const first = rtp[0]!.pkt;
  // RTP-Info: seq is the first packet's exactly (GStreamer drops video otherwise).
  expect(first.sequenceNumber, `${label}: first seq vs RTP-Info seq`).toBe(info.seq);
  if (t.kind === 'video') {
    // Playback from npt 0 starts on a key frame whose time is the Range start: rtptime is its timestamp.
    expect(first.timestamp, `${label}: first timestamp vs RTP-Info rtptime`).toBe(info.rtptime);
  } else {
    // Audio may start up to one frame away from the Range start (priming, frame grid).
    const ts = rtp.map((r) => r.pkt.timestamp);
    const frame = ts.slice(1).map((x, i) => (x - ts[i]!) >>> 0).find((d) => d > 0)!;
    const delta = ((first.timestamp - info.rtptime! + 0x80000000) >>> 0) - 0x80000000;
    expect(Math.abs(delta), `${label}: first timestamp ${first.timestamp} vs RTP-Info rtptime ${info.rtptime} (frame ${frame})`).toBeLessThanOrEqual(frame);
  }
  for (let i = 0; i < rtp.length; i++) {
    const p = rtp[i]!.pkt;
    expect(p.payloadType, `${label}: payload type of packet #${i}`).toBe(t.payloadType);
    expect(p.ssrc >>> 0, `${label}: SSRC of packet #${i} vs Transport ssrc`).toBe(t.transport.ssrc! >>> 0);
    if (i > 0) expect(seqDiff(rtp[i - 1]!.pkt.sequenceNumber, p.sequenceNumber), `${label}: seq gap before packet #${i}`).toBe(1);
  }
  if (t.kind === 'video') {
    // RFC 6184 §5.1: the marker is set on the last packet of each access unit, and only there.
    for (let i = 0; i < rtp.length - 1; i++) {
      const endsFrame = rtp[i + 1]!.pkt.timestamp !== rtp[i]!.pkt.timestamp;
      expect(rtp[i]!.pkt.marker, `${label}: marker on packet #${i} (next packet ${endsFrame ? 'starts a new frame' : 'is the same frame'})`).toBe(endsFrame);
    }
    // Timestamps step by whole frames in the 90 kHz clock (B-frames may go backwards, never off the grid).
    const frames = new Set(rtp.map((r) => r.pkt.timestamp)).size;
    expect(frames, `${label}: distinct video frames in ${PLAY_MS} ms`).toBeGreaterThanOrEqual(Math.floor((PLAY_MS / 1000) * 30 * 0.8));
  }
}

interface SrPoint {
  ntpMs: number;
  rtp: number;
}

function senderReports(t: TrackFlow, label: string): SrPoint[] {
  const srs: SrPoint[] = [];
  for (const { packets } of t.rtcp()) {
    // RFC 3550 §6.1: every compound starts with SR/RR and carries an SDES CNAME.
    expect(['sr', 'rr'], `${label}: RTCP compound starts with SR/RR`).toContain(packets[0]!.type);
    for (const p of packets) {
      if (p.type === 'sr') {
        expect(p.ssrc >>> 0, `${label}: SR SSRC vs Transport ssrc`).toBe(t.transport.ssrc! >>> 0);
        srs.push({ ntpMs: unixMsFromNtp(p.ntpSeconds, p.ntpFraction), rtp: p.rtpTimestamp });
      }
    }
  }
  expect(srs.length, `${label}: RTCP SRs before TEARDOWN`).toBeGreaterThan(0);
  return srs;
}

function byeSeen(t: TrackFlow): boolean {
  return t.rtcp().some(({ packets }) => packets.some((p) => p.type === 'bye' && p.ssrcs.map((s) => s >>> 0).includes(t.transport.ssrc! >>> 0)));
}

async function vlcSequence(file: string, lower: 'udp' | 'tcp'): Promise<void> {
  const url = srv.url(file);
  const label = `${file} ${lower}`;
  const c = await RawRtspClient.open(srv.rtspPort);
  const receivers: UdpReceiver[] = [];
  try {
    // OPTIONS: VLC keeps the session alive with GET_PARAMETER only if Public lists it.
    const o = await send(c, 'OPTIONS', url);
    expect(o.status, `${label} OPTIONS`).toBe(200);
    expect(parsePublic(o.headers.get('Public') ?? '')).toContain('GET_PARAMETER');
    expect(o.headers.get('Public')).toMatch(/GET_PARAMETER/);

    const d = await send(c, 'DESCRIBE', url, { Accept: 'application/sdp' });
    expect(d.status, `${label} DESCRIBE`).toBe(200);
    expect(d.headers.get('Content-Type')).toMatch(/^application\/sdp/);
    const base = d.headers.get('Content-Base')!;
    expect(base, `${label} Content-Base`).toBe(`${url}/`);
    const sdp = sdpTransform.parse(bodyText(d));
    expect(sdp.media.length).toBe(2);

    // SETUP each track at Content-Base + control.
    let session: string | undefined;
    let timeout: number | undefined;
    const tracks: TrackFlow[] = [];
    for (const [i, m] of sdp.media.entries()) {
      expect(m.control, `${label} a=control of media ${i}`).toBeTruthy();
      const setupUrl = controlUrl(base, String(m.control));
      const pt = Number(String(m.payloads).split(' ')[0]);
      const rtpmap = m.rtp.find((r) => r.payload === pt);
      expect(rtpmap, `${label} rtpmap for PT ${pt}`).toBeDefined();
      let offer: string;
      let udp: UdpReceiver | undefined;
      if (lower === 'udp') {
        udp = await udpReceiver();
        receivers.push(udp);
        offer = `RTP/AVP;unicast;client_port=${udp.rtpPort}-${udp.rtcpPort}`;
      } else {
        offer = `RTP/AVP/TCP;unicast;interleaved=${2 * i}-${2 * i + 1}`;
      }
      const s = await send(c, 'SETUP', setupUrl, { Transport: offer, ...(session ? { Session: session } : {}) });
      expect(s.status, `${label} SETUP ${setupUrl}: ${bodyText(s)}`).toBe(200);
      const sh = parseSession(s.headers.get('Session')!);
      if (session) expect(sh.id, `${label}: same session on the second SETUP`).toBe(session);
      session = sh.id;
      timeout = sh.timeout;
      expect(s.headers.get('Session'), `${label}: Session header carries timeout=`).toMatch(/;\s*timeout=\d+/);
      const [tr] = parseTransport(s.headers.get('Transport')!);
      expect(tr, `${label} SETUP Transport reply`).toBeDefined();
      expect(tr!.ssrc, `${label}: Transport reply has ssrc=`).toBeDefined();
      if (lower === 'udp') {
        expect(tr!.lowerTransport).toBe('UDP');
        expect(tr!.clientPort).toEqual([udp!.rtpPort, udp!.rtcpPort]);
        expect(tr!.serverPort, `${label}: Transport reply has server_port=`).toBeDefined();
        expect(tr!.serverPort![0] % 2).toBe(0);
        expect(tr!.serverPort![1]).toBe(tr!.serverPort![0] + 1);
      } else {
        expect(tr!.lowerTransport).toBe('TCP');
        expect(tr!.interleaved, `${label}: Transport reply has interleaved=`).toEqual([2 * i, 2 * i + 1]);
      }
      const rtpCh = tr!.interleaved?.[0];
      const rtcpCh = tr!.interleaved?.[1];
      tracks.push({
        kind: m.type as 'video' | 'audio',
        setupUrl,
        payloadType: pt,
        clockRate: rtpmap!.rate!,
        transport: tr!,
        rtp: () =>
          udp ? udp.rtp : c.frames.filter((f) => f.channel === rtpCh).map((f) => ({ pkt: parseRtpPacket(f.data), at: f.at })),
        rtcp: () =>
          (udp ? udp.rtcp : c.frames.filter((f) => f.channel === rtcpCh)).map((f) => ({ packets: parseRtcpCompound(f.data), at: f.at })),
      });
    }
    expect(timeout, `${label}: Session timeout`).toBeGreaterThan(0);
    expect(tracks.map((t) => t.kind).sort()).toEqual(['audio', 'video']);

    // PLAY on the Content-Base URL, trailing slash and all, from npt 0.000.
    const p = await send(c, 'PLAY', base, { Session: session!, Range: 'npt=0.000-' });
    expect(p.status, `${label} PLAY ${base}: ${bodyText(p)}`).toBe(200);
    expect(p.headers.get('Range'), `${label} PLAY Range`).toMatch(/^npt=0(\.0+)?-/);
    const rtpInfo = parseRtpInfo(p.headers.get('RTP-Info')!);
    expect(rtpInfo.map((e) => e.url), `${label}: RTP-Info url= values are the SETUP URLs`).toEqual(tracks.map((t) => t.setupUrl));
    for (const e of rtpInfo) {
      expect(e.seq, `${label}: RTP-Info seq for ${e.url}`).toBeDefined();
      expect(e.rtptime, `${label}: RTP-Info rtptime for ${e.url}`).toBeDefined();
    }

    // Halfway, VLC's keepalive: GET_PARAMETER on the same URL with the session, empty body.
    await sleep(PLAY_MS / 2);
    const k = await send(c, 'GET_PARAMETER', base, { Session: session! });
    expect(k.status, `${label} GET_PARAMETER keepalive: ${bodyText(k)}`).toBe(200);
    expect(parseSession(k.headers.get('Session')!).id).toBe(session);
    // PLAY_MS of media on both tracks and a sender report on each, however long a loaded machine takes.
    const video = tracks.find((t) => t.kind === 'video')!;
    const audio = tracks.find((t) => t.kind === 'audio')!;
    await waitFor(
      () => new Set(video.rtp().map((r) => r.pkt.timestamp)).size >= (PLAY_MS / 1000) * 30 && audio.rtp().length > 40 && tracks.every((t) => t.rtcp().length > 0),
      60_000,
      `${label}: ${PLAY_MS} ms of media and an SR on each track`,
    );

    tracks.forEach((t, i) => expectFlow(t, rtpInfo[i]!, `${label} ${t.kind}`));

    // SRs name the same wallclock for the same media instant on both tracks: the lip-sync anchor.
    const anchors = tracks.map((t, i) => {
      const srs = senderReports(t, `${label} ${t.kind}`);
      // Wallclock at which the track's RTP-Info rtptime (npt 0) was "now", per SR.
      return srs.map((sr) => sr.ntpMs - ((((sr.rtp - rtpInfo[i]!.rtptime!) | 0) / t.clockRate) * 1000));
    });
    const all = anchors.flat();
    expect(Math.max(...all) - Math.min(...all), `${label}: SR wallclock anchors of npt 0 (ms) ${all.map((x) => x.toFixed(1)).join(', ')}`).toBeLessThan(20);

    // TEARDOWN on the same URL: media stops at once and each track says BYE.
    const t = await send(c, 'TEARDOWN', base, { Session: session! });
    expect(t.status, `${label} TEARDOWN: ${bodyText(t)}`).toBe(200);
    await waitFor(() => tracks.every(byeSeen), 30_000, `${label}: RTCP BYE on every track after TEARDOWN`);
    expect(srv.rtsp.sessions.has(session!), `${label}: the session is gone`).toBe(false);
    if (lower === 'tcp') {
      // Interleaved, the connection keeps the server's order: no RTP after the TEARDOWN answer.
      // (Over UDP no order between the answer and datagrams exists to check.)
      for (const tr of tracks) {
        const ch = tr.transport.interleaved![0];
        expect(c.frames.slice(c.framesBefore(t)).filter((f) => f.channel === ch).length, `${label} ${tr.kind}: RTP after the TEARDOWN answer`).toBe(0);
      }
    }
  } finally {
    c.close();
    for (const r of receivers) r.close();
  }
}

describe.each(['sample.mp4', 'sample.mkv', 'sample.ts'])('VLC (live555) sequence on %s', (file) => {
  it.concurrent.each(['udp', 'tcp'] as const)('over %s', async (lower) => {
    await vlcSequence(file, lower);
  }, 120_000);
});
