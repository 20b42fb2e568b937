// A TCP reader that reads nothing: its queue stays bounded, it is dropped, and a normal reader never waits for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { RawRtspClient, sleep } from '../helpers/rtsp-client.js';
import { run } from '../helpers/spawn.js';

const QUEUE = 256 * 1024;
let srv: TestServer;
let publisher: ChildProcess;

beforeAll(async () => {
  srv = await startTestServer({ tcpQueueBytes: QUEUE, slowReaderTimeout: 3 });
  // Eight times real time (~4 Mbit/s) so a reader that reads nothing fills its socket buffers in seconds.
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-readrate', '8', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('live/slow')], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    const r = await run(resolveFfprobe(), ['-v', 'quiet', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', srv.url('live/slow')], { timeoutMs: 8000 });
    if (r.code === 0 && r.stdout.trim()) break;
    await sleep(200);
  }
});
afterAll(async () => {
  publisher?.kill('SIGKILL');
  await srv?.close();
});

async function tcpReader(): Promise<{ c: RawRtspClient; id: string }> {
  const c = await RawRtspClient.open(srv.rtspPort);
  const base = `${srv.url('live/slow')}/`;
  const s1 = await c.request('SETUP', `${base}trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s1.status).toBe(200);
  const id = parseSession(s1.headers.get('Session')!).id;
  expect((await c.request('SETUP', `${base}trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: id })).status).toBe(200);
  expect((await c.request('PLAY', base, { Session: id })).status).toBe(200);
  return { c, id };
}

describe('slow TCP reader', () => {
  it('is bounded and dropped while a normal reader keeps every packet', async () => {
    const normal = await tcpReader();
    const slow = await tcpReader();
    slow.c.socket.pause(); // reads nothing from here on: the kernel buffers fill, then our queue
    const slowConn = [...srv.rtsp.connections].find((c) => c.sessions.size > 0 && [...c.sessions][0]!.id === slow.id)!;
    expect(slowConn).toBeDefined();
    let maxQueued = 0;
    let droppedAt = -1;
    const t0 = performance.now();
    while (performance.now() - t0 < 15_000) {
      maxQueued = Math.max(maxQueued, slowConn.queuedBytes);
      if (slowConn.closed) {
        droppedAt = performance.now() - t0;
        break;
      }
      await sleep(20);
    }
    // Dropped after being stuck over its bound for slowReaderTimeout (3 s).
    expect(droppedAt).toBeGreaterThan(0);
    expect(srv.rtsp.sessions.has(slow.id)).toBe(false);
    // Its queue never grew past the bound plus one packet's write.
    expect(maxQueued).toBeLessThanOrEqual(QUEUE + 2048);
    await sleep(500);
    // The normal reader got every video packet: contiguous sequence numbers throughout.
    const video = normal.c.rtpOn(0);
    expect(video.length).toBeGreaterThan(500);
    for (let i = 1; i < video.length; i++) expect((video[i]!.sequenceNumber - video[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
    // ...and no pause in its arrival while the slow reader was stuck: a fan-out that waited for
    // the slow reader would stall for the whole 3 s until it is dropped (this is not a speed bound).
    const at = normal.c.frames.filter((f) => f.channel === 0).map((f) => f.at);
    let maxGap = 0;
    for (let i = 1; i < at.length; i++) maxGap = Math.max(maxGap, at[i]! - at[i - 1]!);
    expect(maxGap).toBeLessThan(1000);
    expect(srv.rtsp.sessions.has(normal.id)).toBe(true);
    normal.c.close();
    slow.c.close();
  }, 40_000);
});
