// A person at a telnet prompt: bare-LF requests, readable errors, and a whole session typed by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sdpTransform from 'sdp-transform';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, bodyText, udpReceiver } from '../helpers/rtsp-client.js';

let srv: TestServer;
let c: RawRtspClient;
beforeAll(async () => {
  srv = await startTestServer();
  c = await RawRtspClient.open(srv.rtspPort);
});
afterAll(async () => {
  c.close();
  await srv.close();
});

describe('typed by hand with bare LF', () => {
  it('answers DESCRIBE with the SDP', async () => {
    const r = await c.raw(`DESCRIBE rtsp://localhost:${srv.rtspPort}/sample.mp4 RTSP/1.0\nCSeq: 1\n\n`);
    expect(r.status).toBe(200);
    expect(r.headers.get('CSeq')).toBe('1');
    expect(r.headers.get('Content-Type')).toBe('application/sdp');
    expect(r.headers.get('Content-Base')).toBe(`rtsp://localhost:${srv.rtspPort}/sample.mp4/`);
    const sdp = sdpTransform.parse(bodyText(r));
    expect(sdp.media.map((m) => [m.type, m.control, m.rtp[0]!.codec])).toEqual([
      ['video', 'trackID=0', 'H264'],
      ['audio', 'trackID=1', 'MPEG4-GENERIC'],
    ]);
    expect(bodyText(r)).toMatch(/^a=range:npt=0-20\.0\d\d\r?$/m);
  });

  it('answers a line of garbage at once with 400 and a reason in words', async () => {
    const r = await c.raw('hello\n');
    expect(r.status).toBe(400);
    expect(bodyText(r)).toMatch(/request line "hello".*expected METHOD URI RTSP\/1\.0/i);
  });

  it('names the methods it has when the method is unknown (501)', async () => {
    const r = await c.raw('FETCH rtsp://localhost/sample.mp4 RTSP/1.0\nCSeq: 2\n\n');
    expect(r.status).toBe(501);
    expect(r.headers.get('CSeq')).toBe('2');
    expect(bodyText(r)).toMatch(/FETCH is not implemented; this server implements OPTIONS, DESCRIBE/);
  });

  it('says what to add when CSeq is missing (400)', async () => {
    const r = await c.raw('OPTIONS rtsp://localhost/ RTSP/1.0\n\n');
    expect(r.status).toBe(400);
    expect(r.headers.has('CSeq')).toBe(false);
    expect(bodyText(r)).toMatch(/missing CSeq header.*"CSeq: 1"/);
  });

  it('says which files exist for an unknown path (404)', async () => {
    const r = await c.raw('DESCRIBE rtsp://localhost/nope.mp4 RTSP/1.0\nCSeq: 3\n\n');
    expect(r.status).toBe(404);
    expect(bodyText(r)).toMatch(/no stream at \/nope\.mp4.*available: .*\/sample\.mp4/);
  });

  it('refuses another RTSP version with 505', async () => {
    const r = await c.raw('OPTIONS * RTSP/2.0\nCSeq: 4\n\n');
    expect(r.status).toBe(505);
    expect(bodyText(r)).toMatch(/RTSP\/1\.0/);
  });

  it('answers RTSP/0.0 as 1.0 (GStreamer rtspsrc playing a handed description sends it; test/interop/sdp-sap.test.ts)', async () => {
    const r = await c.raw('OPTIONS * RTSP/0.0\nCSeq: 4\n\n');
    expect(r.status).toBe(200);
  });

  it('explains a session that is gone (454)', async () => {
    const r = await c.raw('PLAY rtsp://localhost/sample.mp4 RTSP/1.0\nCSeq: 5\nSession: 0123456789abcdef\n\n');
    expect(r.status).toBe(454);
    expect(bodyText(r)).toMatch(/session 0123456789abcdef not found: it timed out after 60 s .*or was torn down/);
  });

  it('plays a whole session from OPTIONS to TEARDOWN and records the transcript', async () => {
    const t = await RawRtspClient.open(srv.rtspPort);
    const rx = await udpReceiver().catch((e: unknown) => {
      t.close();
      throw e;
    });
    try {
      const url = `rtsp://localhost:${srv.rtspPort}/sample.mp4`;
      const typed: string[] = [];
      const say = async (text: string): Promise<ReturnType<RawRtspClient['raw']>> => {
        typed.push(text);
        return t.raw(text);
      };
      expect((await say(`OPTIONS ${url} RTSP/1.0\nCSeq: 1\n\n`)).headers.get('Public')).toMatch(/GET_PARAMETER/);
      expect((await say(`DESCRIBE ${url} RTSP/1.0\nCSeq: 2\n\n`)).status).toBe(200);
      const setup = await say(`SETUP ${url}/trackID=0 RTSP/1.0\nCSeq: 3\nTransport: RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}\n\n`);
      expect(setup.status).toBe(200);
      const id = setup.headers.get('Session')!.split(';')[0]!;
      expect(setup.headers.get('Session')).toBe(`${id};timeout=55`);
      expect((await say(`PLAY ${url} RTSP/1.0\nCSeq: 4\nSession: ${id}\nRange: npt=5-\n\n`)).status).toBe(200);
      await waitFor(() => rx.rtp.length > 5, 20_000, 'RTP from the typed PLAY');
      expect((await say(`GET_PARAMETER ${url} RTSP/1.0\nCSeq: 5\nSession: ${id}\n\n`)).status).toBe(200);
      expect((await say(`PAUSE ${url} RTSP/1.0\nCSeq: 6\nSession: ${id}\n\n`)).status).toBe(200);
      expect((await say(`TEARDOWN ${url} RTSP/1.0\nCSeq: 7\nSession: ${id}\n\n`)).status).toBe(200);
      // The transcript in README.md is this exchange; keep a fresh copy as a test artifact.
      mkdirSync('test-artifacts', { recursive: true });
      const received = t.text.join('');
      writeFileSync('test-artifacts/telnet-transcript.txt', `--- typed ---\n${typed.join('')}--- received ---\n${received.replace(/\r\n/g, '\n')}`);
    } finally {
      t.close();
      rx.close();
    }
  });
});
