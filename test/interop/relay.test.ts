// Relay sources: a second Tidecast relays a file path and a live path of the first, and gst-rtsp-server's stream;
// on-demand start and stop, readers over UDP and TCP, reconnect after the upstream restarts.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { readFor, waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun } from '../helpers/spawn.js';

let up: TestServer;
let relay: TestServer;
const children: ChildProcess[] = [];
const servers: TestServer[] = [];

/** Upstream sessions reading `path` (the relay's pull shows up as one). */
const readersOf = (srv: TestServer, path: string): number => [...srv.rtsp.sessions.values()].filter((s) => s.path === path && s.media.kind !== 'publish').length;

/**
 * A read with nothing but TCP between the file and ffmpeg: every frame of the `-t` seconds of media
 * (ffmpeg counts media time, not wall time) decodes without a word on stderr.
 */
function expectClean(x: Awaited<ReturnType<typeof readFor>>, minVideo: number): void {
  expect(x.r.stderr, describeRun('ffmpeg', x.args, x.r)).toBe('');
  expect(x.r.code, describeRun('ffmpeg', x.args, x.r)).toBe(0);
  expect(x.video, describeRun('ffmpeg', x.args, x.r)).toBeGreaterThanOrEqual(minVideo);
}

/**
 * A read with UDP somewhere on the way: a datagram dropped on a loopback starved of CPU costs a
 * frame and makes ffmpeg say so, so it is held to playing, not to every frame.
 */
function expectPlays(x: Awaited<ReturnType<typeof readFor>>, relayState = ''): void {
  const what = describeRun('ffmpeg', x.args, x.r) + relayState;
  expect(x.r.code, what).toBe(0);
  expect(x.video, what).toBeGreaterThan(0);
  expect(x.audio + x.video, what).toBeGreaterThan(0);
}

/** The relay's side of a failed read: its source, its stream and its readers. */
function relayState(srv: TestServer, path: string): string {
  const source = srv.paths.sourceOf(path);
  const stream = srv.paths.livePath(path).stream;
  const readers = [...srv.rtsp.sessions.values()].filter((s) => s.path === path).map((s) => `${s.id} ${s.media.kind} ${s.transportKind} ${s.state}`);
  return `\nrelay: running=${source?.isRunning} problem=${source?.driver.problem ?? '-'} stream=${stream ? `${stream.bytes} bytes, ${stream.readerCount} readers` : 'none'}; sessions: ${readers.join(', ') || 'none'}`;
}

beforeAll(async () => {
  up = await startTestServer();
  // A live path on the upstream, published by ffmpeg.
  const pub = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', up.url('live/cam')], { stdio: 'ignore' });
  children.push(pub);
  await waitFor(() => up.paths.livePath('live/cam').stream !== undefined, 30_000, 'the upstream live path');
  relay = await startTestServer({
    paths: {
      'relay/file': { source: up.url('sample.mp4'), sourceOnDemandCloseAfter: 1 },
      'relay/live': { source: up.url('live/cam'), sourceOnDemandCloseAfter: 1 },
      'relay/live-udp': { source: up.url('live/cam'), sourceProtocol: 'udp', sourceOnDemandCloseAfter: 1 },
      'relay/demand': { source: up.url('sample.mkv'), sourceOnDemandCloseAfter: 1 },
    },
  });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const s of servers) await s.close();
  await relay?.close();
  await up?.close();
});

describe('relay from another Tidecast', () => {
  it('relays a file path and a live path (pulled over TCP and UDP); ffmpeg reads them over UDP and TCP', async () => {
    for (const path of ['relay/file', 'relay/live', 'relay/live-udp']) {
      const [u, t] = await Promise.all([readFor(relay.url(path), 'udp', 3), readFor(relay.url(path), 'tcp', 3)]);
      expectPlays(u);
      expect(u.audio).toBeGreaterThan(0);
      // 3 s at 30 fps; the relay pulled over UDP may itself have lost a datagram upstream.
      if (path === 'relay/live-udp') expectPlays(t);
      else expectClean(t, 75);
    }
  }, 90_000);

  // That it waits the whole close-after delay, not less, is test/core/on-demand.test.ts's (a simulated clock).
  it('starts on the first reader and ends the upstream session after the last leaves', async () => {
    expect(relay.paths.sourceOf('relay/demand')!.isRunning).toBe(false);
    expect(readersOf(up, 'sample.mkv')).toBe(0);
    const reading = readFor(relay.url('relay/demand'), 'tcp', 2);
    await waitFor(() => readersOf(up, 'sample.mkv') === 1, 30_000, 'the relay to open an upstream session');
    expectClean(await reading, 45);
    await waitFor(() => readersOf(up, 'sample.mkv') === 0, 30_000, 'the upstream session to end');
    await waitFor(() => !relay.paths.sourceOf('relay/demand')!.isRunning, 30_000, 'the relay source to stop');
  }, 60_000);

  it('ends its readers over UDP and TCP (BYE, then the connection) when the upstream sends no RTP for readTimeout', async () => {
    // A publisher that announces and records but never sends a packet: the stream has no SSRC yet.
    const pub = await RawRtspClient.open(up.rtspPort);
    onTestFinished(() => pub.close());
    const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0IAHpWoKA9k,aM48gA==\r\na=control:trackID=0\r\n';
    expect((await pub.request('ANNOUNCE', up.url('silent'), { 'Content-Type': 'application/sdp' }, sdp)).status).toBe(200);
    const setup = await pub.request('SETUP', up.url('silent/trackID=0'), { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record' });
    expect((await pub.request('RECORD', up.url('silent'), { Session: setup.headers.get('session')!.split(';')[0]! })).status).toBe(200);
    const r = await startTestServer({ readTimeout: 2, paths: { quiet: { source: up.url('silent'), sourceProtocol: 'udp', sourceOnDemandCloseAfter: 1 } } });
    servers.push(r);
    const [u, t] = await Promise.all([readFor(r.url('quiet'), 'udp', 3), readFor(r.url('quiet'), 'tcp', 3)]);
    for (const x of [u, t]) {
      expect(x.r.timedOut, describeRun('ffmpeg', x.args, x.r) + relayState(r, 'quiet')).toBe(false);
      expect(x.video).toBe(0);
    }
  }, 60_000);

  it('refuses publishers on a relay path', async () => {
    const c = await RawRtspClient.open(relay.rtspPort);
    const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n';
    const res = await c.request('ANNOUNCE', relay.url('relay/live'), { 'Content-Type': 'application/sdp' }, sdp);
    c.close();
    expect(res.status).toBe(403);
    expect(bodyText(res)).toMatch(/relays rtsp:/);
  });

  it('reconnects after the upstream restarts; readers meanwhile get BYE, then 503 with the reason', async () => {
    const first = await startTestServer();
    servers.push(first);
    const port = first.rtspPort;
    const r = await startTestServer({ paths: { again: { source: first.url('sample.mp4'), sourceOnDemand: false, sourceOnDemandStartTimeout: 1 } } });
    servers.push(r);
    await waitFor(() => r.paths.livePath('again').stream !== undefined, 30_000, 'the always-on relay to play');
    const reader = readFor(r.url('again'), 'tcp', 30);
    await waitFor(() => (r.paths.livePath('again').stream?.readers.size ?? 0) > 0, 30_000, 'the reader to attach');
    await first.close();
    expect((await reader).r.timedOut).toBe(false); // BYE reached it when the upstream dropped
    const c = await RawRtspClient.open(r.rtspPort);
    const down = await c.request('DESCRIBE', r.url('again'));
    c.close();
    expect(down.status).toBe(503);
    expect(bodyText(down)).toMatch(/relay from rtsp:\/\/127\.0\.0\.1:\d+\/sample\.mp4.*unavailable/);
    const second = await startTestServer({ rtspPort: port });
    servers.push(second);
    await waitFor(() => r.paths.livePath('again').stream !== undefined, 30_000, 'the relay to reconnect');
    expectClean(await readFor(r.url('again'), 'tcp', 2), 45);
  }, 90_000);
});

describe('relay from gst-rtsp-server', () => {
  let gst: ChildProcess;
  let gstPort: number;
  beforeAll(async () => {
    // /usr/bin/python3: the Debian python3-gi lives there (a pyenv python has no gi).
    gst = spawn('/usr/bin/python3', [resolve(import.meta.dirname, '../fixtures/gst-rtsp-server.py')], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(gst);
    let out = '';
    let err = '';
    gst.stderr!.on('data', (d) => (err += d));
    gstPort = await new Promise<number>((ok, fail) => {
      const t = setTimeout(() => fail(new Error(`gst-rtsp-server did not start: ${err}`)), 15_000);
      gst.stdout!.on('data', (d) => {
        out += d;
        const m = /READY (\d+)/.exec(out);
        if (m) {
          clearTimeout(t);
          ok(Number(m[1]));
        }
      });
      gst.once('exit', (code) => fail(new Error(`gst-rtsp-server exited (${code}): ${err}`)));
    });
  });
  afterAll(() => {
    gst?.stdin?.end();
  });

  for (const transport of ['tcp', 'udp'] as const) {
    it(`relays its H.264 stream pulled over ${transport}; ffmpeg reads it cleanly`, async () => {
      const r = await startTestServer({ paths: { gst: { source: `rtsp://127.0.0.1:${gstPort}/test`, sourceProtocol: transport, sourceOnDemandCloseAfter: 1 } } });
      // Closed (its upstream session torn down) before the next test pulls the same shared media.
      onTestFinished(() => r.close());
      const [u, t] = await Promise.all([readFor(r.url('gst'), 'udp', 3), readFor(r.url('gst'), 'tcp', 3)]);
      const state = relayState(r, 'gst');
      expectPlays(u, state);
      if (transport === 'udp') expectPlays(t, state);
      else expectClean(t, 60); // 3 s at 25 fps
    }, 60_000);
  }
});
