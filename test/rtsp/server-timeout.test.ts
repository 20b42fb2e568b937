// Session liveness: a UDP session with no requests and no RTCP times out; RTCP alone keeps one alive.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { buildReceiverReport, parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, bodyText, sleep, udpReceiver, type UdpReceiver } from '../helpers/rtsp-client.js';

let srv: TestServer;
beforeAll(async () => {
  // The shortest limit the config allows, so the real-time case takes seconds, not a minute.
  srv = await startTestServer({ sessionTimeout: 5 });
});
afterAll(async () => {
  await srv.close();
});

const opened: { close(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.close();
});

async function playOneTrack(): Promise<{ c: RawRtspClient; id: string; rx: UdpReceiver; ssrc: number; playSentAt: number }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  opened.push(c);
  const rx = await udpReceiver();
  opened.push(rx);
  const s = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=1`, { Transport: `RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}` });
  expect(s.status).toBe(200);
  expect(s.headers.get('Session')).toMatch(/;timeout=\d+$/);
  const id = parseSession(s.headers.get('Session')!).id;
  const ssrc = parseTransport(s.headers.get('Transport')!)[0]!.ssrc!;
  const playSentAt = performance.now();
  expect((await c.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
  return { c, id, rx, ssrc, playSentAt };
}

const byeAt = (rx: UdpReceiver): number | undefined => rx.rtcp.find((r) => parseRtcpCompound(r.data).some((p) => p.type === 'bye'))?.at;

describe('session timeout', () => {
  it('closes a silent UDP session after the limit, with BYE, and then answers 454', async () => {
    // Real time, end to end: the server's own timer finds the session silent and ends it.
    const { c, id, rx, playSentAt } = await playOneTrack();
    await waitFor(() => byeAt(rx) !== undefined, 30_000, 'RTCP BYE after the session timeout');
    // Not before the limit: the PLAY request was the session's last activity.
    expect(byeAt(rx)! - playSentAt).toBeGreaterThanOrEqual(5000);
    expect(srv.rtsp.sessions.has(id)).toBe(false);
    expect(srv.rtsp.pacer.size).toBe(0); // its playback is no longer driven: nothing flows any more
    // What was sent before the BYE drains; then the receiver stays quiet.
    await waitFor(() => performance.now() - (rx.rtp.at(-1)?.at ?? 0) > 500, 20_000, 'RTP to stop');
    const r = await c.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id });
    expect(r.status).toBe(454);
    expect(bodyText(r)).toMatch(/timed out after 5 s/);
  }, 60_000);

  it('keeps a session alive on RTCP receiver reports alone', async () => {
    // On a simulated clock: sweeps are asked what they would do at chosen times after the report.
    const { c, id, rx, ssrc } = await playOneTrack();
    const session = srv.rtsp.sessions.get(id)!;
    const playedAt = session.lastActivity;
    // The report comes measurably later than PLAY, so a sweep time can fall between the two limits.
    await sleep(50);
    const rr = buildReceiverReport({ ssrc: 0x1234, reports: [{ ssrc, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 3, lastSr: 0, delaySinceLastSr: 0 }] });
    rx.rtcpSocket.send(rr, srv.rtpPort + 1, '127.0.0.1');
    await waitFor(() => session.lastActivity > playedAt, 20_000, 'the receiver report to reach the session');
    const reportedAt = session.lastActivity;
    expect(reportedAt - playedAt).toBeGreaterThanOrEqual(40);
    // Past the limit after PLAY, 20 ms short of the limit after the report: only the report keeps it.
    // (Times 20 ms off the limit, as a sum of fractional milliseconds is not exact to the last bit.)
    srv.rtsp.sweep(reportedAt + 5000 - 20);
    expect(srv.rtsp.sessions.has(id)).toBe(true);
    expect((await c.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
    // That request counts as activity too; silence past the limit after it ends the session.
    const askedAt = session.lastActivity;
    srv.rtsp.sweep(askedAt + 5000 - 20);
    expect(srv.rtsp.sessions.has(id)).toBe(true);
    srv.rtsp.sweep(askedAt + 5000 + 20);
    expect(srv.rtsp.sessions.has(id)).toBe(false);
    await waitFor(() => byeAt(rx) !== undefined, 20_000, 'RTCP BYE after the simulated timeout');
    expect(bodyText(await c.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id }))).toMatch(/timed out after 5 s/);
  });
});
