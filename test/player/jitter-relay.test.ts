// The jitter relay against a real ws echo server: every message delivered with its type, order changed within the window, jitter off at runtime, close and refusal passed on.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { startJitterRelay, type JitterRelay } from '../helpers/jitter-relay.js';

interface Echo {
  wss: WebSocketServer;
  port: number;
  /** What the echo server received, per connection, in order. */
  received: string[][];
  paths: string[];
}

async function startEcho(): Promise<Echo> {
  const wss = new WebSocketServer({
    port: 0,
    host: '127.0.0.1',
    handleProtocols: (p) => (p.has('rtsp') ? 'rtsp' : false),
    verifyClient: (info: { req: { url?: string } }) => info.req.url !== '/forbidden',
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const echo: Echo = { wss, port: (wss.address() as AddressInfo).port, received: [], paths: [] };
  wss.on('connection', (ws, req) => {
    const log: string[] = [];
    echo.received.push(log);
    echo.paths.push(req.url ?? '');
    ws.on('message', (data, isBinary) => {
      const text = Buffer.from(data as Buffer).toString();
      log.push(text);
      if (text === 'bye') ws.close(4001, 'asked to');
      else ws.send(data, { binary: isBinary });
    });
  });
  return echo;
}

interface Got {
  body: string;
  binary: boolean;
}

async function connect(url: string): Promise<{ ws: WebSocket; got: Got[]; waitFor: (n: number) => Promise<void> }> {
  const ws = new WebSocket(url, ['rtsp']);
  const got: Got[] = [];
  let wake = (): void => {};
  ws.on('message', (data, isBinary) => {
    got.push({ body: Buffer.from(data as Buffer).toString(), binary: isBinary });
    wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const waitFor = (n: number): Promise<void> =>
    new Promise((resolve) => {
      wake = () => {
        if (got.length >= n) resolve();
      };
      wake();
    });
  return { ws, got, waitFor };
}

/** Event-loop turns until `cond` holds (a real-time deadline: the timers may be simulated meanwhile). */
async function until(cond: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** Largest number of later messages that overtook any one message. */
function maxOvertaken(order: number[]): number {
  let worst = 0;
  order.forEach((v, pos) => {
    let n = 0;
    for (let k = 0; k < pos; k++) if (order[k]! > v) n++;
    worst = Math.max(worst, n);
  });
  return worst;
}

describe('jitter relay', () => {
  let echo: Echo;
  let relay: JitterRelay;
  beforeAll(async () => {
    echo = await startEcho();
    relay = await startJitterRelay({ upstream: `ws://127.0.0.1:${echo.port}/rtsp`, maxDelayMs: 150, reorderWindow: 8, seed: 42 });
  });
  afterAll(async () => {
    await relay.close();
    await new Promise<void>((r) => echo.wss.close(() => r()));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers every message, binary and text as sent, reordered within the window while jitter is on', async () => {
    const c = await connect(relay.url('/rtsp'));
    expect(c.ws.protocol).toBe('rtsp');
    const N = 300;
    // The relay's delays run on a simulated clock: all N messages come back from the echo server
    // and wait at the relay at the same simulated instant, so the order they leave in is the
    // seeded delays' alone, whatever the machine's load.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    for (let i = 0; i < N; i++) {
      if (i % 10 === 0) c.ws.send(`text ${i}`);
      else c.ws.send(Buffer.from(`bin ${i}`), { binary: true });
    }
    await until(() => relay.stats().delayed === N, 'every echo to reach the relay');
    expect(c.got).toEqual([]);
    await vi.advanceTimersByTimeAsync(150);
    vi.useRealTimers();
    await c.waitFor(N);
    // Client -> server: in order, untouched.
    const log = echo.received.at(-1)!;
    expect(log).toEqual(Array.from({ length: N }, (_, i) => (i % 10 === 0 ? `text ${i}` : `bin ${i}`)));
    expect(echo.paths.at(-1)).toBe('/rtsp');
    // Server -> client: all there once, types kept, order changed but never beyond the window.
    const order = c.got.map((g) => Number(g.body.split(' ')[1]));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: N }, (_, i) => i));
    for (const g of c.got) expect(g.binary).toBe(!g.body.startsWith('text'));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    expect(maxOvertaken(order)).toBeLessThanOrEqual(7);
    const s = relay.stats();
    expect(s).toMatchObject({ up: N, down: N, delayed: N });
    expect(s.reordered).toBeGreaterThan(N / 10);

    // Jitter off: what follows comes back in exactly the order sent.
    relay.setJitter(false);
    expect(relay.jitter).toBe(false);
    for (let i = N; i < N + 100; i++) c.ws.send(Buffer.from(`bin ${i}`), { binary: true });
    await c.waitFor(N + 100);
    expect(c.got.slice(N).map((g) => g.body)).toEqual(Array.from({ length: 100 }, (_, i) => `bin ${N + i}`));
    expect(relay.stats()).toMatchObject({ delayed: N, reordered: s.reordered });
    relay.setJitter(true);
    c.ws.close();
  });

  it('passes the upstream close on after what is in flight, with its code', async () => {
    const c = await connect(relay.url('/rtsp'));
    for (let i = 0; i < 20; i++) c.ws.send(`m ${i}`);
    c.ws.send('bye');
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      c.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 4001, reason: 'asked to' });
    expect(c.got.length).toBe(20);
  });

  it('refuses the client the way the upstream refused the relay', async () => {
    const ws = new WebSocket(relay.url('/forbidden'), ['rtsp']);
    const status = await new Promise<number>((resolve) => {
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', () => resolve(-1));
    });
    expect(status).toBe(401);
  });
});
