// DESCRIBE of a live path whose publisher sends its H.264 parameter sets only in band: its own fmtp before they are seen (never a 500), the learnt sprop-parameter-sets after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packetizeH264 } from '../../server/rtp/codecs/h264.js';
import { buildRtpPacket } from '../../server/rtp/packet.js';
import { H264_AAC_SDP, RawPublisher } from '../helpers/raw-publisher.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const SPS = Uint8Array.of(0x67, 0x64, 0x00, 0x1e, 0xac, 0xd1, 0x00, 0xa0, 0x2f, 0xf9, 0x70, 0x11);
const PPS = Uint8Array.of(0x68, 0xeb, 0xec, 0xb2, 0x2c);

let srv: TestServer;
const opened: { close(): void }[] = [];
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  for (const o of opened) o.close();
  await srv.close();
});

async function describeSdp(path: string): Promise<{ status: number; sdp: string }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  opened.push(c);
  const r = await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' });
  return { status: r.status, sdp: bodyText(r) };
}

describe('DESCRIBE of an in-band H.264 publisher', () => {
  it('regression: before any parameter set is seen it answers 200 with the publisher fmtp (it answered 500)', async () => {
    const pub = await RawPublisher.start(srv.rtspPort, srv.url('live/inband'), H264_AAC_SDP, 2);
    opened.push(pub);
    const before = await describeSdp('live/inband');
    expect(before.status).toBe(200);
    expect(before.sdp).toContain('a=fmtp:96 packetization-mode=1\r\n');
    expect(before.sdp).not.toContain('sprop-parameter-sets');

    // A reader of access units (HLS) depacketizes the stream; the key frame's SPS/PPS are learnt.
    const playlist = fetch(srv.httpUrl('live/inband/index.m3u8')).catch(() => undefined);
    await waitFor(() => srv.paths.liveStreams().some((s) => s.name === 'live/inband' && s.readerCount > 0), 20_000, 'the HLS muxer to attach');
    let seq = 0;
    const key = packetizeH264([SPS, PPS, Uint8Array.of(0x65, 1, 2, 3)], 1200);
    for (const [i, payload] of key.entries()) {
      await pub.send(0, buildRtpPacket({ payloadType: 96, sequenceNumber: seq++, timestamp: 9000, ssrc: 7, marker: i === key.length - 1 }, payload));
    }
    await pub.send(0, buildRtpPacket({ payloadType: 96, sequenceNumber: seq++, timestamp: 12000, ssrc: 7, marker: true }, Uint8Array.of(0x41, 9)));
    expect(await pub.sync()).toBe(200);
    const after = await describeSdp('live/inband');
    expect(after.status).toBe(200);
    expect(after.sdp).toMatch(/a=fmtp:96 packetization-mode=1;profile-level-id=64001e;sprop-parameter-sets=Z2QAHqzRAKAv\+XAR,aOvssiw=/);
    await pub.teardown();
    await playlist;
  });
});
