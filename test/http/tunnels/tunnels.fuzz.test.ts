// Property: RTSP over WebSocket and over HTTP (GET + base64 POST) fed generated traffic (requests mixed with garbage, `$` frames with lying lengths, bad base64, writes split anywhere) answer every message well-formed or close cleanly, leak no connection or session, leave a bystander served, and ffmpeg plays afterwards.
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtspParser } from '../../../server/rtsp/parser.js';
import { resolveFfmpeg } from '../../../server/sources/process/ffmpeg-path.js';
import { Bystander } from '../../helpers/bystander.js';
import { fuzzAsync } from '../../helpers/fuzz.js';
import { waitFor } from '../../helpers/read.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { describeRun, run } from '../../helpers/spawn.js';

let srv: TestServer;
let bystander: Bystander;

beforeAll(async () => {
  srv = await startTestServer();
  bystander = await Bystander.start(srv.rtspPort);
});

afterAll(async () => {
  bystander?.close();
  await srv?.close();
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const PROBE_CSEQ = '7777';
const PROBE = enc(`OPTIONS * RTSP/1.0\r\nCSeq: ${PROBE_CSEQ}\r\n\r\n`);
/**
 * CRLFs past anything a generated message can leave open (a `$` frame's 64 KiB, a head's 8 KiB, a
 * body's 64 KiB): between messages the parser skips blank lines, so the probe after it is read as
 * a request whenever the connection is still usable.
 */
const PADDING = enc('\r\n'.repeat(70_000));

/** RTSP requests a client might send, some valid, some with garbage headers; and the garbage around them. */
function requestsFor(url: string): fc.Arbitrary<Uint8Array> {
  const request = fc
    .record({
      method: fc.constantFrom('OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'ANNOUNCE', 'RECORD', 'BREW'),
      target: fc.constantFrom(url, `${url}/trackID=0`, `${url}/trackID=1`, `${url}/trackID=9`, '*', 'rtsp://127.0.0.1/nope', '/', 'rtsp://[::1'),
      headers: fc.array(
        fc.oneof(
          fc.constantFrom('Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'Transport: RTP/AVP;unicast;client_port=5000-5001', 'Transport: ;;;', 'Session: 12345678', 'Range: npt=0-', 'Range: npt=abc', 'Accept: application/sdp', 'Content-Length: 4', 'Content-Length: -1', 'Content-Length: 99999999'),
          fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 30 })).map(([k, v]) => `${k}: ${v}`),
        ),
        { maxLength: 3 },
      ),
      cseq: fc.oneof(fc.nat(1000).map(String), fc.constantFrom('', 'x', '-1')),
    })
    .map(({ method, target, headers, cseq }) => enc([`${method} ${target} RTSP/1.0`, `CSeq: ${cseq}`, ...headers, '', ''].join('\r\n')));
  // `$` frames: channel anything, declared length anything, actual payload anything (they lie).
  const frame = fc.tuple(fc.nat(255), fc.oneof(fc.nat(300), fc.constant(0xffff)), fc.uint8Array({ maxLength: 300 })).map(([ch, len, data]) => Uint8Array.of(0x24, ch, len >> 8, len & 0xff, ...data));
  return fc.oneof(
    { weight: 4, arbitrary: request },
    { weight: 2, arbitrary: frame },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((s) => enc(`${s}\r\n`)) },
  );
}

/** Messages as the client writes them: whole, or one cut in two at any point. */
function messagesFor(url: string): fc.Arbitrary<Uint8Array[]> {
  return fc.array(fc.tuple(requestsFor(url), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 6 }).map((list) =>
    list.flatMap(([m, at, cut]) => (cut && m.length > 1 ? [m.subarray(0, 1 + (at % (m.length - 1))), m.subarray(1 + (at % (m.length - 1)))] : [m])),
  );
}

/** Whether `bytes` is exactly one RTSP response or one `$` frame (the WebSocket tunnel's framing rule). */
function oneItem(bytes: Uint8Array): { ok: boolean; cseq?: string } {
  const parser = new RtspParser();
  const items = parser.push(bytes);
  if (items.length !== 1 || parser.bufferedBytes !== 0) return { ok: false };
  const item = items[0]!;
  if (item.type === 'response') return { ok: true, cseq: item.message.headers.get('CSeq') };
  return { ok: item.type === 'interleaved' };
}

/** Close codes that say why (RFC 6455 7.4.1): not 1006 (dropped) or 1011 (the server failed). */
const CLEAN_CLOSE = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009, 1013]);

async function status(): Promise<{ rtspConnections: number; rtspSessions: number }> {
  return (await (await fetch(srv.httpUrl('api/v1/status'))).json()) as { rtspConnections: number; rtspSessions: number };
}

async function noLeak(): Promise<void> {
  // Only the bystander's connection and session remain once every fuzzed connection is gone.
  await waitFor(async () => {
    const s = await status();
    return s.rtspConnections === 1 && s.rtspSessions === 1;
  }, 30_000, 'the fuzzed connections and their sessions to be gone');
}

/** Sends the messages, the padding and the probe over a WebSocket; resolves when the probe is answered or the socket closed. */
async function overWebSocket(messages: { data: Uint8Array; binary: boolean }[]): Promise<{ bad: string[]; close?: number; answered: boolean }> {
  const ws = new WebSocket(`ws://127.0.0.1:${srv.httpPort}/rtsp`, 'rtsp');
  const bad: string[] = [];
  let answered = false;
  let close: number | undefined;
  const closed = new Promise<void>((resolve) => ws.on('close', (code) => {
    close = code;
    resolve();
  }));
  ws.on('error', () => {});
  ws.on('message', (data: Buffer) => {
    const r = oneItem(new Uint8Array(data));
    if (!r.ok) bad.push(data.toString('latin1', 0, 120));
    if (r.cseq === PROBE_CSEQ) answered = true;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_q, res) => reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)));
  });
  try {
    for (const m of messages) ws.send(m.data, { binary: m.binary });
    ws.send(PADDING.subarray(0, 70_000), { binary: true });
    ws.send(PADDING.subarray(70_000), { binary: true });
    ws.send(PROBE, { binary: true });
    await waitFor(() => answered || close !== undefined, 20_000, 'the probe to be answered or the WebSocket to close', 1);
    return { bad, answered, ...(close !== undefined ? { close } : {}) };
  } finally {
    ws.close();
    await closed;
  }
}

function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Writes `text` in pieces cut at `cuts` (each a separate write, a turn of the event loop apart). */
async function writeSplit(s: Socket, text: string, cuts: number[]): Promise<void> {
  let at = 0;
  for (const c of [...cuts].sort((a, b) => a - b)) {
    const to = Math.min(text.length, c);
    if (to <= at) continue;
    s.write(text.slice(at, to));
    at = to;
    await tick();
  }
  if (at < text.length) s.write(text.slice(at));
}

const postHead = (cookie: string): string =>
  `POST / HTTP/1.0\r\nx-sessioncookie: ${cookie}\r\nContent-Type: application/x-rtsp-tunnelled\r\nContent-Length: 32767\r\n\r\n`;

/** A GET half: the answer head, then RTSP responses and `$` frames parsed as they come. */
async function openGet(port: number, cookie: string): Promise<{ s: Socket; status: number; answered: () => boolean; closed: () => boolean; problems: string[] }> {
  const s = await openSocket(port);
  s.on('error', () => {});
  s.write(`GET / HTTP/1.0\r\nx-sessioncookie: ${cookie}\r\nAccept: application/x-rtsp-tunnelled\r\n\r\n`);
  const parser = new RtspParser();
  const problems: string[] = [];
  let head = Buffer.alloc(0);
  let statusCode = 0;
  let answered = false;
  let isClosed = false;
  s.on('close', () => (isClosed = true));
  await new Promise<void>((resolve) => {
    const onData = (c: Buffer): void => {
      if (statusCode) {
        for (const item of parser.push(new Uint8Array(c))) {
          if (item.type === 'error') problems.push(`the GET carried something that is not RTSP: ${item.error.message}`);
          if (item.type === 'response' && item.message.headers.get('CSeq') === PROBE_CSEQ) answered = true;
        }
        return;
      }
      head = Buffer.concat([head, c]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      statusCode = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(head.toString('latin1', 0, end))?.[1] ?? -1);
      resolve();
      if (head.length > end + 4) onData(head.subarray(end + 4));
    };
    s.on('data', onData);
    s.on('close', () => {
      if (!statusCode) statusCode = -1;
      resolve();
    });
  });
  return { s, status: statusCode, answered: () => answered, closed: () => isClosed, problems };
}

describe('the RTSP tunnels under generated traffic', () => {
  it('WebSocket: every server message is one response or one frame, the probe is answered or the close is clean', async () => {
    const url = srv.url('sample.mp4');
    const messages = fc.tuple(messagesFor(url), fc.array(fc.boolean(), { minLength: 12, maxLength: 12 })).map(([ms, binary]) => ms.map((data, i) => ({ data, binary: binary[i % 12]! })));
    let answered = 0;
    await fuzzAsync('RTSP over WebSocket <- generated messages', 401, 400, fc.asyncProperty(messages, async (ms) => {
      const r = await overWebSocket(ms);
      expect(r.bad).toEqual([]);
      if (r.answered) answered++;
      else expect(CLEAN_CLOSE.has(r.close!), `closed with ${r.close}`).toBe(true);
    }));
    console.log(`probe answered on ${answered} WebSocket connections`);
    expect(answered).toBeGreaterThan(100);
    await noLeak();
  });

  it('HTTP (GET + POST, on either port): bad base64 and garbage split anywhere get answers or a clean close', { timeout: 180_000 }, async () => {
    const url = srv.url('sample.mp4');
    const cookie = fc.oneof({ weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9]{22}$/) }, { weight: 1, arbitrary: fc.string({ maxLength: 40 }) });
    const body = fc.tuple(messagesFor(url), fc.array(fc.tuple(fc.nat(), fc.constantFrom('!', '=', '==', ' ', '\r\n', '*', 'A', '@@@')), { maxLength: 2 })).map(([ms, junk]) => {
      // Each message base64-encoded on its own (as ffmpeg does), with now and then bytes that are not base64.
      let text = ms.map((m) => Buffer.from(m).toString('base64')).join('');
      for (const [at, j] of junk) text = text.slice(0, at % (text.length + 1)) + j + text.slice(at % (text.length + 1));
      return { text, junk: junk.length > 0 };
    });
    const input = fc.record({ onRtspPort: fc.boolean(), cookie, body, cuts: fc.array(fc.nat(2000), { maxLength: 5 }), samePost: fc.boolean() });
    let answered = 0;
    await fuzzAsync('RTSP over HTTP <- generated GET/POST halves', 402, 400, fc.asyncProperty(input, async ({ onRtspPort, cookie: c, body: { text: b64, junk }, cuts, samePost }) => {
      const port = onRtspPort ? srv.rtspPort : srv.httpPort;
      const get = await openGet(port, c);
      const posts: Socket[] = [];
      try {
        if (get.status !== 200) {
          // Refused (a cookie it cannot take, a busy port): a real answer, then the end.
          expect([400, 503], `GET with cookie ${JSON.stringify(c)} -> ${get.status}`).toContain(get.status);
          return;
        }
        const post = await openSocket(port);
        post.on('error', () => {});
        posts.push(post);
        await writeSplit(post, postHead(c) + b64, cuts);
        // The padding and the probe on the same POST, or (as a client may) on a new one with the same
        // cookie: always after junk, which may have cost the POST (400) or left its decoder mid-quantum.
        const tail = Buffer.concat([PADDING, PROBE]).toString('base64');
        if (samePost && !junk) post.write(tail);
        else {
          post.end();
          const again = await openSocket(port);
          again.on('error', () => {});
          posts.push(again);
          again.write(postHead(c) + tail);
        }
        await waitFor(() => get.answered() || get.closed(), 20_000, 'the probe to be answered on the GET or the GET to close', 1);
        expect(get.problems).toEqual([]);
        if (get.answered()) answered++;
      } finally {
        for (const p of posts) p.destroy();
        get.s.destroy();
      }
    }));
    console.log(`probe answered on ${answered} HTTP tunnels`);
    expect(answered).toBeGreaterThan(100);
    await noLeak();
  });

  it('afterwards the bystander is still served and ffmpeg plays over TCP and the HTTP tunnel', async () => {
    await bystander.stillServed();
    const ffmpeg = resolveFfmpeg();
    for (const transport of ['tcp', 'http']) {
      const args = ['-v', 'error', '-rtsp_transport', transport, '-i', srv.url('sample.mp4'), '-t', '2', '-f', 'framecrc', '-'];
      const p = await run(ffmpeg, args, { timeoutMs: 40_000 });
      expect(p.code, describeRun(ffmpeg, args, p)).toBe(0);
      expect(p.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun(ffmpeg, args, p)).toBeGreaterThan(20);
    }
  });
});
