// The soak's hostile traffic, from 127.0.0.2: garbage, mutated requests, floods that never read, half-sent heads held open (slowloris), on the RTSP port, the HTTP port, the WebSocket and the HTTP tunnel.
import { connect, type Socket } from 'node:net';
import WebSocket from 'ws';
import { sleep } from '../lib/net.js';
import type { SoakTarget } from './actors.js';

export const FUZZ_ADDRESS = '127.0.0.2';
/** Slowloris sockets held at once (each stays until the server cuts it off or 20 s pass). */
const MAX_HELD = 20;

export interface FuzzCounts {
  /** Attacks sent, by kind. */
  sent: Record<string, number>;
  /** The status the server answered with, by kind ("closed" when it closed first; a flood never reads its answers). */
  answers: Record<string, number>;
}

export const newFuzzCounts = (): FuzzCounts => ({ sent: {}, answers: {} });

const bump = (m: Record<string, number>, k: string): void => void (m[k] = (m[k] ?? 0) + 1);

/** A raw connection from the fuzz address: writes `data`, reads the answer (unless `read` is false), closes after `holdMs`. */
function poke(port: number, data: Buffer | string, holdMs: number, onAnswer: (first: string) => void, read = true): Promise<void> {
  return new Promise((resolve) => {
    let first = '';
    const s: Socket = connect({ port, host: '127.0.0.1', localAddress: FUZZ_ADDRESS }, () => s.write(data));
    if (!read) s.pause();
    s.on('data', (b: Buffer) => {
      if (!first) first = b.toString('latin1', 0, 80).split('\r\n')[0]!;
    });
    const timer = setTimeout(() => s.destroy(), holdMs);
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      onAnswer(first || (read ? 'closed' : 'closed (never read)'));
      resolve();
    });
  });
}

function garbage(rnd: () => number, n: number): Buffer {
  return Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
}

/** A valid request with a few characters changed, dropped or doubled. */
function mutated(rnd: () => number, port: number): string {
  const seeds = [
    `DESCRIBE rtsp://127.0.0.1:${port}/sample.mp4 RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n`,
    `SETUP rtsp://127.0.0.1:${port}/sample.mp4/trackID=0 RTSP/1.0\r\nCSeq: 3\r\nTransport: RTP/AVP;unicast;client_port=40000-40001\r\n\r\n`,
    `PLAY rtsp://127.0.0.1:${port}/sample.mp4 RTSP/1.0\r\nCSeq: 4\r\nSession: 0011223344556677\r\nRange: npt=0-\r\n\r\n`,
    `ANNOUNCE rtsp://127.0.0.1:${port}/live/fuzz RTSP/1.0\r\nCSeq: 5\r\nContent-Type: application/sdp\r\nContent-Length: 20\r\n\r\nv=0\r\nm=video 0 RTP/AV`,
  ];
  const chars = [...seeds[Math.floor(rnd() * seeds.length)]!];
  for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) {
    const i = Math.floor(rnd() * chars.length);
    const r = rnd();
    if (r < 0.4) chars[i] = String.fromCharCode(Math.floor(rnd() * 256));
    else if (r < 0.7) chars.splice(i, 1);
    else chars.splice(i, 0, chars[i]!);
  }
  return chars.join('');
}

/** Runs one attack after another (about ten a second) until the run ends; slowloris holds run beside. */
export async function fuzzer(t: SoakTarget, c: FuzzCounts): Promise<void> {
  const held = new Set<Promise<void>>();
  const kinds = ['rtsp garbage', 'rtsp mutated', 'rtsp flood', 'rtsp slowloris', 'http garbage', 'http slowloris', 'websocket garbage', 'tunnel garbage'] as const;
  while (t.running()) {
    const kind = kinds[Math.floor(t.rnd() * kinds.length)]!;
    const answered = (first: string): void => bump(c.answers, `${kind}: ${first.replace(/^(RTSP\/1\.0|HTTP\/1\.[01]) (\d{3}).*$/, '$2')}`);
    let job: Promise<void>;
    switch (kind) {
      case 'rtsp garbage':
        job = poke(t.rtspPort, Buffer.concat([garbage(t.rnd, 1 + Math.floor(t.rnd() * 2000)), Buffer.from('\r\n\r\n')]), 500, answered);
        break;
      case 'rtsp mutated':
        job = poke(t.rtspPort, mutated(t.rnd, t.rtspPort), 500, answered);
        break;
      case 'rtsp flood':
        // 64 KiB of lines that each deserve a 400, and never a byte read.
        job = poke(t.rtspPort, 'x\n'.repeat(32 * 1024), 3000, answered, false);
        break;
      case 'rtsp slowloris':
      case 'http slowloris': {
        if (held.size >= MAX_HELD) continue;
        const port = kind === 'rtsp slowloris' ? t.rtspPort : t.httpPort;
        const head = kind === 'rtsp slowloris' ? `OPTIONS rtsp://127.0.0.1:${port}/ RTSP/1.0\r\nCSeq: 1\r\n` : 'GET /api/v1/status HTTP/1.1\r\nHost: x\r\n';
        const p = poke(port, head, 20_000, answered).finally(() => held.delete(p));
        held.add(p);
        job = Promise.resolve();
        break;
      }
      case 'http garbage':
        job = poke(t.httpPort, Buffer.concat([Buffer.from(t.rnd() < 0.5 ? 'GET /' : ''), garbage(t.rnd, 1 + Math.floor(t.rnd() * 1000)), Buffer.from('\r\n\r\n')]), 500, answered);
        break;
      case 'websocket garbage':
        job = wsGarbage(t, answered);
        break;
      case 'tunnel garbage':
        job = tunnelGarbage(t, answered);
        break;
    }
    bump(c.sent, kind);
    await job;
    await sleep(50 + t.rnd() * 100);
  }
  await Promise.all(held);
}

function wsGarbage(t: SoakTarget, answered: (first: string) => void): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${t.httpPort}/rtsp`, 'rtsp', { localAddress: FUZZ_ADDRESS });
    let first = '';
    ws.on('open', () => {
      for (let i = 0; i < 5; i++) ws.send(garbage(t.rnd, 1 + Math.floor(t.rnd() * 500)));
      ws.send(Buffer.from('OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n'));
      setTimeout(() => ws.close(), 300);
    });
    ws.on('message', (d: Buffer) => {
      if (!first) first = d.toString('latin1', 0, 40).split('\r\n')[0]!;
    });
    ws.on('error', () => undefined);
    ws.on('close', (code) => {
      answered(first || `close ${code}`);
      resolve();
    });
  });
}

async function tunnelGarbage(t: SoakTarget, answered: (first: string) => void): Promise<void> {
  const cookie = `fuzz${Math.floor(t.rnd() * 1e9)}`;
  const port = t.rnd() < 0.5 ? t.rtspPort : t.httpPort;
  const get = poke(port, `GET / HTTP/1.0\r\nx-sessioncookie: ${cookie}\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n`, 1500, answered);
  await sleep(100);
  const body = t.rnd() < 0.5 ? garbage(t.rnd, 300).toString('base64') : garbage(t.rnd, 300).toString('latin1');
  await poke(port, `POST / HTTP/1.0\r\nx-sessioncookie: ${cookie}\r\nContent-Type: application/x-rtsp-tunnelled\r\nContent-Length: 32767\r\n\r\n${body}`, 500, () => undefined);
  await get;
}
