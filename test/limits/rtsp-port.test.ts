// The RTSP port under a hostile address: connections per address (503 with the reason), idle sockets closed, half-sent and trickled requests answered 408; another address is served throughout.
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RtspParser } from '../../server/rtsp/parser.js';
import { Bystander, connectFrom } from '../helpers/bystander.js';
import { httpOnce } from '../helpers/http-tunnel-client.js';
import { waitFor } from '../helpers/read.js';
import { bodyText, sleep } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const PER_ADDRESS = 20;
let srv: TestServer;
let bystander: Bystander;
beforeAll(async () => {
  srv = await startTestServer({ maxConnectionsPerAddress: PER_ADDRESS, readTimeout: 1, idleTimeout: 2 });
  bystander = await Bystander.start(srv.rtspPort);
});
afterAll(async () => {
  bystander?.close();
  await srv.close();
});

const opened: Socket[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  // Every socket of the attacker is gone before the next case counts its own.
  await waitFor(() => srv.rtsp.guard.from('127.0.0.1') === 0, 20_000, 'the attacker sockets to be released');
});

/** A socket from the attacker's address that records everything it receives. */
async function attacker(port = srv.rtspPort): Promise<{ sock: Socket; text: () => string; closed: Promise<void> }> {
  const sock = await connectFrom(port, '127.0.0.1');
  opened.push(sock);
  const chunks: Buffer[] = [];
  sock.on('data', (c: Buffer) => chunks.push(c));
  sock.on('error', () => undefined);
  const closed = new Promise<void>((r) => sock.on('close', () => r()));
  return { sock, text: () => Buffer.concat(chunks).toString('latin1'), closed };
}

const responses = (text: string) => new RtspParser().push(Buffer.from(text, 'latin1')).flatMap((i) => (i.type === 'response' ? [i.message] : []));

describe('connections per address on the RTSP port', () => {
  it(`holds ${PER_ADDRESS} from one address; the next gets 503 naming the limit; another address is served`, async () => {
    const idle = [];
    for (let i = 0; i < PER_ADDRESS; i++) idle.push(await attacker());
    await waitFor(() => srv.rtsp.guard.from('127.0.0.1') === PER_ADDRESS, 20_000, 'the idle sockets to be counted');
    const extra = await attacker();
    extra.sock.write(`OPTIONS rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 3\r\n\r\n`);
    await extra.closed;
    const [refused] = responses(extra.text());
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('CSeq')).toBe('3');
    expect(bodyText(refused!)).toMatch(/127\.0\.0\.1 already has 20 connections open on the RTSP port.*maxConnectionsPerAddress/);
    // Someone else connects and is served while the address is full.
    const other = await connectFrom(srv.rtspPort);
    opened.push(other);
    const answer = new Promise<string>((r) => other.once('data', (c: Buffer) => r(c.toString('latin1'))));
    other.write(`OPTIONS rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
    expect(await answer).toMatch(/^RTSP\/1\.0 200 OK/);
    await bystander.stillServed();
    // The idle ones say nothing and hold no session: closed after idleTimeout.
    await Promise.all(idle.map((a) => a.closed));
  }, 60_000);

  it('a plain HTTP request beyond the limit on the RTSP port is refused in HTTP', async () => {
    for (let i = 0; i < PER_ADDRESS; i++) await attacker();
    await waitFor(() => srv.rtsp.guard.from('127.0.0.1') === PER_ADDRESS, 20_000, 'the idle sockets to be counted');
    const a = await httpOnce(srv.rtspPort, 'GET / HTTP/1.0\r\nx-sessioncookie: over\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n');
    expect(a.status).toBe(503);
    expect(a.body).toMatch(/maxConnectionsPerAddress/);
  }, 60_000);
});

describe('a flood of silent connections from one address', () => {
  it('the refused ones do not fill the port: another address is admitted and served', async () => {
    const small = await startTestServer({ maxConnections: 40, maxConnectionsPerAddress: 10 });
    const mine: Socket[] = [];
    try {
      // 10 admitted, the rest refused (waiting for a first request to answer, or answered at once).
      for (let i = 0; i < 120; i++) {
        const s = await connectFrom(small.rtspPort, '127.0.0.1');
        s.on('error', () => undefined);
        mine.push(s);
      }
      await waitFor(() => small.rtsp.guard.from('127.0.0.1') === 10, 20_000, 'ten admitted');
      const other = await connectFrom(small.rtspPort);
      mine.push(other);
      const answer = new Promise<string>((r) => other.once('data', (c: Buffer) => r(c.toString('latin1'))));
      other.write(`OPTIONS rtsp://127.0.0.1:${small.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 1\r\n\r\n`);
      expect(await answer).toMatch(/^RTSP\/1\.0 200 OK/);
      expect(small.rtsp.guard.refused).toBe(110);
    } finally {
      for (const s of mine) s.destroy();
      await small.close();
    }
  }, 60_000);
});

describe('half-sent requests on the RTSP port (slowloris)', () => {
  it('a request head that stops half-way gets 408 with the reason and is closed', async () => {
    const a = await attacker();
    a.sock.write(`DESCRIBE rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 5\r\n`);
    await a.closed;
    const [r] = responses(a.text());
    expect(r?.status).toBe(408);
    expect(bodyText(r!)).toMatch(/not completed within 1 s of its first byte \(readTimeout\)/);
    await bystander.stillServed();
  }, 30_000);

  it('a head trickled a byte at a time is cut off too (the limit counts from its first byte)', async () => {
    const a = await attacker();
    // Long enough that, a byte every 50 ms, it would take minutes to finish.
    const text = `OPTIONS rtsp://127.0.0.1:${srv.rtspPort}/sample.mp4 RTSP/1.0\r\nCSeq: 6\r\nX-Slow: ${'s'.repeat(4000)}\r\n\r\n`;
    let done = false;
    void a.closed.then(() => (done = true));
    let sent = 0;
    while (sent < text.length && !done) {
      a.sock.write(text[sent++]!);
      await sleep(50);
    }
    await a.closed;
    expect(sent).toBeLessThan(text.length);
    expect(responses(a.text()).map((r) => r.status)).toEqual([408]);
  }, 60_000);

  it('a body promised by Content-Length and never sent gets 408', async () => {
    const a = await attacker();
    a.sock.write(`ANNOUNCE rtsp://127.0.0.1:${srv.rtspPort}/live/slow RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: 500\r\n\r\nv=0\r\n`);
    await a.closed;
    expect(responses(a.text()).map((r) => r.status)).toEqual([408]);
  }, 30_000);

  it('an RTSP-over-HTTP head on the RTSP port that never ends gets 408', async () => {
    const a = await attacker();
    a.sock.write('GET /slow HTTP/1.0\r\nx-sessioncookie: slow\r\n');
    await a.closed;
    expect(a.text()).toMatch(/^HTTP\/1\.0 408 Request Timeout\r\n[\s\S]*readTimeout/);
    await bystander.stillServed();
  }, 30_000);
});
