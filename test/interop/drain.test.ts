// Server-initiated requests: a drain REDIRECTs a relay from one Tidecast to another without a gap, new requests get 302,
// an ffmpeg reader that ignores REDIRECT is torn down at the grace time; a republish with other codecs is ANNOUNCEd and followed.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { CliServer, configDir } from '../helpers/cli-server.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

const servers: TestServer[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const s of servers.splice(0).reverse()) await s.close();
});

async function server(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const s = await startTestServer(overrides);
  servers.push(s);
  return s;
}

/** ffmpeg publishing `args` (after the input) to `url` over TCP, looping, in real time. */
function publish(url: string, args: string[]): ChildProcess {
  const p = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, ...args, '-f', 'rtsp', '-rtsp_transport', 'tcp', url], { stdio: 'ignore' });
  children.push(p);
  return p;
}

const packetsOf = (s: TestServer, path: string): number => s.paths.livePath(path).stream?.packets ?? 0;
const readersOn = (s: TestServer, path: string): number => s.paths.clients.list().filter((c) => c.path === path && c.role === 'reader' && c.protocol.startsWith('rtsp')).length;

describe('drain', () => {
  it('moves a relay to the other server without a new stream; new requests get 302; progressive ends; a reader that ignores REDIRECT goes at the grace time', async () => {
    const origin = await server();
    publish(origin.url('live/cam'), ['-c', 'copy']);
    await waitFor(() => origin.paths.livePath('live/cam').stream !== undefined, 20_000, 'the origin publisher');
    // A and B serve the same live source (both relay the origin); C relays A.
    const a = await server({ paths: { cam: { source: origin.url('live/cam'), sourceOnDemand: false } } });
    const b = await server({ paths: { cam: { source: origin.url('live/cam'), sourceOnDemand: false } } });
    const c = await server({ paths: { cam: { source: a.url('cam'), sourceOnDemand: false } } });
    await waitFor(() => packetsOf(c, 'cam') > 50, 20_000, 'the relay C playing from A');
    const stream = c.paths.livePath('cam').stream!;
    // A reader of C's path, over TCP: what it gets must not show the switch.
    const watcher = await RawRtspClient.open(c.rtspPort);
    onTestFinished(() => void watcher.socket.destroy());
    const setup = await watcher.request('SETUP', `${c.url('cam')}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect((await watcher.request('PLAY', c.url('cam'), { Session: setup.headers.get('Session')!.split(';')[0]! })).status).toBe(200);
    // ffmpeg reads A over TCP and knows nothing of REDIRECT.
    const reader = spawn(resolveFfmpeg(), ['-v', 'error', '-rtsp_transport', 'tcp', '-i', a.url('cam'), '-c', 'copy', '-f', 'null', '-'], { stdio: 'ignore' });
    children.push(reader);
    const readerGone = new Promise<number | null>((r) => reader.once('exit', (code) => r(code)));
    await waitFor(() => readersOn(a, 'cam') === 2, 20_000, 'the relay and ffmpeg reading A');
    // A progressive HTTP reader of A.
    const progressive = await fetch(a.httpUrl('cam/stream.ts'));
    const body = progressive.body!.getReader();
    await body.read();

    const report = a.drain({ location: `rtsp://127.0.0.1:${b.rtspPort}`, httpLocation: `http://127.0.0.1:${b.httpPort}`, graceMs: 4000 });
    // The progressive response ends; HLS (and any stream request) answers 302 to B.
    for (let r = await body.read(); !r.done; r = await body.read());
    const hls = await fetch(a.httpUrl('cam/index.m3u8?x=1'), { redirect: 'manual' });
    expect(hls.status).toBe(302);
    expect(hls.headers.get('location')).toBe(`http://127.0.0.1:${b.httpPort}/cam/index.m3u8?x=1`);
    // New requests for the path go to B.
    const raw = await RawRtspClient.open(a.rtspPort);
    const res = await raw.request('DESCRIBE', a.url('cam'), { Accept: 'application/sdp' });
    raw.socket.destroy();
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe(`rtsp://127.0.0.1:${b.rtspPort}/cam`);
    // C follows the REDIRECT: it reads B now, and its path kept the same stream.
    await waitFor(() => c.paths.clients.list().some((r) => r.protocol === 'relay' && r.port === b.rtspPort), 15_000, 'the relay C reading B');
    await waitFor(() => readersOn(a, 'cam') === 1, 15_000, 'the relay gone from A');
    const before = packetsOf(c, 'cam');
    await waitFor(() => packetsOf(c, 'cam') > before + 50, 15_000, 'packets on C after the move');
    expect(c.paths.livePath('cam').stream).toBe(stream);
    // C's reader saw one RTP stream: one SSRC, sequence numbers without a gap across the switch.
    const rtp = watcher.frames.filter((f) => f.channel === 0).map((f) => ({ seq: (f.data[2]! << 8) | f.data[3]!, ssrc: new DataView(f.data.buffer, f.data.byteOffset).getUint32(8) }));
    expect(new Set(rtp.map((p) => p.ssrc)).size).toBe(1);
    const gaps = rtp.slice(1).filter((p, i) => p.seq !== ((rtp[i]!.seq + 1) & 0xffff));
    expect(gaps, `${rtp.length} packets`).toEqual([]);
    expect(readersOn(b, 'cam')).toBe(1);
    // ffmpeg stayed on A: torn down at the grace time, and A closes.
    const r = await report;
    expect(r).toMatchObject({ redirected: 2, tornDown: 1 });
    expect(r.tookMs).toBeGreaterThanOrEqual(4000);
    await readerGone;
  });

  it('a republish with other codecs is ANNOUNCEd to the relay, which sets the new stream up on the same connection', async () => {
    const up = await server();
    const first = publish(up.url('live/x'), ['-c', 'copy']);
    await waitFor(() => up.paths.livePath('live/x').stream !== undefined, 20_000, 'the first publisher');
    const relay = await server({ paths: { r: { source: up.url('live/x'), sourceOnDemand: false } } });
    await waitFor(() => packetsOf(relay, 'r') > 20, 20_000, 'the relay playing');
    expect(relay.paths.livePath('r').stream!.tracks.map((t) => t.codec).sort()).toEqual(['AAC', 'H264']);
    const upstreamConnections = up.rtsp.connections.size;
    first.kill('SIGKILL');
    await waitFor(() => up.paths.livePath('live/x').stream === undefined, 10_000, 'the first publisher gone');
    // The second publisher sends audio only.
    publish(up.url('live/x'), ['-map', '0:a', '-c', 'copy']);
    await waitFor(() => relay.paths.livePath('r').stream?.tracks.length === 1 && packetsOf(relay, 'r') > 10, 15_000, 'the relay on the new stream');
    expect(relay.paths.livePath('r').stream!.tracks.map((t) => t.codec)).toEqual(['AAC']);
    // Followed on the connection it had: no reconnect (the publisher's connection went, the relay's stayed).
    expect(up.rtsp.connections.size).toBe(upstreamConnections);
    // The relay answered the server's ANNOUNCE on the server's connection (a response the server parsed and matched).
    expect([...up.rtsp.connections].flatMap((c) => c.outbox.answers)).toContainEqual({ method: 'ANNOUNCE', status: 200 });
  });

  it('SIGUSR2 drains to the configured target: a session gets REDIRECT, new requests 302, the process exits at the grace time', async () => {
    const b = await server();
    const cfg = configDir();
    onTestFinished(cfg.cleanup);
    cfg.write(`drain:\n  location: rtsp://127.0.0.1:${b.rtspPort}\n  grace: 2s\n`);
    const a = await CliServer.start(cfg.file);
    onTestFinished(() => a.stop());
    const raw = await RawRtspClient.open(a.rtspPort);
    onTestFinished(() => void raw.socket.destroy());
    const url = a.url('sample.mp4');
    expect((await raw.request('DESCRIBE', url, { Accept: 'application/sdp' })).status).toBe(200);
    const setup = await raw.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    const session = setup.headers.get('Session')!.split(';')[0]!;
    expect((await raw.request('PLAY', url, { Session: session, Range: 'npt=0-' })).status).toBe(200);
    const exited = new Promise<number | null>((r) => a.p.once('exit', (code) => r(code)));
    a.p.kill('SIGUSR2');
    await waitFor(() => raw.text.join('').includes('REDIRECT rtsp://'), 10_000, 'the REDIRECT');
    const text = raw.text.join('');
    expect(text).toContain(`REDIRECT ${url} RTSP/1.0`);
    expect(text).toContain(`Location: rtsp://127.0.0.1:${b.rtspPort}/sample.mp4`);
    expect(text).toContain(`Session: ${session}`);
    expect(text).toMatch(/Range: clock=\d{8}T\d{6}Z-/);
    // A client that connects now is sent to B.
    const late = await RawRtspClient.open(a.rtspPort);
    const res = await late.request('DESCRIBE', url, { Accept: 'application/sdp' });
    late.socket.destroy();
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe(`rtsp://127.0.0.1:${b.rtspPort}/sample.mp4`);
    // This client ignores the REDIRECT: at the grace time it is torn down and the server exits.
    expect(await exited).toBe(0);
    expect(raw.closed).toBe(true);
    expect(a.lines.find((l) => /^drained to/.test(l.msg))).toMatchObject({ redirected: 1, tornDown: 1 });
  });

  it('the API: one session redirected, then the whole server drained (POST /api/v1/drain), refusals in words', async () => {
    const a = await server();
    const raw = await RawRtspClient.open(a.rtspPort);
    onTestFinished(() => void raw.socket.destroy());
    const url = a.url('sample.mp4');
    const setup = await raw.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1', Supported: 'org.tidecast.announce' });
    const session = setup.headers.get('Session')!.split(';')[0]!;
    const post = (path: string, body: unknown) => fetch(a.httpUrl(path), { method: 'POST', body: JSON.stringify(body) });
    expect((await post(`api/v1/sessions/${session}/redirect`, { location: 'rtsp://other:8554/sample.mp4' })).status).toBe(200);
    await waitFor(() => raw.text.join('').includes('REDIRECT '), 10_000, 'the REDIRECT');
    expect(raw.text.join('')).toContain('Location: rtsp://other:8554/sample.mp4');
    expect((await post(`api/v1/sessions/${session}/redirect`, { location: 'http://other/' })).status).toBe(400);
    expect((await post('api/v1/sessions/nope/redirect', { location: 'rtsp://other:8554/x' })).status).toBe(404);
    expect(await (await fetch(a.httpUrl('api/v1/drain'))).json()).toEqual({ draining: false });
    expect((await post('api/v1/drain', {})).status).toBe(400);
    const started = await post('api/v1/drain', { location: 'rtsp://other:8554', graceSeconds: 0.5 });
    expect(started.status).toBe(202);
    expect(await started.json()).toEqual({ draining: true, location: 'rtsp://other:8554', httpLocation: null, graceSeconds: 0.5 });
    expect((await post('api/v1/drain', { location: 'rtsp://other:8554' })).status).toBe(409);
    // The client stays: torn down at the grace time, its connection closed with the server.
    await waitFor(() => raw.closed, 10_000, 'the session torn down');
  });
});
