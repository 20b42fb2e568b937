// A raw RTSP publisher sending garbage RTP and RTCP (bad SPS, FU-A without end, STAP-A lengths past the packet, NAL types 0/31, AU-header lengths past the packet, broken RTP headers) to a path with RTSP, HLS and progressive readers: nothing breaks, another path plays on, and ffmpeg plays a good publisher on the same path afterwards.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { H264_AAC_SDP, RawPublisher } from '../helpers/raw-publisher.js';
import { readFor, waitFor } from '../helpers/read.js';
import { rtpPackets } from '../helpers/rtp-arbitraries.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';

let srv: TestServer;
const opened: { close(): void }[] = [];
const publishers: Publisher[] = [];

beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  for (const p of publishers) p.stop();
  for (const o of opened) o.close();
  await srv?.close();
});

/** An RTSP reader of `path` over TCP, counting the `$` frames it gets. */
async function rtspReader(path: string): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(srv.rtspPort);
  opened.push(c);
  expect((await c.request('DESCRIBE', srv.url(path), { Accept: 'application/sdp' })).status).toBe(200);
  const s = await c.request('SETUP', `${srv.url(path)}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s.status).toBe(200);
  const id = parseSession(s.headers.get('Session')!).id;
  expect((await c.request('SETUP', `${srv.url(path)}/trackID=1`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=2-3', Session: id })).status).toBe(200);
  expect((await c.request('PLAY', srv.url(path), { Session: id })).status).toBe(200);
  return c;
}

/** A progressive HTTP reader: its status, the bytes it got, and how its body ended. */
function progressiveReader(url: string): { status: Promise<number>; bytes: () => number; ended: Promise<string>; abort(): void } {
  const ac = new AbortController();
  let bytes = 0;
  let status!: (n: number) => void;
  const statusP = new Promise<number>((r) => (status = r));
  const ended = fetch(url, { signal: ac.signal }).then(async (res) => {
    status(res.status);
    const reader = res.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'done';
      bytes += value.length;
    }
  }).catch((e: Error) => {
    status(0);
    return e.name === 'AbortError' ? 'aborted' : `error: ${e.message}`;
  });
  opened.push({ close: () => ac.abort() });
  return { status: statusP, bytes: () => bytes, ended, abort: () => ac.abort() };
}

describe('a publisher sending garbage', () => {
  it('leaves the path, its readers and other paths working; a good publisher then plays there', async () => {
    // Another path, fed by ffmpeg, read over RTSP all along.
    const good = publishSample(srv, 'live/good');
    publishers.push(good);
    await waitPlaylist(srv.httpUrl('live/good/index.m3u8'), 45_000);
    const other = await rtspReader('live/good');

    const pub = await RawPublisher.start(srv.rtspPort, srv.url('live/garbage'), H264_AAC_SDP, 2);
    opened.push(pub);
    const reader = await rtspReader('live/garbage');
    const mp4 = progressiveReader(srv.httpUrl('live/garbage/stream.mp4'));
    const ts = progressiveReader(srv.httpUrl('live/garbage/stream.ts'));
    expect(await mp4.status).toBe(200);
    expect(await ts.status).toBe(200);
    // The playlist request starts the LL-HLS muxer; it may wait for a segment or give up (503), never 500.
    const playlist = fetch(srv.httpUrl('live/garbage/index.m3u8')).then((r) => r.status);

    // Seeded: the same garbage every run. Good frames are mixed in so it meets working muxers.
    const video = fc.sample(rtpPackets('H264', 96, 60), { seed: 42, numRuns: 40 }).flat();
    const audio = fc.sample(rtpPackets('AAC', 97, 30), { seed: 43, numRuns: 40 }).flat();
    const junk = fc.sample(fc.uint8Array({ maxLength: 300 }), { seed: 44, numRuns: 200 });
    const otherBefore = other.frames.length;
    for (let i = 0; i < Math.max(video.length, audio.length); i++) {
      if (video[i]) await pub.send(0, video[i]!);
      if (audio[i]) await pub.send(2, audio[i]!);
      const j = junk[i % junk.length]!;
      if (i % 5 === 0) await pub.send([1, 3, 7, 200][i % 4]!, j); // RTCP channels, and channels no track uses
    }
    expect(await pub.sync()).toBe(200);

    // Everything reached the server, which still answers, forwards, and serves the other path.
    expect(reader.closed).toBe(false);
    expect(reader.frames.length).toBeGreaterThan(0);
    expect(mp4.bytes()).toBeGreaterThan(0);
    expect(ts.bytes()).toBeGreaterThan(0);
    expect([200, 503]).toContain(await playlist);
    await waitFor(() => other.frames.length > otherBefore + 30, 30_000, 'the other path to go on playing');
    const probe = await RawRtspClient.open(srv.rtspPort);
    opened.push(probe);
    expect((await probe.request('OPTIONS', srv.url('live/garbage'))).status).toBe(200);

    // The garbage publisher leaves: its readers are let go cleanly.
    expect(await pub.teardown()).toBe(200);
    expect(await mp4.ended).toBe('done');
    expect(await ts.ended).toBe('done');

    expect(srv.paths.livePath('live/garbage').stream).toBeUndefined();

    // ffmpeg publishes the sample on the same path, and ffmpeg plays it. Waited for on the path, not
    // the playlist: the garbage publisher's final one (EXT-X-ENDLIST) is served until its muxer goes idle.
    const next = publishSample(srv, 'live/garbage');
    publishers.push(next);
    await waitFor(() => (srv.paths.livePath('live/garbage').stream?.bytes ?? 0) > 0, 45_000, 'the good publisher to send media');
    const read = await readFor(srv.url('live/garbage'), 'tcp', 3);
    expect(read.video, read.r.stderr).toBeGreaterThanOrEqual(60);
    expect(read.audio, read.r.stderr).toBeGreaterThan(50);
  }, 180_000);
});
