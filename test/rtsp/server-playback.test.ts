// Raw-socket tests of on-demand playback: seek, pause/resume continuity, end of stream, state checks.
// Packet-exact checks run over TCP interleaved: one connection keeps the server's order of answers
// and packets and loses nothing, where UDP on a busy loopback may drop a datagram.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseRange } from '../../server/rtsp/headers/range.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, udpReceiver, sleep, bodyText, type UdpReceiver } from '../helpers/rtsp-client.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

/** Clients and receivers a test opened: closed after it, passed or failed. */
const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

async function client(): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(srv.rtspPort);
  opened.push(c);
  return c;
}

interface Setup {
  c: RawRtspClient;
  session: string;
  base: string;
  video: UdpReceiver;
  audio: UdpReceiver;
}

async function setupUdp(path = 'sample.mp4'): Promise<Setup> {
  const c = await client();
  const d = await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' });
  expect(d.status).toBe(200);
  const base = d.headers.get('Content-Base')!;
  const video = await udpReceiver();
  opened.push(video);
  const audio = await udpReceiver();
  opened.push(audio);
  const s1 = await c.request('SETUP', `${base}trackID=0`, { Transport: `RTP/AVP;unicast;client_port=${video.rtpPort}-${video.rtcpPort}` });
  expect(s1.status).toBe(200);
  const session = parseSession(s1.headers.get('Session')!).id;
  const s2 = await c.request('SETUP', `${base}trackID=1`, { Transport: `RTP/AVP;unicast;client_port=${audio.rtpPort}-${audio.rtcpPort}`, Session: session });
  expect(s2.status).toBe(200);
  return { c, session, base, video, audio };
}

/** Video RTP/RTCP on channels 0/1, audio on 2/3. */
const V = 0;
const V_RTCP = 1;
const A = 2;

async function setupTcp(path = 'sample.mp4'): Promise<{ c: RawRtspClient; session: string; base: string }> {
  const c = await client();
  const d = await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' });
  expect(d.status).toBe(200);
  const base = d.headers.get('Content-Base')!;
  const s1 = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s1.status).toBe(200);
  const session = parseSession(s1.headers.get('Session')!).id;
  const s2 = await c.request('SETUP', `${base}trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: session });
  expect(s2.status).toBe(200);
  return { c, session, base };
}

const byes = (c: RawRtspClient, channel: number, to = c.frames.length): number =>
  c.frames.slice(0, to).filter((f) => f.channel === channel).flatMap((f) => parseRtcpCompound(f.data)).filter((x) => x.type === 'bye').length;

describe('seek with Range', () => {
  it('starts at the key frame at or before npt=10 and RTP-Info matches the first packets', async () => {
    const s = await setupTcp();
    const p0 = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=0-' });
    expect(p0.status).toBe(200);
    const info0 = parseRtpInfo(p0.headers.get('RTP-Info')!);
    const start0 = parseRange(p0.headers.get('Range')!).start as number;
    await waitFor(() => s.c.rtpOn(V).length >= 10, 20_000, 'video packets from npt=0');
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
    // On one connection the packets after the answer are the seek's: the first carries RTP-Info's seq.
    const cut = s.c.framesBefore(p10);
    await waitFor(() => s.c.rtpOn(V, cut).length > 10 && s.c.rtpOn(A, cut).length > 0, 20_000, 'packets after the seek');
    const vBefore = s.c.rtpOn(V, 0, cut);
    const vAfter = s.c.rtpOn(V, cut);
    const aAfter = s.c.rtpOn(A, cut);
    expect(vBefore.length).toBeGreaterThan(0);
    expect(vAfter[0]!.sequenceNumber).toBe(info10[0]!.seq);
    expect(aAfter[0]!.sequenceNumber).toBe(info10[1]!.seq);
    // The first packet after the seek carries RTP-Info's seq, and for video the key frame's timestamp.
    expect(vAfter[0]!.timestamp).toBe(info10[0]!.rtptime);
    const aDelta = (aAfter[0]!.timestamp - info10[1]!.rtptime!) >>> 0;
    expect(aDelta).toBeLessThan(1024);
    // Nothing from before the seek follows it: the packets after it continue in order.
    for (let i = 1; i < vAfter.length; i++) expect((vAfter[i]!.sequenceNumber - vAfter[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
    // The first video NAL after a seek is decodable: SPS/PPS/IDR (in a STAP-A or alone).
    const nalType = vAfter[0]!.payload[0]! & 0x1f;
    expect([5, 7, 24, 28]).toContain(nalType);
  });

  it('refuses a range past the end with 457 and a reason', async () => {
    const s = await setupUdp();
    const r = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=45-' });
    expect(r.status).toBe(457);
    expect(bodyText(r)).toMatch(/after the end of \/sample\.mp4 \(20\.\d+ s\)/);
  });
});

describe('pause and resume', () => {
  it('stops sending while paused and resumes with continuous seq and timestamps', async () => {
    const s = await setupTcp();
    const p = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=0.000-' });
    expect(p.status).toBe(200);
    await waitFor(() => s.c.rtpOn(V).length >= 20 && s.c.rtpOn(A).length >= 5, 20_000, 'video and audio packets');
    const pause = await s.c.request('PAUSE', s.base, { Session: s.session });
    expect(pause.status).toBe(200);
    const paused = s.c.framesBefore(pause);
    const lastV = s.c.rtpOn(V, 0, paused).at(-1)!;
    const lastA = s.c.rtpOn(A, 0, paused).at(-1)!;
    // Real time passes while paused; the media timeline must not show it.
    await sleep(1000);
    const resume = await s.c.request('PLAY', s.base, { Session: s.session });
    expect(resume.status).toBe(200);
    // Nothing while paused: no packet between the PAUSE answer and the PLAY answer.
    expect(s.c.framesBefore(resume)).toBe(paused);
    const info = parseRtpInfo(resume.headers.get('RTP-Info')!);
    await waitFor(() => s.c.rtpOn(V, paused).length > 0 && s.c.rtpOn(A, paused).length > 0, 20_000, 'packets after the resume');
    const firstV = s.c.rtpOn(V, paused)[0]!;
    const firstA = s.c.rtpOn(A, paused)[0]!;
    expect(firstV.sequenceNumber).toBe((lastV.sequenceNumber + 1) & 0xffff);
    expect(info[0]!.seq).toBe(firstV.sequenceNumber);
    // Timestamps continue the media timeline: the pause does not appear in them.
    const tsGap = ((firstV.timestamp - lastV.timestamp) | 0) / 90000;
    expect(tsGap).toBeGreaterThan(-0.2); // B-frames: pts order differs from send order
    expect(tsGap).toBeLessThan(0.3);
    expect(firstA.sequenceNumber).toBe((lastA.sequenceNumber + 1) & 0xffff);
    const aGap = ((firstA.timestamp - lastA.timestamp) | 0) / 48000;
    expect(aGap).toBeGreaterThan(0);
    expect(aGap).toBeLessThan(0.1);
    // Sequence numbers have no gap over the whole run.
    for (const ch of [V, A]) {
      const seqs = s.c.rtpOn(ch).map((r) => r.sequenceNumber);
      for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);
    }
  });
});

describe('end of stream', () => {
  it('sends RTCP BYE at the end and keeps the session until TEARDOWN', async () => {
    const s = await setupTcp();
    const p = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=18.5-' });
    expect(p.status).toBe(200);
    await waitFor(() => byes(s.c, V_RTCP) > 0, 30_000, 'RTCP BYE at the end of the file');
    const keep = await s.c.request('GET_PARAMETER', s.base, { Session: s.session });
    expect(keep.status).toBe(200);
    // One BYE, and the session is still there.
    expect(byes(s.c, V_RTCP, s.c.framesBefore(keep))).toBe(1);
    const again = await s.c.request('PLAY', s.base, { Session: s.session, Range: 'npt=5-' });
    expect(again.status).toBe(200);
    const td = await s.c.request('TEARDOWN', s.base, { Session: s.session });
    expect(td.status).toBe(200);
    const gone = await s.c.request('GET_PARAMETER', s.base, { Session: s.session });
    expect(gone.status).toBe(454);
  });
});

describe('session state machine', () => {
  it('answers 455 for PLAY before SETUP and SETUP while playing', async () => {
    const c = await client();
    const r = await c.request('PLAY', srv.url('sample.mp4'));
    expect(r.status).toBe(455);
    expect(bodyText(r)).toMatch(/SETUP/);
    const s = await setupUdp();
    await s.c.request('PLAY', s.base, { Session: s.session });
    const again = await s.c.request('SETUP', `${s.base}trackID=1`, { Session: s.session, Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3' });
    expect(again.status).toBe(455);
    expect(bodyText(again)).toMatch(/while playing/);
  });

  it('refuses to send RTP to a destination other than the client', async () => {
    const c = await client();
    const r = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, {
      Transport: 'RTP/AVP;unicast;destination=203.0.113.9;client_port=5000-5001',
    });
    expect(r.status).toBe(461);
    expect(bodyText(r)).toMatch(/destination=203\.0\.113\.9/);
  });

  it('serves TCP interleaved with channels from the Transport reply', async () => {
    const c = await client();
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
    await waitFor(() => c.rtpOn(0).length > 20 && c.rtpOn(2).length > 30, 20_000, 'video and audio packets');
    const v = c.rtpOn(0);
    const a = c.rtpOn(2);
    expect(v[0]!.ssrc).toBe(t1.ssrc);
    expect(a[0]!.payloadType).toBe(97);
  });
});
