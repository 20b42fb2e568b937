// A TCP reader that reads nothing: its queue stays bounded, it is dropped, and a normal reader never waits for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';
import { run } from '../helpers/spawn.js';

const QUEUE = 256 * 1024;
let srv: TestServer;
let publisher: ChildProcess;

beforeAll(async () => {
  srv = await startTestServer({ tcpQueueBytes: QUEUE, slowReaderTimeout: 3 });
  // Eight times real time (~4 Mbit/s) so a reader that reads nothing fills its socket buffers in seconds.
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-readrate', '8', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('live/slow')], { stdio: 'ignore' });
  await waitFor(
    async () => {
      const r = await run(resolveFfprobe(), ['-v', 'quiet', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv', srv.url('live/slow')], { timeoutMs: 8000 });
      return r.code === 0 && r.stdout.trim() !== '';
    },
    60_000,
    'the live path to be readable',
  );
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
    onTestFinished(() => {
      normal.c.close();
      slow.c.close();
    });
    slow.c.socket.pause(); // reads nothing from here on: the kernel buffers fill, then our queue
    const slowConn = [...srv.rtsp.connections].find((c) => c.sessions.size > 0 && [...c.sessions][0]!.id === slow.id)!;
    expect(slowConn).toBeDefined();
    const normalVideo = (): number => normal.c.frames.filter((f) => f.channel === 0).length;
    let maxQueued = 0;
    let normalAtStuck: number | undefined;
    // Stuck: its queue at the bound (within a packet). Dropped after slowReaderTimeout (3 s) there.
    await waitFor(
      () => {
        maxQueued = Math.max(maxQueued, slowConn.queuedBytes);
        if (normalAtStuck === undefined && slowConn.queuedBytes >= QUEUE - 2048) normalAtStuck = normalVideo();
        return slowConn.closed;
      },
      90_000,
      'the slow reader to be dropped',
      20,
    );
    const normalAtDrop = normalVideo();
    expect(srv.rtsp.sessions.has(slow.id)).toBe(false);
    // Its queue never grew past the bound plus one packet's write.
    expect(maxQueued).toBeLessThanOrEqual(QUEUE + 2048);
    expect(normalAtStuck, 'the slow reader never filled its queue').toBeDefined();
    // The normal reader went on receiving while the slow one was stuck: a fan-out that waited for
    // the slow reader would have given it nothing in those 3 s (at 8x the publisher sends hundreds
    // of video packets a second; a count, not a rate, is asserted).
    expect(normalAtDrop - normalAtStuck!).toBeGreaterThan(0);
    // It got every video packet: contiguous sequence numbers throughout.
    const video = normal.c.rtpOn(0);
    for (let i = 1; i < video.length; i++) expect((video[i]!.sequenceNumber - video[i - 1]!.sequenceNumber) & 0xffff).toBe(1);
    expect(srv.rtsp.sessions.has(normal.id)).toBe(true);
  }, 150_000);
});
