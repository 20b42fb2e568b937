// A TCP publisher that goes silent with its connection open (a stopped process, a host gone without closing) is ended at the session timeout and frees its path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRtpPacket } from '../../server/rtp/packet.js';
import { H264_AAC_SDP, RawPublisher } from '../helpers/raw-publisher.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
const opened: { close(): void }[] = [];
beforeAll(async () => {
  srv = await startTestServer({ sessionTimeout: 5 });
});
afterAll(async () => {
  for (const o of opened) o.close();
  await srv.close();
});

describe('a frozen TCP publisher', () => {
  it('regression: is ended at the session timeout (it held its path for ever), and not before', async () => {
    const pub = await RawPublisher.start(srv.rtspPort, srv.url('live/frozen'), H264_AAC_SDP, 2);
    opened.push(pub);
    await pub.send(0, buildRtpPacket({ payloadType: 96, sequenceNumber: 1, timestamp: 0, ssrc: 1, marker: true }, Uint8Array.of(0x41, 1)));
    expect(await pub.sync()).toBe(200);
    const s = srv.rtsp.sessions.get(pub.session)!;
    // On a simulated clock: sweeps are asked what they would do 20 ms short of and past the limit.
    srv.rtsp.sweep(s.lastActivity + 5000 - 20);
    expect(srv.rtsp.sessions.has(pub.session)).toBe(true);
    srv.rtsp.sweep(s.lastActivity + 5000 + 20);
    expect(srv.rtsp.sessions.has(pub.session)).toBe(false);
    expect(srv.paths.liveStreams().some((x) => x.name === 'live/frozen')).toBe(false);
    // The path takes a new publisher.
    const next = await RawPublisher.start(srv.rtspPort, srv.url('live/frozen'), H264_AAC_SDP, 2);
    opened.push(next);
    expect(await next.teardown()).toBe(200);
  });

  it('a TCP reader stays while its connection does, silent or not (the slow-reader rule covers dead ones)', async () => {
    const r = await RawRtspClient.open(srv.rtspPort);
    opened.push(r);
    const setup = await r.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(setup.status).toBe(200);
    const id = setup.headers.get('Session')!.split(';')[0]!;
    expect((await r.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
    const s = srv.rtsp.sessions.get(id)!;
    srv.rtsp.sweep(s.lastActivity + 60_000);
    expect(srv.rtsp.sessions.has(id)).toBe(true);
  });
});
