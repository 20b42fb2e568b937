// RTSP over HTTP (GET/POST tunnel): ffmpeg -rtsp_transport http and GStreamer rtsph:// decode through it, plus a raw-socket transcript on both ports and its refusals.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { HttpTunnels } from '../../server/http/tunnels/rtsp-over-http.js';
import { silentLogger } from '../../server/log.js';
import { H264Depacketizer, isH264KeyFrame } from '../../server/rtp/codecs/h264.js';
import { parseRtcpCompound } from '../../server/rtp/rtcp.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { cutClips, type Clips } from '../helpers/clips.js';
import { gstRead } from '../helpers/gst-read.js';
import { HttpTunnelClient, httpOnce } from '../helpers/http-tunnel-client.js';
import { bodyText, RawRtspClient, sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { prng } from '../helpers/prng.js';
import { describeRun, run } from '../helpers/spawn.js';

const SECONDS = 5;
const QUEUE = 256 * 1024;
/** The clip GStreamer plays through the tunnel to its end. */
const CLIP_S = 5;
let srv: TestServer;
let clips: Clips;
let ffmpeg: string;
const children: ChildProcess[] = [];

beforeAll(async () => {
  ffmpeg = resolveFfmpeg();
  clips = cutClips(['sample.mp4'], CLIP_S);
  srv = await startTestServer({ tcpQueueBytes: QUEUE, slowReaderTimeout: 3, mediaDir: clips.dir });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await srv?.close();
  clips?.remove();
});

/** Clients for one test: closed when the test finishes, passed or failed. */
async function openTunnel(...args: Parameters<typeof HttpTunnelClient.open>): Promise<HttpTunnelClient> {
  const c = await HttpTunnelClient.open(...args);
  onTestFinished(() => c.close());
  return c;
}
async function openRaw(port: number): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(port);
  onTestFinished(() => c.close());
  return c;
}

async function until(cond: () => boolean, what: string, ms = 30_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** Hashes of the first decoded video frames of the local file. */
async function localVideoHashes(): Promise<string[]> {
  const args = ['-v', 'error', '-i', `${MEDIA_DIR}/sample.mp4`, '-t', String(SECONDS + 1), '-map', '0:v:0', '-fps_mode', 'passthrough', '-f', 'framemd5', '-'];
  const r = await run(ffmpeg, args, { timeoutMs: 30_000 });
  expect(r.code, describeRun(ffmpeg, args, r)).toBe(0);
  return r.stdout.split('\n').filter((l) => /^0,/.test(l)).map((l) => l.split(',')[5]!.trim());
}

describe('ffmpeg -rtsp_transport http', () => {
  for (const port of ['RTSP', 'HTTP'] as const) {
    it(`decodes ${SECONDS} s of sample.mp4 through a tunnel on the ${port} port, frames identical to the file`, async () => {
      const url = `rtsp://127.0.0.1:${port === 'RTSP' ? srv.rtspPort : srv.httpPort}/sample.mp4`;
      const args = ['-v', 'error', '-rtsp_transport', 'http', '-i', url, '-map', '0:v:0', '-map', '0:a:0', '-t', String(SECONDS), '-fps_mode', 'passthrough', '-f', 'framemd5', '-'];
      const [r, reference] = await Promise.all([run(ffmpeg, args, { timeoutMs: 30_000 }), localVideoHashes()]);
      const info = describeRun(ffmpeg, args, r);
      expect(r.code, info).toBe(0);
      expect(r.stderr, info).toBe('');
      const lines = r.stdout.split('\n').filter((l) => /^\d+,/.test(l));
      const video = lines.filter((l) => l.startsWith('0,')).map((l) => l.split(',')[5]!.trim());
      const audio = lines.filter((l) => l.startsWith('1,'));
      // 30 fps: 150 pictures in 5 s, give or take the cut at the end.
      expect(video.length, info).toBeGreaterThanOrEqual(SECONDS * 30 - 10);
      expect(video.length, info).toBeLessThanOrEqual(SECONDS * 30 + 10);
      expect(video, info).toEqual(reference.slice(0, video.length));
      expect(audio.length, info).toBeGreaterThan(SECONDS * 40);
      // The tunnel went away with ffmpeg.
      await until(() => srv.rtsp.sessions.size === 0, 'the session to end with the tunnel');
    }, 40_000);
  }
});

describe('GStreamer rtspsrc rtsph://', () => {
  it(`decodes every frame of a ${CLIP_S} s clip and its audio through the tunnel on the RTSP port, to the end`, async () => {
    const frames = clips.videoFrames.get('clip-sample.mp4')!;
    const d = await gstRead(`rtsph://127.0.0.1:${srv.rtspPort}/clip-sample.mp4`, { videoFrames: frames, audioSeconds: CLIP_S - 0.05, deadlineS: 60 });
    const why = `${d.videoFrames} video frames, ${d.audioSeconds} s of audio\n${d.info}`;
    expect(d.errors, why).toEqual([]);
    expect(d.warnings, why).toEqual([]);
    expect(d.stoppedBy, why).not.toBe('deadline');
    // A tunnel is TCP: nothing is lost, every picture of the clip decodes once.
    expect(d.videoFrames, why).toBe(frames);
    expect(d.audioSeconds, why).toBeGreaterThan(CLIP_S - 0.05);
    expect(d.audioSeconds, why).toBeLessThanOrEqual(CLIP_S + 0.025);
  }, 120_000);
});

describe('raw-socket tunnel transcript', () => {
  for (const port of ['RTSP', 'HTTP'] as const) {
    it(`GET then POST on the ${port} port: base64 split anywhere, SETUP/PLAY, RTP and SR on the GET, closing the GET ends the session`, async () => {
      const p = port === 'RTSP' ? srv.rtspPort : srv.httpPort;
      const c = await openTunnel(p, `cookie-${port}-${Date.now()}`, '/sample.mp4');
      expect(c.answer.status).toBe(200);
      expect(c.answer.head).toMatch(/^HTTP\/1\.0 200 OK/);
      expect(c.answer.head).toMatch(/\r\nContent-Type: application\/x-rtsp-tunnelled/i);
      expect(c.answer.head).not.toMatch(/Content-Length|Transfer-Encoding/i);
      await c.openPost();
      const url = srv.url('sample.mp4');
      // Two requests, each encoded on its own (padding in between), written in pieces that cut
      // quanta and requests anywhere.
      const two = Buffer.from(c.requestText('OPTIONS', url)).toString('base64') + '\r\n' + Buffer.from(c.requestText('DESCRIBE', url, { Accept: 'application/sdp' })).toString('base64');
      const pending = [c.next(), c.next()];
      await c.sendBase64(two, [1, 2, 5, 3, 37, 11]);
      const [o, d] = await Promise.all(pending);
      expect(o!.status).toBe(200);
      expect(o!.headers.get('CSeq')).toBe('1');
      expect(d!.status).toBe(200);
      expect(bodyText(d!)).toContain('m=video');
      // Two requests encoded as one base64 text, split mid-quantum.
      const joint = Buffer.from(c.requestText('OPTIONS', url) + c.requestText('GET_PARAMETER', url)).toString('base64');
      const pending2 = [c.next(), c.next()];
      await c.sendBase64(joint, [7, 50]);
      const [o2, g2] = await Promise.all(pending2);
      expect([o2!.headers.get('CSeq'), g2!.headers.get('CSeq')]).toEqual(['3', '4']);

      const udp = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=5000-5001' });
      expect(udp.status).toBe(461);
      expect(bodyText(udp)).toContain('RTP/AVP/TCP');
      const s = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      expect(s.status, bodyText(s)).toBe(200);
      const id = parseSession(s.headers.get('Session')!).id;
      expect((await c.request('PLAY', `${url}/`, { Session: id })).status).toBe(200);
      await until(() => c.rtpOn(0).length > 30 && c.frames.some((f) => f.channel === 1), 'RTP and an SR on the GET');
      const dep = new H264Depacketizer();
      const frames = c.rtpOn(0).flatMap((pk) => dep.push(pk));
      expect(isH264KeyFrame(frames[0]!.data)).toBe(true);
      expect(parseRtcpCompound(c.frames.find((f) => f.channel === 1)!.data).some((x) => x.type === 'sr')).toBe(true);

      // QuickTime closes its POST and opens another with the same cookie: the tunnel carries on.
      c.post!.destroy();
      await sleep(50);
      expect(srv.rtsp.sessions.has(id)).toBe(true);
      await c.openPost();
      expect((await c.request('GET_PARAMETER', `${url}/`, { Session: id })).status).toBe(200);

      // Paused, so nothing is written: the server must notice the GET's close by reading it.
      expect((await c.request('PAUSE', `${url}/`, { Session: id })).status).toBe(200);
      c.get.end();
      await until(() => !srv.rtsp.sessions.has(id), 'the session to end with the GET');
      c.close();
    }, 30_000);
  }
});

describe('tunnel refusals', () => {
  it('a POST with a cookie no GET opened gets 400 naming the cookie', async () => {
    const a = await httpOnce(srv.rtspPort, 'POST /x HTTP/1.0\r\nx-sessioncookie: nobody\r\nContent-Type: application/x-rtsp-tunnelled\r\nContent-Length: 32767\r\n\r\nT1BUSU9OUw==');
    expect(a.status).toBe(400);
    expect(a.body).toMatch(/no RTSP-over-HTTP tunnel is open with x-sessioncookie nobody/);
    const h = await httpOnce(srv.httpPort, 'POST /x HTTP/1.1\r\nHost: x\r\nx-sessioncookie: nobody\r\nContent-Type: application/x-rtsp-tunnelled\r\nContent-Length: 4\r\n\r\nT1BU');
    expect(h.status).toBe(400);
    expect(h.body).toMatch(/x-sessioncookie nobody/);
  });

  it('a second GET with an open cookie gets 400; the first tunnel is unaffected', async () => {
    const c = await openTunnel(srv.rtspPort, 'dup-cookie');
    const a = await httpOnce(srv.rtspPort, 'GET / HTTP/1.0\r\nx-sessioncookie: dup-cookie\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n');
    expect(a.status).toBe(400);
    expect(a.body).toMatch(/already used/);
    await c.openPost();
    expect((await c.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    c.close();
  });

  it('a plain HTTP request on the RTSP port gets 400 naming the HTTP port; RTSP still works there', async () => {
    const a = await httpOnce(srv.rtspPort, 'GET /sample.mp4 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(a.status).toBe(400);
    expect(a.body).toContain(`port ${srv.httpPort}`);
    const g = await httpOnce(srv.rtspPort, 'GET / HTTP/1.0\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n');
    expect(g.status).toBe(400);
    expect(g.body).toMatch(/needs an x-sessioncookie/);
  });

  it('bad base64 on the POST gets 400 on that POST; a new POST keeps the tunnel going', async () => {
    const c = await openTunnel(srv.rtspPort, 'bad-b64');
    const post = await c.openPost();
    const chunks: Buffer[] = [];
    post.on('data', (x) => chunks.push(x));
    const closed = new Promise((r) => post.on('close', r));
    post.write('T1BU!!!!');
    await closed;
    const answer = Buffer.concat(chunks).toString();
    expect(answer).toMatch(/^HTTP\/1\.0 400/);
    expect(answer).toMatch(/not base64/);
    await c.openPost();
    expect((await c.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    c.close();
  });

  it('random heads and random base64 bodies never disturb the server', async () => {
    const rnd = prng(11);
    const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
    for (let i = 0; i < 15; i++) {
      // A broken head: random bytes after GET/POST; the answer is a 4xx or a close, never a hang.
      const a = await httpOnce(i % 2 ? srv.rtspPort : srv.httpPort, `${i % 3 ? 'POST' : 'GET'} /${bytes(20).toString('latin1')}\r\n${bytes(40).toString('latin1')}\r\n\r\n`);
      expect(a.status >= 400 && a.status < 500, `status ${a.status}: ${a.head}`).toBe(true);
    }
    for (let i = 0; i < 10; i++) {
      const c = await openTunnel(srv.rtspPort, `fuzz-${i}`);
      await c.openPost();
      // Valid base64 of random bytes: the RTSP parser answers 4xx or closes; the process carries on.
      await c.sendBase64(bytes(50 + Math.floor(rnd() * 300)).toString('base64'), [3, 17, 40]);
      await sleep(20);
      c.close();
    }
    const c = await openTunnel(srv.rtspPort, 'after-fuzz');
    await c.openPost();
    expect((await c.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    c.close();
  }, 30_000);

  it('a GET whose POST never comes is closed after the pair timeout', async () => {
    // A registry with a short pair timeout in front of the same RTSP server, on a port of its own.
    const tunnels = new HttpTunnels(srv.rtsp, silentLogger, { pairTimeoutMs: 300, maxHeadBytes: 8192, maxPendingHeads: 16, httpPort: () => srv.httpPort });
    const front: Server = createServer((sock) => {
      sock.pause();
      tunnels.acceptSocket(sock);
    });
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', () => r()));
    onTestFinished(() => {
      tunnels.close();
      front.close();
    });
    const port = (front.address() as { port: number }).port;
    const before = new Set(srv.rtsp.connections);
    const c = await openTunnel(port, 'lonely');
    expect(c.answer.status).toBe(200);
    const mine = [...srv.rtsp.connections].filter((x) => !before.has(x));
    expect(mine.map((x) => x.tunnel)).toEqual(['http']);
    await c.closed;
    await until(() => mine[0]!.closed && tunnels.size === 0 && !srv.rtsp.connections.has(mine[0]!), 'the unpaired connection to go');
  });
});

describe('slow readers through the tunnel', () => {
  it('a tunnel whose GET is not read stays bounded and is dropped; a normal tunnel keeps every packet', async () => {
    // Eight times real time, so the unread GET fills its socket buffers in seconds.
    children.push(spawn(ffmpeg, ['-v', 'error', '-readrate', '8', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('live/tunnel')], { stdio: 'ignore' }));
    const base = `${srv.url('live/tunnel')}/`;
    const reader = async (cookie: string): Promise<{ c: HttpTunnelClient; id: string }> => {
      const c = await openTunnel(srv.rtspPort, cookie);
      await c.openPost();
      const t0 = performance.now();
      let s = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      while (s.status === 404 && performance.now() - t0 < 45_000) {
        await sleep(200);
        s = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
      }
      expect(s.status, bodyText(s)).toBe(200);
      const id = parseSession(s.headers.get('Session')!).id;
      expect((await c.request('PLAY', base, { Session: id })).status).toBe(200);
      return { c, id };
    };
    const normal = await reader('normal-reader');
    const slow = await reader('slow-reader');
    slow.c.get.pause(); // reads nothing from here on
    const conn = [...srv.rtsp.connections].find((x) => [...x.sessions].some((s) => s.id === slow.id))!;
    expect(conn.tunnel).toBe('http');
    let maxQueued = 0;
    await until(() => {
      maxQueued = Math.max(maxQueued, conn.queuedBytes);
      return conn.closed;
    }, 'the slow tunnel reader to be dropped', 60_000);
    expect(srv.rtsp.sessions.has(slow.id)).toBe(false);
    expect(maxQueued).toBeLessThanOrEqual(QUEUE + 2048);
    const video = normal.c.rtpOn(0);
    expect(video.length).toBeGreaterThan(300);
    for (let i = 1; i < video.length; i++) expect((video[i]!.sequenceNumber - video[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
    expect(srv.rtsp.sessions.has(normal.id)).toBe(true);
    normal.c.close();
    slow.c.close();
  }, 150_000);
});

describe('tunnel at the connection limit', () => {
  it('a GET beyond maxConnections gets 503', async () => {
    const small = await startTestServer({ maxConnections: 1 });
    try {
      const first = await openTunnel(small.rtspPort, 'first');
      const a = await httpOnce(small.httpPort, 'GET / HTTP/1.0\r\nx-sessioncookie: second\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n');
      expect(a.status).toBe(503);
      expect(a.body).toMatch(/connection limit/);
      // A plain RTSP connection beyond the limit gets 503; once its client goes, nothing is left
      // open (an unread refused socket used to hold the server's close forever).
      const extra = await openRaw(small.rtspPort);
      const refused = await extra.request('OPTIONS', small.url('sample.mp4'));
      expect(refused.status).toBe(503);
      extra.close();
      await first.openPost();
      expect((await first.request('OPTIONS', small.url('sample.mp4'))).status).toBe(200);
      first.close();
    } finally {
      await small.close();
    }
  });

  it('halves that never finish their head are bounded: beyond maxConnections of them, 503', async () => {
    const small = await startTestServer({ maxConnections: 2 });
    const open: import('node:net').Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = await new Promise<import('node:net').Socket>((resolve) => {
          const x = connect(small.rtspPort, '127.0.0.1', () => resolve(x));
        });
        s.write('GET /slow HTTP/1.0\r\n');
        open.push(s);
      }
      // The server has both partial heads (it answers nothing until a head is complete).
      await until(() => small.tunnels.pendingHeads === 2, 'both partial heads to be read');
      // The port is full (maxConnections sockets): the third is refused at once, its head unfinished.
      const a = await httpOnce(small.rtspPort, 'GET /third HTTP/1.0\r\n');
      expect(a.status).toBe(503);
      expect(a.body).toMatch(/the RTSP port is at its limit of 2 connections \(maxConnections\)/);
    } finally {
      for (const s of open) s.destroy();
      await small.close();
    }
  });
});
