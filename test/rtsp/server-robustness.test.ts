// 10 000 malformed and mutated requests over real sockets: the server stays up, a playing reader is
// undisturbed, and ffmpeg plays afterwards.
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, sleep } from '../helpers/rtsp-client.js';
import { describeRun, run } from '../helpers/spawn.js';
import { mutate, prng } from './fuzz.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv.close();
});

const opened: RawRtspClient[] = [];
afterEach(() => {
  for (const c of opened.splice(0)) c.close();
});

function seeds(port: number): string[] {
  const u = `rtsp://127.0.0.1:${port}/sample.mp4`;
  return [
    `OPTIONS ${u} RTSP/1.0\r\nCSeq: 1\r\n\r\n`,
    `DESCRIBE ${u} RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n`,
    `SETUP ${u}/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP;unicast;client_port=40000-40001\r\n\r\n`,
    `SETUP ${u}/trackID=1 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n\r\n`,
    `PLAY ${u}/ RTSP/1.0\r\nCSeq: 4\r\nSession: 0011223344556677\r\nRange: npt=0.000-\r\n\r\n`,
    `PAUSE ${u}/ RTSP/1.0\r\nCSeq: 5\r\nSession: abc;timeout=60\r\n\r\n`,
    `GET_PARAMETER ${u} RTSP/1.0\r\nCSeq: 6\r\nContent-Length: 10\r\n\r\nposition\r\n`,
    `SET_PARAMETER ${u} RTSP/1.0\r\nCSeq: 7\r\nContent-Type: text/parameters\r\nContent-Length: 8\r\n\r\nfoo: 1\r\n`,
    `TEARDOWN ${u} RTSP/1.0\r\nCSeq: 8\r\nSession: 1\r\n\r\n`,
    `PLAY ${u} RTSP/1.0\r\nCSeq: 9\r\nRange: npt=1:02:03.5-7\r\n\r\n`,
    `$\x01\x00\x08\x81\xc9\x00\x01\x00\x00\x00\x01`,
    `DESCRIBE rtsp://127.0.0.1:${port}/../../etc/passwd RTSP/1.0\r\nCSeq: 10\r\n\r\n`,
    `DESCRIBE rtsp://127.0.0.1:${port}/%2e%2e/%2e%2e/etc/passwd RTSP/1.0\r\nCSeq: 11\r\n\r\n`,
  ];
}

/** Sends `count` mutated messages over one connection, reconnecting whenever the server closes it. */
async function blast(count: number, seed: number): Promise<number> {
  const rnd = prng(seed);
  const list = seeds(srv.rtspPort);
  let sent = 0;
  while (sent < count) {
    await new Promise<void>((resolve) => {
      const sock = connect(srv.rtspPort, '127.0.0.1');
      sock.on('data', () => undefined);
      sock.on('error', () => resolve());
      sock.on('close', () => resolve());
      sock.on('connect', async () => {
        // Batches keep the socket busy without flooding past the pipelining bound.
        while (sent < count && !sock.destroyed) {
          const batch: string[] = [];
          for (let i = 0; i < 16 && sent < count; i++, sent++) {
            const r = rnd();
            if (r < 0.04) batch.push(String.fromCharCode(...Array.from({ length: 1 + Math.floor(rnd() * 300) }, () => Math.floor(rnd() * 256))));
            else if (r < 0.05) batch.push(`OPTIONS * RTSP/1.0\r\nX-Big: ${'a'.repeat(9000)}\r\n\r\n`);
            else batch.push(mutate(list, rnd) + '\r\n\r\n');
          }
          sock.write(batch.join(''));
          await sleep(2);
        }
        sock.end();
      });
    });
  }
  return sent;
}

describe('malformed input over sockets', () => {
  it('survives 10 000 bad requests while another session plays undisturbed, then serves ffmpeg', async () => {
    // A well-behaved reader playing throughout, over TCP: nothing of its stream may be lost.
    const reader = await RawRtspClient.open(srv.rtspPort);
    opened.push(reader);
    const s = await reader.request('SETUP', `${srv.url('sample.mp4')}/trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s.status).toBe(200);
    const id = parseSession(s.headers.get('Session')!).id;
    expect((await reader.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);

    const sent = (await Promise.all([blast(2500, 1), blast(2500, 2), blast(2500, 3), blast(2500, 4)])).reduce((a, b) => a + b, 0);
    expect(sent).toBe(10_000);

    // The reader's audio kept flowing: it still comes after the blast (or, on a machine so slow that
    // the blast outlasted the 20 s file, it ran to its end: BYE), with contiguous sequence numbers.
    const afterBlast = reader.rtpOn(0).length;
    const ended = (): boolean => reader.frames.some((f) => f.channel === 1 && parseRtcpCompound(f.data).some((p) => p.type === 'bye'));
    await waitFor(() => reader.rtpOn(0).length > afterBlast || ended(), 30_000, 'the reader\'s audio after the blast');
    const still = await reader.request('GET_PARAMETER', srv.url('sample.mp4'), { Session: id });
    expect(still.status).toBe(200);
    const seqs = reader.rtpOn(0).map((p) => p.sequenceNumber);
    for (let i = 1; i < seqs.length; i++) expect((seqs[i]! - seqs[i - 1]!) & 0xffff).toBe(1);
    expect(srv.rtsp.sessions.get(id)?.dropped).toBe(0);

    // The server still answers and a real client still plays.
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-i', srv.url('sample.mp4'), '-t', '2', '-f', 'null', '-'];
    const r = await run(resolveFfmpeg(), args, { timeoutMs: 60_000 });
    expect(r.stderr, describeRun('ffmpeg', args, r)).toBe('');
    expect(r.code, describeRun('ffmpeg', args, r)).toBe(0);
  }, 90_000);

  it('never serves a file outside the media directory', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c);
    for (const p of ['../package.json', '%2e%2e/package.json', '..%2fpackage.json', '/etc/passwd']) {
      const r = await c.raw(`DESCRIBE rtsp://127.0.0.1/${p} RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
      expect([400, 404]).toContain(r.status);
    }
  });
});
