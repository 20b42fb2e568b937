// Hostile floods over raw sockets: garbage lines from a client that never reads (RTSP port and the HTTP tunnel's POST), pipelining past the limit, bare-CR requests; each answered in words and bounded while a bystander is served.
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PENDING } from '../../server/rtsp/connection.js';
import { RtspParser } from '../../server/rtsp/parser.js';
import type { RtspResponse } from '../../server/rtsp/message.js';
import { Bystander } from '../helpers/bystander.js';
import { HttpTunnelClient } from '../helpers/http-tunnel-client.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let bystander: Bystander;
beforeAll(async () => {
  srv = await startTestServer();
  bystander = await Bystander.start(srv.rtspPort);
});
afterAll(async () => {
  bystander?.close();
  await srv.close();
});

const opened: { destroy(): void }[] = [];
afterEach(() => {
  for (const o of opened.splice(0)) o.destroy();
});

/** 1 MB of "x\n": half a million lines, each of which deserves a 400. */
const GARBAGE = Buffer.from('x\n'.repeat(512 * 1024));
const MB = 1024 * 1024;

/** The RTSP answers in `bytes` (interleaved frames and errors aside). */
function answers(bytes: Buffer): RtspResponse[] {
  return new RtspParser().push(bytes).flatMap((i) => (i.type === 'response' ? [i.message] : []));
}

/** Reads what a paused socket has been sent, until the server has closed it. */
function drain(sock: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', () => undefined);
    sock.on('close', () => resolve(Buffer.concat(chunks)));
    sock.resume();
  });
}

describe('a client that floods garbage and never reads', () => {
  it('RTSP port: answers the first lines, then 503 and close; memory stays bounded and the bystander is served', async () => {
    const rssBefore = process.memoryUsage().rss;
    const conns = new Set(srv.rtsp.connections);
    const attackers: Socket[] = [];
    // Three at once: the report had three such connections freeze the server for 150 s at 4.3 GB.
    for (let i = 0; i < 3; i++) {
      const c = await RawRtspClient.open(srv.rtspPort);
      c.socket.pause();
      c.socket.write(GARBAGE);
      attackers.push(c.socket);
      opened.push(c.socket);
    }
    const mine = (): number => [...srv.rtsp.connections].filter((c) => !conns.has(c)).length;
    await waitFor(() => mine() === 0, 30_000, 'the flooding connections to be closed');
    const rssGrowth = process.memoryUsage().rss - rssBefore;
    await bystander.stillServed();
    for (const sock of attackers) {
      const got = answers(await drain(sock));
      // Every answer that was due, then the reason the connection ends.
      expect(got.length).toBe(MAX_PENDING + 1);
      expect(got.slice(0, MAX_PENDING).every((r) => r.status === 400)).toBe(true);
      const last = got[MAX_PENDING]!;
      expect(last.status).toBe(503);
      expect(bodyText(last)).toMatch(/more than 32 requests are waiting for an answer on this connection/);
    }
    // Before the fix: +600 MB for one connection. What is left is the parse of one 4 KiB slice each.
    expect(rssGrowth).toBeLessThan(50 * MB);
  }, 90_000);

  it('HTTP tunnel POST side: the same garbage, base64 on the POST, with the GET never read', async () => {
    const conns = new Set(srv.rtsp.connections);
    const t = await HttpTunnelClient.open(srv.httpPort, 'flood-post');
    opened.push(t.get);
    t.get.pause();
    const post = await t.openPost();
    opened.push(post);
    const rssBefore = process.memoryUsage().rss;
    post.write(GARBAGE.toString('base64'));
    const mine = (): number => [...srv.rtsp.connections].filter((c) => !conns.has(c)).length;
    await waitFor(() => mine() === 0, 30_000, 'the flooding tunnel to be closed');
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(50 * MB);
    await bystander.stillServed();
  }, 90_000);

  it('valid requests sent without reading the answers: cut off once the unread answers pass the bound', async () => {
    const conns = new Set(srv.rtsp.connections);
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c.socket);
    c.socket.pause();
    // Each answer (451 naming every unknown parameter) is about twice its request.
    const names = Array.from({ length: 60 }, (_, i) => `unknown_parameter_${i}`).join('\r\n');
    const ask = Buffer.from(`GET_PARAMETER rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 1\r\nContent-Type: text/parameters\r\nContent-Length: ${names.length}\r\n\r\n${names}`);
    c.socket.write(ask);
    await waitFor(() => [...srv.rtsp.connections].some((x) => !conns.has(x)), 20_000, 'the connection to be accepted');
    const conn = [...srv.rtsp.connections].find((x) => !conns.has(x))!;
    let sent = 1;
    let maxQueued = 0;
    while (!conn.closed && sent < 50_000) {
      // Four at a time, each batch once the server has read the one before: never near the pipelining limit.
      const seen = conn.lastInputAt;
      for (let i = 0; i < 4; i++) c.socket.write(ask);
      sent += 4;
      while (!conn.closed && conn.lastInputAt === seen) await new Promise((r) => setImmediate(r));
      maxQueued = Math.max(maxQueued, conn.queuedBytes);
    }
    expect(conn.closed).toBe(true);
    // Cut off at the bound (tcpQueueBytes + 256 KiB of answers), not before, and not much after.
    expect(maxQueued).toBeGreaterThan(2 * MB);
    expect(maxQueued).toBeLessThan(2 * MB + 256 * 1024 + 64 * 1024);
    await bystander.stillServed();
  }, 90_000);
});

describe('pipelining past the limit and bare CR', () => {
  it(`answers ${MAX_PENDING} pipelined requests, then 503 with the reason, then closes`, async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c.socket);
    const url = `rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4`;
    const batch = Array.from({ length: 40 }, (_, i) => `OPTIONS ${url} RTSP/1.0\r\nCSeq: ${i + 1}\r\n\r\n`).join('');
    c.socket.write(batch);
    await waitFor(() => c.closed, 20_000, 'the connection to close');
    const got = answers(Buffer.from(c.text.join(''), 'latin1'));
    expect(got.slice(0, MAX_PENDING).map((r) => r.status)).toEqual(Array(MAX_PENDING).fill(200));
    const last = got[MAX_PENDING]!;
    expect(last.status).toBe(503);
    expect(last.headers.get('CSeq')).toBe(String(MAX_PENDING + 1));
    expect(bodyText(last)).toMatch(/read the answers before sending more/);
    expect(got).toHaveLength(MAX_PENDING + 1);
  });

  it('answers a request whose lines end in a bare CR (RFC 2326 §4)', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    opened.push(c.socket);
    const r = await c.raw(`DESCRIBE rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\rCSeq: 7\rAccept: application/sdp\r\r`);
    expect(r.status).toBe(200);
    expect(r.headers.get('CSeq')).toBe('7');
    expect(bodyText(r)).toMatch(/^v=0/);
    // And a bare-CR line of garbage gets its 400 at once, not after a timeout.
    const bad = await c.raw('hello there\r');
    expect(bad.status).toBe(400);
  });
});
