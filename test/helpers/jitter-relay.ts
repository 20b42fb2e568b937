// A WebSocket relay for tests that adds seeded network jitter: server->client messages delayed 0-maxDelay ms and reordered within a window.
//
//   const relay = await startJitterRelay({ upstream: `ws://127.0.0.1:${server.httpPort}/rtsp`, seed: 1 });
//   page.goto(`${server.httpUrl('player/')}?src=sample.mp4&mode=ws&ws=${encodeURIComponent(relay.url('/rtsp'))}`);
//   ... relay.setJitter(false) ...   // the jitter stops: the player's playout target should come down
//   relay.stats();                   // { connections, up, down, delayed, reordered }
//   await relay.close();
//
// Every message keeps its type (binary or text) and its bytes; nothing is dropped. Client->server
// messages pass at once and in order (the RTSP requests); server->client messages (responses,
// `$` frames) get a delay drawn from a seeded PRNG, so they leave out of order - but no message is
// overtaken by more than `reorderWindow - 1` later ones: when message j is due, every message
// older than j - reorderWindow + 1 still waiting leaves first. Tidecast's WebSocket channel sends
// one whole RTSP message or `$` frame per WebSocket message, so reordering messages reorders RTP
// packets as a UDP network would, without cutting frames.
//
// The upstream connection is made first, with the client's subprotocols and path, and the client's
// upgrade is completed with the subprotocol the upstream chose (or refused with its status).

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import { prng } from './prng.js';

export interface JitterRelayOptions {
  /** Where to forward: a ws:// URL. A client asking for a path other than `/` gets that path on the upstream's host. */
  upstream: string;
  /** Largest delay added to a server->client message. Default 150 ms. */
  maxDelayMs?: number;
  /** Most a message can fall behind: reorderWindow - 1 later messages may overtake it. Default 8. */
  reorderWindow?: number;
  /** PRNG seed for the delays. Default 1. */
  seed?: number;
  /** Start with jitter on. Default true. */
  jitter?: boolean;
  host?: string;
}

export interface JitterRelayStats {
  /** Client connections relayed so far. */
  connections: number;
  /** Messages client -> server. */
  up: number;
  /** Messages server -> client, delivered. */
  down: number;
  /** Server -> client messages that went through the delay (jitter on). */
  delayed: number;
  /** Server -> client messages delivered after a later one. */
  reordered: number;
}

export interface JitterRelay {
  readonly port: number;
  /** ws://host:port + path (default `/`). */
  url(path?: string): string;
  setJitter(on: boolean): void;
  readonly jitter: boolean;
  stats(): JitterRelayStats;
  close(): Promise<void>;
}

interface Held {
  data: RawData;
  isBinary: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** The server->client direction of one relayed connection. */
class Lane {
  private nextIndex = 0;
  private maxSent = -1;
  /** Insertion order is index order: iteration finds the oldest first. */
  private readonly pending = new Map<number, Held>();
  private closing: { code: number; reason: Buffer } | undefined;

  constructor(
    private readonly client: WebSocket,
    private readonly relay: RelayState,
  ) {}

  push(data: RawData, isBinary: boolean): void {
    const i = this.nextIndex++;
    if (!this.relay.jitter) {
      // Jitter off leaves nothing pending (setJitter flushes), so sending now keeps the order.
      this.flushAll();
      this.send(i, { data, isBinary, timer: undefined });
      return;
    }
    this.relay.counts.delayed++;
    const held: Held = { data, isBinary, timer: undefined };
    this.pending.set(i, held);
    held.timer = setTimeout(() => this.fire(i), this.relay.rand() * this.relay.maxDelayMs);
  }

  flushAll(): void {
    for (const [k, h] of this.pending) this.send(k, h);
  }

  /** The upstream closed: deliver what is still in flight, then close the client the same way. */
  end(code: number, reason: Buffer): void {
    this.closing = { code, reason };
    this.maybeClose();
  }

  drop(): void {
    for (const h of this.pending.values()) clearTimeout(h.timer);
    this.pending.clear();
  }

  private fire(j: number): void {
    const me = this.pending.get(j);
    if (!me) return;
    for (const [k, h] of this.pending) {
      if (k > j - this.relay.reorderWindow) break;
      this.send(k, h);
    }
    if (this.pending.has(j)) this.send(j, me);
  }

  private send(i: number, h: Held): void {
    clearTimeout(h.timer);
    this.pending.delete(i);
    if (i < this.maxSent) this.relay.counts.reordered++;
    else this.maxSent = i;
    if (this.client.readyState === WebSocket.OPEN) {
      this.client.send(h.data, { binary: h.isBinary });
      this.relay.counts.down++;
    }
    this.maybeClose();
  }

  private maybeClose(): void {
    if (!this.closing || this.pending.size > 0) return;
    closeWith(this.client, this.closing.code, this.closing.reason);
  }
}

interface RelayState {
  jitter: boolean;
  maxDelayMs: number;
  reorderWindow: number;
  rand: () => number;
  counts: JitterRelayStats;
}

/** Codes 1005/1006 say "no code" and cannot be sent: they become 1000. */
function closeWith(ws: WebSocket, code: number, reason: Buffer): void {
  if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return;
  const ok = code === 1000 || (code >= 3000 && code <= 4999) || (code >= 1001 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006);
  ws.close(ok ? code : 1000, reason.subarray(0, 123));
}

export async function startJitterRelay(opts: JitterRelayOptions): Promise<JitterRelay> {
  const upstream = new URL(opts.upstream);
  const state: RelayState = {
    jitter: opts.jitter ?? true,
    maxDelayMs: opts.maxDelayMs ?? 150,
    reorderWindow: Math.max(1, opts.reorderWindow ?? 8),
    rand: prng(opts.seed ?? 1),
    counts: { connections: 0, up: 0, down: 0, delayed: 0, reordered: 0 },
  };
  const lanes = new Set<Lane>();
  const sockets = new Set<WebSocket>();
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  });
  const http = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('jitter relay: WebSocket only\n');
  });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = req.url && req.url !== '/' ? req.url : upstream.pathname + upstream.search;
    const target = new URL(path, upstream);
    const offered = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const up = new WebSocket(target, offered);
    sockets.add(up);
    up.once('close', () => sockets.delete(up));
    // Upstream messages that come before the client's upgrade completes wait here, in order.
    const early: [RawData, boolean][] = [];
    let lane: Lane | undefined;
    up.on('message', (data, isBinary) => (lane ? lane.push(data, isBinary) : early.push([data, isBinary])));
    // The client's socket is ours until handleUpgrade takes it: refuse it at most once.
    let refused = false;
    socket.on('error', () => {});
    const refuse = (status: string): void => {
      if (refused || lane) return;
      refused = true;
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    up.once('unexpected-response', (_r, res) => {
      refuse(`${res.statusCode ?? 502} ${res.statusMessage ?? 'Bad Gateway'}`);
      up.terminate();
    });
    up.on('error', () => refuse('502 Bad Gateway'));
    up.once('open', () => {
      if (up.protocol) chosen.set(req, up.protocol);
      wss.handleUpgrade(req, socket, head, (client) => {
        state.counts.connections++;
        sockets.add(client);
        client.once('close', () => sockets.delete(client));
        const l = new Lane(client, state);
        lane = l;
        lanes.add(l);
        for (const [d, b] of early.splice(0)) l.push(d, b);
        client.on('message', (data, isBinary) => {
          state.counts.up++;
          if (up.readyState === WebSocket.OPEN) up.send(data, { binary: isBinary });
        });
        client.once('close', (code, reason) => {
          l.drop();
          lanes.delete(l);
          closeWith(up, code, reason);
        });
        client.on('error', () => up.terminate());
        up.once('close', (code, reason) => l.end(code, reason));
        if (up.readyState !== WebSocket.OPEN) l.end(1000, Buffer.alloc(0));
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  const host = opts.host ?? '127.0.0.1';

  return {
    port,
    url: (p = '/') => `ws://${host}:${port}${p.startsWith('/') ? p : `/${p}`}`,
    get jitter() {
      return state.jitter;
    },
    setJitter(on: boolean) {
      state.jitter = on;
      if (!on) for (const l of lanes) l.flushAll();
    },
    stats: () => ({ ...state.counts }),
    async close() {
      for (const l of lanes) l.drop();
      for (const s of sockets) s.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
