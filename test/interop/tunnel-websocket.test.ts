// RTSP over WebSocket with the `ws` package as the client: file and live playback, RTCP both ways, PAUSE/PLAY, TEARDOWN, 461 for UDP, bad input, slow readers.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { AacDepacketizer } from '../../server/rtp/codecs/aac.js';
import type { DepacketizedFrame } from '../../server/rtp/codecs/frame.js';
import { H264Depacketizer, isH264KeyFrame } from '../../server/rtp/codecs/h264.js';
import { buildReceiverReport, parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { bodyText, sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { prng } from '../helpers/prng.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';

const QUEUE = 256 * 1024;
let srv: TestServer;
let wsUrl: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  srv = await startTestServer({ tcpQueueBytes: QUEUE, slowReaderTimeout: 3 });
  wsUrl = `ws://127.0.0.1:${srv.httpPort}/rtsp`;
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await srv?.close();
});

/** A client for one test: closed when the test finishes, passed or failed. */
async function openWs(...args: Parameters<typeof WsRtspClient.open>): Promise<WsRtspClient> {
  const c = await WsRtspClient.open(...args);
  onTestFinished(() => c.ws.terminate());
  return c;
}

/** Waits until `cond` holds, polling; fails with `what` after `ms`. */
async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** SETUP of video (0-1) and audio (2-3) interleaved, then PLAY; returns the session id. */
async function setupAndPlay(c: WsRtspClient, base: string, extra: Record<string, string> = {}): Promise<string> {
  const s0 = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s0.status, bodyText(s0)).toBe(200);
  expect(s0.headers.get('Transport')).toContain('interleaved=0-1');
  const id = parseSession(s0.headers.get('Session')!).id;
  const s1 = await c.request('SETUP', `${base}trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: id });
  expect(s1.status, bodyText(s1)).toBe(200);
  const p = await c.request('PLAY', base, { Session: id, ...extra });
  expect(p.status, bodyText(p)).toBe(200);
  return id;
}

function depacketize(c: WsRtspClient, channel: number, d: { push: H264Depacketizer['push'] }): DepacketizedFrame[] {
  return c.rtpOn(channel).flatMap((p) => d.push(p));
}

describe('RTSP over WebSocket: a file', () => {
  it('OPTIONS, DESCRIBE, SETUP interleaved, PLAY: RTP decodes, SR arrives, RR is taken, one message per response or frame', async () => {
    const c = await openWs(wsUrl, ['rtsp']);
    expect(c.ws.protocol).toBe('rtsp');
    const url = srv.url('sample.mp4');
    const o = await c.request('OPTIONS', url);
    expect(o.status).toBe(200);
    expect(o.headers.get('Public')).toContain('GET_PARAMETER');
    // A text message works as well as a binary one.
    const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' }, false);
    expect(d.status).toBe(200);
    expect(bodyText(d)).toContain('H264');
    const id = await setupAndPlay(c, `${url}/`);
    await until(() => c.rtpOn(0).length > 60 && c.rtpOn(2).length > 20, 'video and audio RTP');
    await until(() => c.frames.some((f) => f.channel === 1), 'an RTCP sender report');

    const video = depacketize(c, 0, new H264Depacketizer());
    expect(video.length).toBeGreaterThan(10);
    expect(isH264KeyFrame(video[0]!.data)).toBe(true);
    expect(video.every((f) => !f.damaged)).toBe(true);
    const audio = depacketize(c, 2, new AacDepacketizer());
    expect(audio.length).toBeGreaterThan(10);
    const seqs = c.rtpOn(0).map((p) => p.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);

    const sr = parseRtcpCompound(c.frames.find((f) => f.channel === 1)!.data).find((p) => p.type === 'sr');
    expect(sr?.type === 'sr' && sr.ssrc).toBe(c.rtpOn(0)[0]!.ssrc);

    // A receiver report from the client, `$`-framed on channel 1, reaches the session.
    const rr = buildReceiverReport({ ssrc: 0x1234, reports: [{ ssrc: c.rtpOn(0)[0]!.ssrc, fractionLost: 3, cumulativeLost: 7, highestSeq: seqs.at(-1)!, jitter: 11, lastSr: 0, delaySinceLastSr: 0 }] });
    const framed = new Uint8Array(4 + rr.length);
    framed.set([0x24, 1, rr.length >> 8, rr.length & 0xff]);
    framed.set(rr, 4);
    c.ws.send(framed);
    const session = srv.rtsp.sessions.get(id)!;
    await until(() => session.tracks.get(0)?.rr?.cumulativeLost === 7, 'the receiver report on the session');

    expect(c.badMessages).toEqual([]);
    const t = await c.request('TEARDOWN', `${url}/`, { Session: id });
    expect(t.status).toBe(200);
    expect(srv.rtsp.sessions.has(id)).toBe(false);
    c.close();
  }, 90_000);

  it('PAUSE stops RTP, PLAY resumes with continuous sequence numbers', async () => {
    const c = await openWs(wsUrl, 'rtsp');
    const base = `${srv.url('sample.mp4')}/`;
    const id = await setupAndPlay(c, base);
    await until(() => c.rtpOn(0).length > 30, 'video RTP');
    const pause = await c.request('PAUSE', base, { Session: id });
    expect(pause.status).toBe(200);
    // Everything sent before the PAUSE answer came before it on the socket: nothing may follow it.
    const atPause = c.rtpOn(0).length;
    const lastSeq = c.rtpOn(0).at(-1)!.sequenceNumber;
    await sleep(800);
    expect(c.rtpOn(0).length).toBe(atPause);
    const play = await c.request('PLAY', base, { Session: id });
    expect(play.status).toBe(200);
    await until(() => c.rtpOn(0).length > atPause + 10, 'video RTP after the second PLAY');
    expect(c.rtpOn(0)[atPause]!.sequenceNumber).toBe((lastSeq + 1) & 0xffff);
    expect(c.badMessages).toEqual([]);
    c.close();
  }, 90_000);

  it('works without a subprotocol; closing the WebSocket tears the session down', async () => {
    const c = await openWs(wsUrl);
    expect(c.ws.protocol).toBe('');
    const id = await setupAndPlay(c, `${srv.url('sample.mp4')}/`);
    await until(() => c.rtpOn(0).length > 5, 'video RTP');
    expect(srv.rtsp.sessions.has(id)).toBe(true);
    c.close();
    await until(() => !srv.rtsp.sessions.has(id), 'the session to end with its WebSocket');
  }, 90_000);

  it.each([
    { offered: ['rtsp'], picked: 'rtsp' },
    { offered: ['binary'], picked: 'binary' },
    { offered: ['binary', 'rtsp'], picked: 'rtsp' },
    { offered: undefined, picked: '' },
  ])('offered subprotocols $offered: answers "$picked" and plays', async ({ offered, picked }) => {
    const c = await openWs(wsUrl, offered);
    expect(c.ws.protocol).toBe(picked);
    await setupAndPlay(c, `${srv.url('sample.mp4')}/`);
    await until(() => c.rtpOn(0).length > 5, 'video RTP');
    expect(c.badMessages).toEqual([]);
  }, 60_000);

  it('SETUP asking for UDP gets 461 saying to use RTP/AVP/TCP', async () => {
    const c = await openWs(wsUrl, 'rtsp');
    const r = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=5000-5001' });
    expect(r.status).toBe(461);
    expect(bodyText(r)).toContain('RTP/AVP/TCP');
    expect(bodyText(r)).toContain('WebSocket');
    const m = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;multicast' });
    expect(m.status).toBe(461);
    c.close();
  });
});

describe('RTSP over WebSocket: bad input', () => {
  it('garbage gets 400 and the server keeps serving another client', async () => {
    const other = await openWs(wsUrl, 'rtsp');
    const id = await setupAndPlay(other, `${srv.url('sample.mp4')}/`);
    const bad = await openWs(wsUrl, 'rtsp');
    const r = await bad.raw('HELLO\r\n\r\n');
    expect(r.status).toBe(400);
    expect(bodyText(r)).toMatch(/expected METHOD URI RTSP\/1.0/);
    const junk = new Uint8Array(300);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 37) & 0xff;
    const j = await bad.raw(Buffer.concat([junk, Buffer.from('\r\n\r\n')]));
    expect(j.status).toBe(400);
    // The parser resynchronises after the blank line: the same connection still works.
    let o = await bad.request('OPTIONS', srv.url('sample.mp4'));
    while (o.headers.get('CSeq') !== String(bad.cseq)) o = await bad.next();
    expect(o.status).toBe(200);
    // Lost framing (a Content-Length that is not a number) is fatal: 400, then a close with the reason.
    const fatal = await bad.raw('OPTIONS * RTSP/1.0\r\nCSeq: 9\r\nContent-Length: many\r\n\r\n');
    expect(fatal.status).toBe(400);
    const closed = await bad.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toContain('Content-Length');
    const before = other.rtpOn(0).length;
    await until(() => other.rtpOn(0).length > before + 10, 'the other client to keep receiving');
    expect((await other.request('GET_PARAMETER', `${srv.url('sample.mp4')}/`, { Session: id })).status).toBe(200);
    other.close();
  }, 90_000);

  it('a message over the size limit closes with 1009; a malformed frame with 1002; others are unaffected', async () => {
    const huge = await openWs(wsUrl, 'rtsp');
    huge.ws.send(new Uint8Array(1024 * 1024));
    expect((await huge.closed).code).toBe(1009);

    // An unmasked client frame breaks RFC 6455 §5.1: written on a raw socket, since ws will not send one.
    const raw = await openWs(wsUrl, 'rtsp');
    const sock = (raw.ws as unknown as { _socket: import('node:net').Socket })._socket;
    sock.write(Buffer.from([0x82, 0x05, 1, 2, 3, 4, 5]));
    expect((await raw.closed).code).toBe(1002);

    const ok = await openWs(wsUrl, 'rtsp');
    expect((await ok.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    ok.close();
  });

  it('random bytes and broken requests in random message sizes never disturb the server', async () => {
    const rnd = prng(7);
    const words = ['OPTIONS', 'SETUP', 'PLAY', 'RTSP/1.0', 'CSeq: ', 'Content-Length: ', 'Transport: RTP/AVP/TCP;interleaved=', '\r\n', '\r\n\r\n', '$', 'rtsp://x/sample.mp4', '99999999'];
    for (let conn = 0; conn < 20; conn++) {
      const c = await openWs(wsUrl, 'rtsp');
      for (let m = 0; m < 20 && c.ws.readyState === WebSocket.OPEN; m++) {
        const parts: Buffer[] = [];
        for (let i = 0, n = 1 + Math.floor(rnd() * 8); i < n; i++) {
          if (rnd() < 0.5) parts.push(Buffer.from(words[Math.floor(rnd() * words.length)]!));
          else parts.push(Buffer.from(Array.from({ length: Math.floor(rnd() * 64) }, () => Math.floor(rnd() * 256))));
        }
        c.ws.send(Buffer.concat(parts), { binary: rnd() < 0.7 });
      }
      // Whatever came back was whole responses and frames, never a torn message.
      await sleep(20);
      expect(c.badMessages).toEqual([]);
      c.ws.terminate();
    }
    const ok = await openWs(wsUrl, 'rtsp');
    expect((await ok.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    ok.close();
  }, 90_000);

  it('at the connection limit a WebSocket is closed with 1013 and the reason', async () => {
    const small = await startTestServer({ maxConnections: 1 });
    try {
      const url = `ws://127.0.0.1:${small.httpPort}/rtsp`;
      const first = await openWs(url, 'rtsp');
      const second = await openWs(url, 'rtsp');
      const closed = await second.closed;
      expect(closed.code).toBe(1013);
      expect(closed.reason).toMatch(/limit of 1 connections/);
      expect((await first.request('OPTIONS', small.url('sample.mp4'))).status).toBe(200);
      first.close();
    } finally {
      await small.close();
    }
  });

  it('other upgrade paths are not RTSP', async () => {
    const err = await new Promise<string>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${srv.httpPort}/elsewhere`);
      ws.on('unexpected-response', (_q, res) => resolve(String(res.statusCode)));
      ws.on('error', (e) => resolve(e.message));
    });
    expect(err).toBe('404');
  });
});

describe('RTSP over WebSocket: a live path', () => {
  let publisher: ChildProcess;
  beforeAll(async () => {
    // Eight times real time, so a reader that reads nothing fills its buffers in seconds (the slow-reader case).
    publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-readrate', '8', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('live/ws')], { stdio: 'ignore' });
    children.push(publisher);
    const probe = await WsRtspClient.open(wsUrl, 'rtsp');
    const t0 = performance.now();
    while ((await probe.request('DESCRIBE', srv.url('live/ws'))).status !== 200) {
      if (performance.now() - t0 > 60_000) throw new Error('live/ws did not go live');
      await sleep(200);
    }
    probe.close();
  }, 90_000);

  it('a reader starts at a key frame and decodes video and audio', async () => {
    const c = await openWs(wsUrl, 'rtsp');
    const d = await c.request('DESCRIBE', srv.url('live/ws'));
    expect(d.status).toBe(200);
    const id = await setupAndPlay(c, `${srv.url('live/ws')}/`);
    await until(() => depacketize(c, 0, new H264Depacketizer()).length > 30 && c.rtpOn(2).length > 20, 'live video and audio');
    const video = depacketize(c, 0, new H264Depacketizer());
    expect(isH264KeyFrame(video[0]!.data)).toBe(true);
    expect(video.every((f) => !f.damaged)).toBe(true);
    expect(depacketize(c, 2, new AacDepacketizer()).length).toBeGreaterThan(10);
    expect(c.badMessages).toEqual([]);
    expect((await c.request('TEARDOWN', `${srv.url('live/ws')}/`, { Session: id })).status).toBe(200);
    c.close();
  }, 90_000);

  it('a reader that reads nothing stays bounded and is dropped; a normal reader keeps every packet', async () => {
    const normal = await openWs(wsUrl, 'rtsp');
    const normalId = await setupAndPlay(normal, `${srv.url('live/ws')}/`);
    const slow = await openWs(wsUrl, 'rtsp');
    const slowId = await setupAndPlay(slow, `${srv.url('live/ws')}/`);
    slow.ws.pause(); // reads nothing from here on: kernel buffers fill, then bufferedAmount grows
    const conn = [...srv.rtsp.connections].find((x) => [...x.sessions].some((s) => s.id === slowId))!;
    expect(conn.tunnel).toBe('websocket');
    let maxQueued = 0;
    await until(() => {
      maxQueued = Math.max(maxQueued, conn.queuedBytes);
      return conn.closed;
    }, 'the slow WebSocket reader to be dropped', 90_000);
    expect(srv.rtsp.sessions.has(slowId)).toBe(false);
    // Bounded: the queue bound plus the one packet written when it was crossed.
    expect(maxQueued).toBeLessThanOrEqual(QUEUE + 2048);
    const video = normal.rtpOn(0);
    expect(video.length).toBeGreaterThan(300);
    for (let i = 1; i < video.length; i++) expect((video[i]!.sequenceNumber - video[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
    expect(srv.rtsp.sessions.has(normalId)).toBe(true);
    normal.close();
    slow.ws.terminate();
  }, 150_000);
});
