// The HTTP port under a hostile address: per-address limits answered as HTTP 503 JSON, a WebSocket close 1013 and a tunnel 503 (its POST still let through); silent and half-sent heads 408; half-sent RTSP in the WebSocket and HTTP tunnels 408; another address is served.
import { get as httpGet } from 'node:http';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Bystander, connectFrom, OTHER_ADDRESS } from '../helpers/bystander.js';
import { HttpTunnelClient } from '../helpers/http-tunnel-client.js';
import { waitFor } from '../helpers/read.js';
import { bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';

const PER_ADDRESS = 20;
const opened: { destroy(): void }[] = [];
afterEach(() => {
  for (const s of opened.splice(0)) s.destroy();
});

/** A raw socket to the HTTP port from `from`, recording what it gets until it closes. */
async function raw(port: number, from = '127.0.0.1'): Promise<{ sock: Socket; text: () => string; closed: Promise<void> }> {
  const sock = await connectFrom(port, from);
  opened.push(sock);
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => undefined);
  return { sock, text: () => Buffer.concat(chunks).toString('latin1'), closed: new Promise((r) => sock.on('close', () => r())) };
}

/** GET `path` from `localAddress` with node's client: status and body. */
function fetchFrom(port: number, path: string, localAddress: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet({ host: '127.0.0.1', port, path, localAddress, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
  });
}

const jsonBody = (text: string): { error: string; status: number } => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));

describe('connections per address on the HTTP port', () => {
  let srv: TestServer;
  beforeAll(async () => {
    // Heads may take 30 s here, so that the idle sockets hold their slots for the whole case.
    srv = await startTestServer({ maxConnectionsPerAddress: PER_ADDRESS, readTimeout: 30 });
  });
  afterAll(async () => {
    await srv.close();
  });

  it('past the limit: 503 JSON for HTTP, close 1013 for a WebSocket, 503 for a tunnel GET; its POST pairs; another address is served', async () => {
    // A tunnel opened first holds one slot; its POST will come when the address is full.
    const tunnel = await HttpTunnelClient.open(srv.httpPort, 'first-tunnel');
    opened.push(tunnel.get);
    for (let i = 0; i < PER_ADDRESS - 1; i++) await raw(srv.httpPort);
    await waitFor(() => srv.http.guard.from('127.0.0.1') === PER_ADDRESS, 20_000, 'the sockets to be counted');

    const api = await raw(srv.httpPort);
    api.sock.write('GET /api/v1/paths HTTP/1.1\r\nHost: x\r\n\r\n');
    await api.closed;
    expect(api.text()).toMatch(/^HTTP\/1\.1 503 /);
    expect(jsonBody(api.text())).toEqual({ status: 503, error: expect.stringMatching(/127\.0\.0\.1 already has 20 connections open on the HTTP port.*maxConnectionsPerAddress/) });

    const ws = new WebSocket(`ws://127.0.0.1:${srv.httpPort}/rtsp`, 'rtsp', { localAddress: '127.0.0.1' });
    opened.push({ destroy: () => ws.terminate() });
    const closed = await new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: reason.toString() })));
    expect(closed.code).toBe(1013);
    expect(closed.reason).toMatch(/maxConnectionsPerAddress/);

    const get = await raw(srv.httpPort);
    get.sock.write('GET / HTTP/1.0\r\nx-sessioncookie: over-limit\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n');
    await get.closed;
    expect(get.text()).toMatch(/^HTTP\/1\.1 503 [\s\S]*maxConnectionsPerAddress/);

    // The first tunnel's POST belongs to a connection already counted: it is let through.
    opened.push(await tunnel.openPost());
    expect((await tunnel.request('OPTIONS', `rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4`)).status).toBe(200);

    const other = await fetchFrom(srv.httpPort, '/api/v1/paths', OTHER_ADDRESS);
    expect(other.status).toBe(200);
  }, 60_000);
});

describe('slow and silent clients on the HTTP port and its tunnels', () => {
  let srv: TestServer;
  let bystander: Bystander;
  beforeAll(async () => {
    srv = await startTestServer({ readTimeout: 1, idleTimeout: 2 });
    bystander = await Bystander.start(srv.rtspPort);
  });
  afterAll(async () => {
    bystander?.close();
    await srv.close();
  });

  it('a socket that sends nothing, and one whose head stops half-way, get 408 JSON and are closed', async () => {
    const silent = await raw(srv.httpPort);
    const half = await raw(srv.httpPort);
    half.sock.write('GET /api/v1/paths HTTP/1.1\r\nHost: x\r\n');
    await Promise.all([silent.closed, half.closed]);
    for (const a of [silent, half]) {
      expect(a.text()).toMatch(/^HTTP\/1\.1 408 /);
      expect(jsonBody(a.text())).toEqual({ status: 408, error: 'the request head was not complete within 1 s (readTimeout)' });
    }
    expect((await fetchFrom(srv.httpPort, '/api/v1/paths', OTHER_ADDRESS)).status).toBe(200);
    await bystander.stillServed();
  }, 30_000);

  it('RTSP over WebSocket: a half-sent request gets 408 and close 1008; a connection with no session closes after idleTimeout', async () => {
    const url = `ws://127.0.0.1:${srv.httpPort}/rtsp`;
    const slow = await WsRtspClient.open(url, 'rtsp');
    opened.push({ destroy: () => slow.ws.terminate() });
    const answer = slow.next();
    slow.ws.send(Buffer.from(`DESCRIBE rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 4\r\n`));
    const r = await answer;
    expect(r.status).toBe(408);
    expect(bodyText(r)).toMatch(/readTimeout/);
    const c1 = await slow.closed;
    expect(c1.code).toBe(1008);
    expect(c1.reason).toMatch(/readTimeout/);

    const idle = await WsRtspClient.open(url, 'rtsp');
    opened.push({ destroy: () => idle.ws.terminate() });
    expect((await idle.request('OPTIONS', `rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4`)).status).toBe(200);
    const c2 = await idle.closed;
    expect(c2.code).toBe(1008);
    expect(c2.reason).toMatch(/without a session or a request \(idleTimeout\)/);
    await bystander.stillServed();
  }, 30_000);

  it.each(['http', 'rtsp'] as const)('RTSP over HTTP on the %s port: a half-sent request on the POST gets 408 on the GET', async (port) => {
    const t = await HttpTunnelClient.open(port === 'http' ? srv.httpPort : srv.rtspPort, `slow-post-${port}`);
    opened.push(t.get);
    opened.push(await t.openPost());
    const answer = t.next();
    await t.sendBase64(Buffer.from(`OPTIONS rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 9\r\n`).toString('base64'));
    const r = await answer;
    expect(r.status).toBe(408);
    expect(bodyText(r)).toMatch(/readTimeout/);
    await t.closed;
    await bystander.stillServed();
  }, 30_000);
});
