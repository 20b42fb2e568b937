// The REST API and Prometheus metrics, against a real server with a file reader and an ffmpeg publisher.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { VERSION } from '../../server/version.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, udpReceiver, type UdpReceiver } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let pub: ChildProcess | undefined;
let rtsp: RawRtspClient;
let rx: UdpReceiver;

const get = async (path: string): Promise<{ status: number; body: any; headers: Headers }> => {
  const r = await fetch(srv.httpUrl(path));
  const text = await r.text();
  return { status: r.status, headers: r.headers, body: r.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text };
};

beforeAll(async () => {
  // The file reader below sends no RTCP: a long session timeout keeps it through a slow run of this file.
  srv = await startTestServer({ sessionTimeout: 3600 });
  pub = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('cams/door')], { stdio: 'ignore' });
  // A file reader over UDP, left playing for the duration of the tests.
  rtsp = await RawRtspClient.open(srv.rtspPort);
  rx = await udpReceiver();
  const s = await rtsp.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: `RTP/AVP;unicast;client_port=${rx.rtpPort}-${rx.rtcpPort}` });
  await rtsp.request('PLAY', srv.url('sample.mp4'), { Session: parseSession(s.headers.get('Session')!).id });
  await waitFor(async () => (await get('api/v1/paths')).body.live.some((p: { running: boolean; packets: number }) => p.running && p.packets > 0), 50_000, 'the publisher to go live');
}, 60_000);
afterAll(async () => {
  pub?.kill('SIGKILL');
  rtsp?.close();
  rx?.close();
  await srv?.close();
});

describe('REST API', () => {
  it('GET /api/v1/status: version, ports, counts', async () => {
    const { status, body, headers } = await get('api/v1/status');
    expect(status).toBe(200);
    expect(headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ server: 'tidecast', version: VERSION, rtspPort: srv.rtspPort, liveStreams: 1 });
    expect(body.rtspSessions).toBeGreaterThanOrEqual(2); // our reader and the publisher
    expect(VERSION).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('GET /api/v1/paths lists media files and the live path with its publisher and tracks', async () => {
    const { body } = await get('api/v1/paths');
    expect(body.files.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['sample.mp4', 'sample.mkv', 'sample.ts']));
    const live = body.live.find((p: { name: string }) => p.name === 'cams/door');
    expect(live).toMatchObject({ kind: 'live', running: true, tracks: [{ kind: 'video', codec: 'H264', width: 640, height: 360 }, { kind: 'audio', codec: 'AAC', channels: 2 }] });
    expect(live.publisher.address).toBe('127.0.0.1');
    expect(live.packets).toBeGreaterThan(0);
  });

  it('GET /api/v1/paths/<name> describes a file (demuxed) or a live path; unknown names are a JSON 404', async () => {
    const file = await get('api/v1/paths/sample.mp4');
    expect(file.body).toMatchObject({ name: 'sample.mp4', kind: 'file', tracks: [{ codec: 'H264', width: 640, height: 360 }, { codec: 'AAC', channels: 2 }] });
    expect(file.body.duration).toBeCloseTo(20, 0);
    expect((await get('api/v1/paths/cams/door')).body.name).toBe('cams/door');
    const missing = await get('api/v1/paths/nope.mp4');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/no path named "nope\.mp4"/);
    const badEndpoint = await get('api/v1/frobnicate');
    expect(badEndpoint.status).toBe(404);
    expect(badEndpoint.body.error).toMatch(/no API endpoint GET \/api\/v1\/frobnicate/);
  });

  it('GET /api/v1/sessions shows the file reader (UDP) and the publisher (TCP)', async () => {
    const { body } = await get('api/v1/sessions');
    const reader = body.sessions.find((s: { path: string }) => s.path === 'sample.mp4');
    expect(reader).toMatchObject({ role: 'reader', protocol: 'rtsp-udp', media: 'file', state: 'playing', transports: ['udp'], address: '127.0.0.1', dropped: 0 });
    const publisher = body.sessions.find((s: { path: string }) => s.path === 'cams/door');
    expect(publisher).toMatchObject({ role: 'publisher', protocol: 'rtsp-tcp', media: 'publish', state: 'recording', transports: ['tcp', 'tcp'] });
  });
});

describe('Prometheus metrics', () => {
  it('GET /metrics: text exposition with sessions, streams, packets and process metrics', async () => {
    const { status, body, headers } = await get('metrics');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toMatch(/^tidecast_rtsp_sessions\{role="file",transport="udp"\} 1$/m);
    expect(body).toMatch(/^tidecast_rtsp_sessions\{role="publish",transport="tcp"\} 1$/m);
    expect(body).toMatch(/^tidecast_live_streams 1$/m);
    expect(body).toMatch(/^# TYPE tidecast_stream_packets_total counter$/m);
    const packets = Number(/^tidecast_stream_packets_total\{path="cams\/door"\} (\d+)$/m.exec(body)?.[1]);
    expect(packets).toBeGreaterThan(0);
    expect(body).toMatch(/^tidecast_process_resident_memory_bytes \d+/m);
    // Counters only go up while the stream runs.
    const counted = async (): Promise<number> => Number(/^tidecast_stream_packets_total\{path="cams\/door"\} (\d+)$/m.exec((await get('metrics')).body)?.[1]);
    await waitFor(async () => (await counted()) > packets, 30_000, 'the packet counter to go up');
  });
});
