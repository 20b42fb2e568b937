// Session liveness: a UDP session with no requests and no RTCP times out; RTCP alone keeps one alive.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { buildReceiverReport, parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, bodyText, udpReceiver, sleep } from '../helpers/rtsp-client.js';

let srv: TestServer;
beforeAll(async () => {
  // The shortest limit the config allows, so the test takes seconds, not a minute.
  srv = await startTestServer({ sessionTimeout: 5 });
});
afterAll(async () => {
  await srv.close();
});

async function playOneTrack(): Promise<{ c: RawRtspClient; id: string; rx: Awaited<ReturnType<typeof udpReceiver>>; ssrc: number }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  const rx = await udpReceiver();
  const s = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=1`, { Transport: `RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}` });
  expect(s.status).toBe(200);
  expect(s.headers.get('Session')).toMatch(/;timeout=\d+$/);
  const id = parseSession(s.headers.get('Session')!).id;
  const ssrc = parseTransport(s.headers.get('Transport')!)[0]!.ssrc!;
  expect((await c.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
  return { c, id, rx, ssrc };
}

describe('session timeout', () => {
  it('closes a silent UDP session after the limit, with BYE, and then answers 454', async () => {
    const { c, id, rx } = await playOneTrack();
    await sleep(7000);
    const countThen = rx.rtp.length;
    await sleep(400);
    expect(rx.rtp.length).toBe(countThen); // nothing flows any more
    const bye = rx.rtcp.flatMap((r) => parseRtcpCompound(r.data)).some((p) => p.type === 'bye');
    expect(bye).toBe(true);
    const r = await c.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id });
    expect(r.status).toBe(454);
    expect(bodyText(r)).toMatch(/timed out after 5 s/);
    c.close();
    rx.close();
  }, 20_000);

  it('keeps a session alive on RTCP receiver reports alone', async () => {
    const { c, id, rx, ssrc } = await playOneTrack();
    const rr = buildReceiverReport({ ssrc: 0x1234, reports: [{ ssrc, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 3, lastSr: 0, delaySinceLastSr: 0 }] });
    for (let i = 0; i < 4; i++) {
      await sleep(2000);
      rx.rtcpSocket.send(rr, srv.rtpPort + 1, '127.0.0.1');
    }
    const r = await c.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id });
    expect(r.status).toBe(200);
    c.close();
    rx.close();
  }, 20_000);
});
