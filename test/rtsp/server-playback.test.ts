// Raw-socket tests of on-demand playback: seek, pause/resume continuity, end of stream, state checks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseRange } from '../../server/rtsp/headers/range.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, udpReceiver, sleep, bodyText, type UdpReceiver } from '../helpers/rtsp-client.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

interface Setup {
  c: RawRtspClient;
  session: string;
  base: string;
  video: UdpReceiver;
  audio: UdpReceiver;
}

async function setupUdp(path = 'sample.mp4'): Promise<Setup> {
  const c = await RawRtspClient.open(srv.rtspPort);
  const d = await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' });
  expect(d.status).toBe(200);
  const base = d.headers.get('Content-Base')!;
  const video = await udpReceiver();
  const audio = await udpReceiver();
  const s1 = await c.request('SETUP', `${base}trackID=0`, { Transport: `RTP/AVP;unicast;client_port=${video.rtpPort}-${video.rtcpPort}` });
  expect(s1.status).toBe(200);
  const session = parseSession(s1.headers.get('Session')!).id;
  const s2 = await c.request('SETUP', `${base}trackID=1`, { Transport: `RTP/AVP;unicast;client_port=${audio.rtpPort}-${audio.rtcpPort}`, Session: session });
  expect(s2.status).toBe(200);
  return { c, session, base, video, audio };
}

const close = (s: Setup): void => {
  s.c.close();
  s.video.close();
  s.audio.close();
};

describe('seek with Range', () => {
  it('starts at the key frame at or before npt=10 and RTP-Info matches the first packets', async () => {
    const s = await setupUdp();
    const p0 = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=0-' });
    expect(p0.status).toBe(200);
    const info0 = parseRtpInfo(p0.headers.get('RTP-Info')!);
    const start0 = parseRange(p0.headers.get('Range')!).start as number;
    await sleep(300);
    const p10 = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=10-' });
    expect(p10.status).toBe(200);
    const range = parseRange(p10.headers.get('Range')!);
    const start10 = range.start as number;
    // sample.mp4 has a key frame every 2 s (plus 21 ms of AAC priming ahead of the first picture).
    expect(start10).toBeGreaterThan(9.9);
    expect(start10).toBeLessThanOrEqual(10.1);
    expect(range.end).toBeCloseTo(20, 0);
    const info10 = parseRtpInfo(p10.headers.get('RTP-Info')!);
    expect(info10.map((i) => i.url)).toEqual([`${s.base}trackID=0`, `${s.base}trackID=1`]);
    // rtptime moved by exactly the npt difference in each track's clock.
    const dv = (info10[0]!.rtptime! - info0[0]!.rtptime!) >>> 0;
    expect(dv / 90000).toBeCloseTo(start10 - start0, 2);
    const da = (info10[1]!.rtptime! - info0[1]!.rtptime!) >>> 0;
    expect(da / 48000).toBeCloseTo(start10 - start0, 2);
    await sleep(500);
    // Packets are told apart by seq, not arrival time: the answer and the first packets race.
    const vi = s.video.rtp.findIndex((r) => r.pkt.sequenceNumber === info10[0]!.seq);
    const ai = s.audio.rtp.findIndex((r) => r.pkt.sequenceNumber === info10[1]!.seq);
    expect(vi).toBeGreaterThan(0);
    expect(ai).toBeGreaterThan(0);
    const vAfter = s.video.rtp.slice(vi);
    const aAfter = s.audio.rtp.slice(ai);
    expect(vAfter.length).toBeGreaterThan(10);
    // The first packet after the seek carries RTP-Info's seq, and for video the key frame's timestamp.
    expect(vAfter[0]!.pkt.timestamp).toBe(info10[0]!.rtptime);
    const aDelta = (aAfter[0]!.pkt.timestamp - info10[1]!.rtptime!) >>> 0;
    expect(aDelta).toBeLessThan(1024);
    // Nothing from before the seek follows it: the packets after it continue in order.
    for (let i = 1; i < vAfter.length; i++) expect((vAfter[i]!.pkt.sequenceNumber - vAfter[i - 1]!.pkt.sequenceNumber) & 0xffff).toBe(1);
    // The first video NAL after a seek is decodable: SPS/PPS/IDR (in a STAP-A or alone).
    const nalType = vAfter[0]!.pkt.payload[0]! & 0x1f;
    expect([5, 7, 24, 28]).toContain(nalType);
    close(s);
  });

  it('refuses a range past the end with 457 and a reason', async () => {
    const s = await setupUdp();
    const r = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=45-' });
    expect(r.status).toBe(457);
    expect(bodyText(r)).toMatch(/after the end of \/sample\.mp4 \(20\.\d+ s\)/);
    close(s);
  });
});

describe('pause and resume', () => {
  it('stops sending while paused and resumes with continuous seq and timestamps', async () => {
    const s = await setupUdp();
    const p = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=0.000-' });
    expect(p.status).toBe(200);
    await sleep(1500);
    const pause = await s.c.request('PAUSE', s.base, { Session: s.session });
    expect(pause.status).toBe(200);
    await sleep(150);
    const before = s.video.rtp.length;
    const lastV = s.video.rtp[before - 1]!.pkt;
    const lastA = s.audio.rtp[s.audio.rtp.length - 1]!.pkt;
    await sleep(2000);
    expect(s.video.rtp.length).toBe(before); // nothing while paused
    const resume = await s.c.request('PLAY', s.base, { Session: s.session });
    expect(resume.status).toBe(200);
    const info = parseRtpInfo(resume.headers.get('RTP-Info')!);
    await sleep(800);
    const firstV = s.video.rtp[before]!.pkt;
    expect(firstV.sequenceNumber).toBe((lastV.sequenceNumber + 1) & 0xffff);
    expect(info[0]!.seq).toBe(firstV.sequenceNumber);
    // Timestamps continue the media timeline: the 2 s pause does not appear in them.
    const tsGap = ((firstV.timestamp - lastV.timestamp) | 0) / 90000;
    expect(tsGap).toBeGreaterThan(-0.2); // B-frames: pts order differs from send order
    expect(tsGap).toBeLessThan(0.3);
    const aIdx = s.audio.rtp.findIndex((r) => r.pkt.sequenceNumber === ((lastA.sequenceNumber + 1) & 0xffff));
    expect(aIdx).toBeGreaterThan(0);
    const aGap = ((s.audio.rtp[aIdx]!.pkt.timestamp - lastA.timestamp) | 0) / 48000;
    expect(aGap).toBeGreaterThan(0);
    expect(aGap).toBeLessThan(0.1);
    // Sequence numbers have no gap over the whole run.
    const seqs = s.video.rtp.map((r) => r.pkt.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);
    close(s);
  });
});

describe('end of stream', () => {
  it('sends RTCP BYE at the end and keeps the session until TEARDOWN', async () => {
    const s = await setupUdp();
    const p = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=18.5-' });
    expect(p.status).toBe(200);
    await sleep(2500);
    const byes = s.video.rtcp.flatMap((r) => parseRtcpCompound(r.data)).filter((x) => x.type === 'bye');
    expect(byes.length).toBe(1);
    const keep = await s.c.request('GET_PARAMETER', s.base, { Session: s.session });
    expect(keep.status).toBe(200);
    const again = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=5-' });
    expect(again.status).toBe(200);
    const td = await s.c.request('TEARDOWN', s.base, { Session: s.session });
    expect(td.status).toBe(200);
    const gone = await s.c.request('GET_PARAMETER', s.base, { Session: s.session });
    expect(gone.status).toBe(454);
    close(s);
  });
});

describe('session state machine', () => {
  it('answers 455 for PLAY before SETUP and SETUP while playing', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    const r = await c.request('PLAY', srv.url('sample.mp4'));
    expect(r.status).toBe(455);
    expect(bodyText(r)).toMatch(/SETUP/);
    c.close();
    const s = await setupUdp();
    await s.c.request('PLAY', s.base, { Session: s.session });
    const again = await s.c.request('SETUP', `${s.base}trackID=1`, { Session: s.session, Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3' });
    expect(again.status).toBe(455);
    expect(bodyText(again)).toMatch(/while playing/);
    close(s);
  });

  it('refuses to send RTP to a destination other than the client', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    const r = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, {
      Transport: 'RTP/AVP;unicast;destination=203.0.113.9;client_port=5000-5001',
    });
    expect(r.status).toBe(461);
    expect(bodyText(r)).toMatch(/destination=203\.0\.113\.9/);
    c.close();
  });

  it('serves TCP interleaved with channels from the Transport reply', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    const base = `${srv.url('sample.mkv')}/`;
    const s1 = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast' });
    expect(s1.status).toBe(200);
    const t1 = parseTransport(s1.headers.get('Transport')!)[0]!;
    expect(t1.lowerTransport).toBe('TCP');
    expect(t1.interleaved).toEqual([0, 1]);
    const session = parseSession(s1.headers.get('Session')!).id;
    const s2 = await c.request('SETUP', `${base}trackID=1`, { Transport: 'RTP/AVP/TCP;unicast', Session: session });
    expect(parseTransport(s2.headers.get('Transport')!)[0]!.interleaved).toEqual([2, 3]);
    const p = await c.request('PLAY', base, { Session: session });
    expect(p.status).toBe(200);
    await sleep(1000);
    const v = c.rtpOn(0);
    const a = c.rtpOn(2);
    expect(v.length).toBeGreaterThan(20);
    expect(a.length).toBeGreaterThan(30);
    expect(v[0]!.ssrc).toBe(t1.ssrc);
    expect(a[0]!.payloadType).toBe(97);
    c.close();
  });
});
