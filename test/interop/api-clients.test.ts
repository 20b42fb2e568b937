// The REST API sees every reader and publisher at once (RTSP over UDP, TCP, WebSocket and HTTP tunnel, progressive
// HTTP, HLS, an ffmpeg publisher), with protocols, paths and growing bytes; DELETE kicks one.
import { spawn, type ChildProcess } from 'node:child_process';
import { get as httpGet, type ClientRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ClientRecord } from '../../server/core/clients.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { hlsFetchOnce } from '../helpers/hls-fetch.js';
import { playLive, sawBye } from '../helpers/live-play.js';
import { waitFor, waitLive } from '../helpers/read.js';
import { RawRtspClient, udpReceiver, type UdpReceiver } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';
import { HttpTunnelClient } from '../helpers/http-tunnel-client.js';
import { sampleUrl } from '../../server/http/api/openapi.js';
import { appRoutes } from '../../server/http/api/route-walk.js';
import { z } from 'zod';

const PATH = 'live/api';
let srv: TestServer;
let publisher: ChildProcess;
let rx: UdpReceiver[] = [];
let udp: RawRtspClient;
let tcp: RawRtspClient;
let ws: WsRtspClient;
let tunnel: HttpTunnelClient;
let progressive: ClientRequest;
let progressiveBytes = 0;
const ids: Record<string, string> = {};

const api = async (path: string, method = 'GET'): Promise<{ status: number; body: any }> => {
  const r = await fetch(srv.httpUrl(`api/v1/${path}`), { method });
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return { status: r.status, body: await r.json() };
};
const sessions = async (): Promise<ClientRecord[]> => (await api('sessions')).body.sessions;
const one = async (id: string): Promise<ClientRecord> => (await api(`sessions/${id}`)).body;

beforeAll(async () => {
  srv = await startTestServer();
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)], { stdio: 'ignore' });
  await waitLive(srv.url(PATH), 'the publisher');
  rx = [await udpReceiver(), await udpReceiver()];
  udp = await RawRtspClient.open(srv.rtspPort);
  ids.udp = await playLive(udp, srv.url(PATH), rx);
  tcp = await RawRtspClient.open(srv.rtspPort);
  ids.tcp = await playLive(tcp, srv.url(PATH));
  ws = await WsRtspClient.open(`ws://127.0.0.1:${srv.httpPort}/rtsp`);
  ids.ws = await playLive(ws, srv.url(PATH));
  tunnel = await HttpTunnelClient.open(srv.httpPort, `cookie-${Date.now()}`, `/${PATH}`);
  await tunnel.openPost();
  ids.tunnel = await playLive(tunnel, srv.url(PATH));
  progressive = httpGet(srv.httpUrl(`${PATH}/stream.ts`), (res) => res.on('data', (c: Buffer) => (progressiveBytes += c.length)));
  progressive.on('error', () => {});
  await hlsFetchOnce(srv.httpUrl(PATH));
}, 120_000);
afterAll(async () => {
  progressive?.destroy();
  ws?.ws.terminate();
  tunnel?.close();
  udp?.close();
  tcp?.close();
  for (const r of rx) r.close();
  publisher?.kill('SIGKILL');
  await srv?.close();
});

describe('GET/DELETE /api/v1/sessions with every kind of client at once', () => {
  it('lists each client with its protocol, path and growing bytes; the publisher as publisher', async () => {
    const list = await sessions();
    const mine = list.filter((s) => s.path === PATH);
    const byProtocol = (p: string): ClientRecord[] => mine.filter((s) => s.protocol === p && s.role === 'reader');
    for (const p of ['rtsp-udp', 'rtsp-tcp', 'rtsp-ws', 'rtsp-http', 'progressive-ts', 'hls']) expect(byProtocol(p), p).toHaveLength(1);
    expect(mine.find((s) => s.id === ids.tunnel)?.protocol).toBe('rtsp-http');
    expect(mine.find((s) => s.id === ids.udp)?.protocol).toBe('rtsp-udp');
    expect(mine.find((s) => s.id === ids.tcp)?.protocol).toBe('rtsp-tcp');
    expect(mine.find((s) => s.id === ids.ws)?.protocol).toBe('rtsp-ws');
    const pub = mine.filter((s) => s.role === 'publisher');
    expect(pub).toHaveLength(1);
    expect(pub[0]).toMatchObject({ protocol: 'rtsp-tcp', state: 'recording', address: '127.0.0.1' });
    ids.progressive = byProtocol('progressive-ts')[0]!.id;
    ids.hls = byProtocol('hls')[0]!.id;
    expect(byProtocol('hls')[0]!.clientsSeen).toEqual(['127.0.0.1']);

    // Bytes grow for every streaming reader and the publisher; an HLS muxer's grow as it is fetched from.
    const before = new Map(mine.map((s) => [s.id, s.bytes]));
    await hlsFetchOnce(srv.httpUrl(PATH));
    await waitFor(async () => {
      const now = (await sessions()).filter((s) => s.path === PATH);
      return now.length === mine.length && now.every((s) => s.bytes > before.get(s.id)!);
    }, 30_000, 'every client’s bytes to grow');
    const rec = await one(ids.progressive);
    expect(rec).toMatchObject({ role: 'reader', protocol: 'progressive-ts', path: PATH, address: '127.0.0.1' });
    expect(rec.bytes).toBeLessThanOrEqual(progressiveBytes + 1_000_000);
  }, 60_000);

  it('GET /api/v1/paths/<name>: state, source, readers by protocol, bytes and bitrates', async () => {
    await waitFor(async () => (await api(`paths/${PATH}`)).body.bitrateOut > 0, 20_000, 'a bitrate out');
    const { status, body } = await api(`paths/${PATH}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      name: PATH,
      state: 'ready',
      source: { type: 'publisher', address: '127.0.0.1' },
      readers: 6,
      readersByProtocol: { 'rtsp-udp': 1, 'rtsp-tcp': 1, 'rtsp-ws': 1, 'rtsp-http': 1, 'progressive-ts': 1, hls: 1 },
      tracks: [{ codec: 'H264' }, { codec: 'AAC' }],
    });
    expect(body.bytesIn).toBeGreaterThan(0);
    expect(body.bytesOut).toBeGreaterThan(0);
    expect(body.bitrateIn).toBeGreaterThan(0);
    const listed = (await api('paths')).body.live.find((p: { name: string }) => p.name === PATH);
    expect(listed.readersByProtocol).toEqual(body.readersByProtocol);
  });

  it('GET /api/v1/openapi.json: every documented GET answers, every API route is documented, records fit the schemas', async () => {
    const { status, body: doc } = await api('openapi.json');
    expect(status).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    const pub = (await sessions()).find((s) => s.role === 'publisher' && s.path === PATH)!;
    const real = (template: string): string => template.replace('{name}', PATH).replace('{id}', pub.id);
    const documented: [string, string][] = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([p, ops]) => Object.keys(ops).map((m): [string, string] => [m.toUpperCase(), p]));
    for (const [method, p] of documented) {
      if (method !== 'GET') continue;
      const r = await fetch(`http://127.0.0.1:${srv.httpPort}${real(p)}`);
      expect(r.headers.get('content-type'), `GET ${p}`).toMatch(/^application\/json/);
      // A route may answer 404 for a resource it does not have (no recording of this path), but
      // never the API's catch-all "no API endpoint".
      const answer = (await r.json()) as { error?: string };
      if (r.status === 404) expect(answer.error, `GET ${p}`).not.toMatch(/^no API endpoint/);
    }
    // The reverse: each route of the app under /api answers at the URL of some documented operation.
    const routes = appRoutes(srv.http.app).filter((r) => r.pattern.includes('api'));
    expect(routes.length).toBeGreaterThan(0);
    for (const r of routes) {
      for (const m of r.methods) {
        const hit = documented.some(([dm, p]) => dm === m && r.answers(m, sampleUrl(p)));
        expect(hit, `${m} ${r.pattern} is not in the OpenAPI document`).toBe(true);
      }
    }
    // Every $ref resolves, and the records the API returns fit their schemas.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g)].map((m) => m[1]!);
    for (const name of refs) expect(doc.components.schemas[name], name).toBeDefined();
    const schema = (name: string) => z.fromJSONSchema({ $defs: JSON.parse(JSON.stringify(doc.components.schemas).replaceAll('#/components/schemas/', '#/$defs/')), $ref: `#/$defs/${name}` } as never);
    const fits = (name: string, value: unknown): void => {
      const r = schema(name).safeParse(value);
      expect(r.error?.issues ?? [], `${name}: ${JSON.stringify(value).slice(0, 300)}`).toEqual([]);
    };
    for (const s of await sessions()) fits('ClientRecord', s);
    const paths = (await api('paths')).body;
    for (const p of paths.live) fits('LivePath', p);
    for (const f of paths.files) fits('FilePath', f);
    fits('FilePath', (await api('paths/sample.mp4')).body);
    fits('Status', (await api('status')).body);
    fits('Error', (await api('sessions/nope')).body);
  }, 60_000);

  it('DELETE kicks the RTSP TCP reader: BYE, connection closed; the others keep reading', async () => {
    const k = await api(`sessions/${ids.tcp}`, 'DELETE');
    expect(k).toEqual({ status: 200, body: { kicked: ids.tcp } });
    await waitFor(() => tcp.closed, 10_000, 'the kicked connection to close');
    expect(sawBye(tcp.frames)).toBe(true);
    expect((await api(`sessions/${ids.tcp}`)).status).toBe(404);
    const again = await api(`sessions/${ids.tcp}`, 'DELETE');
    expect(again.status).toBe(404);
    expect(again.body.error).toMatch(/no session/);

    const udpN = rx[0]!.rtp.length;
    const wsN = ws.frames.length;
    const progN = progressiveBytes;
    await waitFor(() => rx[0]!.rtp.length > udpN && ws.frames.length > wsN && progressiveBytes > progN, 20_000, 'the other readers to keep reading');
    expect(sawBye(ws.frames)).toBe(false);
    const left = (await sessions()).filter((s) => s.path === PATH).map((s) => s.protocol).sort();
    expect(left).toEqual(['hls', 'progressive-ts', 'rtsp-http', 'rtsp-tcp', 'rtsp-udp', 'rtsp-ws']); // rtsp-tcp: the publisher
  }, 60_000);

  it('DELETE kicks the progressive reader (its response ends) and the HLS muxer', async () => {
    const ended = new Promise<void>((r) => progressive.on('close', () => r()));
    expect((await api(`sessions/${ids.progressive}`, 'DELETE')).status).toBe(200);
    await ended;
    expect((await api(`sessions/${ids.hls}`, 'DELETE')).status).toBe(200);
    await waitFor(async () => !(await sessions()).some((s) => s.id === ids.hls || s.id === ids.progressive), 10_000, 'both records to go');
  }, 30_000);

  it('a reader that leaves leaves the list; its bytes stay in the path\'s bytesOut', async () => {
    const out = (await api(`paths/${PATH}`)).body.bytesOut;
    ws.close();
    tunnel.close();
    await waitFor(async () => !(await sessions()).some((s) => s.id === ids.ws || s.id === ids.tunnel), 10_000, 'the WebSocket and tunnel readers to go');
    expect((await api(`paths/${PATH}`)).body.bytesOut).toBeGreaterThanOrEqual(out);
    expect((await api(`paths/${PATH}`)).body.readersByProtocol).toEqual({ 'rtsp-udp': 1 });
  }, 30_000);
});

describe('a relay source', () => {
  it('shows as a publisher of protocol relay, its path fed by source type relay; a kick drops the upstream session and it comes back', async () => {
    const relay = await startTestServer({ paths: { 'relay/api': { source: srv.url(PATH), sourceOnDemand: false } } });
    onTestFinished(() => relay.close());
    const relayed = async (): Promise<ClientRecord | undefined> => relay.paths.clients.list().find((c) => c.protocol === 'relay');
    await waitFor(async () => ((await relayed())?.bytes ?? 0) > 0, 30_000, 'the relay to publish');
    const first = (await relayed())!;
    expect(first).toMatchObject({ role: 'publisher', path: 'relay/api', address: '127.0.0.1', port: srv.rtspPort });
    const r = await fetch(`http://127.0.0.1:${relay.httpPort}/api/v1/paths/relay/api`);
    expect(await r.json()).toMatchObject({ state: 'ready', source: { type: 'relay', url: srv.url(PATH) } });
    // On the upstream, the relay's pull is an RTSP reader.
    expect((await sessions()).some((s) => s.role === 'reader' && s.path === PATH && s.protocol === 'rtsp-tcp')).toBe(true);
    const k = await fetch(`http://127.0.0.1:${relay.httpPort}/api/v1/sessions/${first.id}`, { method: 'DELETE' });
    expect(k.status).toBe(200);
    await waitFor(async () => {
      const now = await relayed();
      return now !== undefined && now.id !== first.id;
    }, 30_000, 'the relay to connect again');
  }, 90_000);
});

