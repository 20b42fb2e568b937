// Property: generated HTTP requests over raw sockets (methods, escaped and unicode paths, hostile queries, Range/Authorization/Cookie garbage) to the API, HLS, progressive, player and dashboard routes always get a well-formed answer below 500 (or a JSON 503), JSON errors say {error, status}, and real clients still play afterwards.
import { connect } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { fuzzAsync } from '../helpers/fuzz.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let open: TestServer;
let locked: TestServer;

beforeAll(async () => {
  open = await startTestServer();
  locked = await startTestServer({
    authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'read', path: 'sample.*' }, { action: 'api' }] }],
  });
});

afterAll(async () => {
  await open?.close();
  await locked?.close();
});

interface Answer {
  status: number;
  head: string;
  body: string;
}

/**
 * Writes `request` on a fresh socket and reads the answer's head, and for an error its body
 * (Content-Length); a success's body is not needed (a progressive stream would run for a file's length).
 */
function ask(port: number, request: Buffer, timeoutMs = 20_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const done = (a: Answer | Error): void => {
      clearTimeout(t);
      s.destroy();
      if (a instanceof Error) reject(a);
      else resolve(a);
    };
    const t = setTimeout(() => done(new Error(`no complete answer in ${timeoutMs} ms to ${JSON.stringify(request.toString('latin1', 0, 200))}; got ${JSON.stringify(buf.toString('latin1', 0, 300))}`)), timeoutMs);
    const tryParse = (closed: boolean): void => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (closed) done(new Error(`the connection closed after ${JSON.stringify(buf.toString('latin1', 0, 300))} for ${JSON.stringify(request.toString('latin1', 0, 200))}`));
        return;
      }
      const head = buf.toString('latin1', 0, end);
      const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(head)?.[1] ?? 0);
      const length = /\r\ncontent-length: *(\d+)/i.exec(head);
      const isHead = request.subarray(0, 5).toString('latin1') === 'HEAD ';
      if (status < 400 || isHead || !length) return done({ status, head, body: '' });
      const n = Number(length[1]);
      if (buf.length - end - 4 >= n) return done({ status, head, body: buf.toString('utf8', end + 4, end + 4 + n) });
      if (closed) done(new Error(`the body ended early: ${JSON.stringify(buf.toString('latin1', 0, 400))}`));
    };
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      tryParse(false);
    });
    s.on('close', () => tryParse(true));
    s.on('error', () => {});
    s.write(request);
  });
}

const FILES = ['sample.mp4', 'sample.ts', 'sample.mkv', 'live/nobody', 'nope', 'a/b/c'];
const ROUTES = [
  '/', '/api/v1/status', '/api/v1/paths', '/api/v1/paths/{f}', '/api/v1/sessions', '/api/v2', '/metrics',
  '/player', '/player/', '/player/index.js', '/player/../package.json',
  '/{f}/index.m3u8', '/{f}/stream.mp4', '/{f}/stream.ts', '/{f}/init-0.mp4', '/{f}/seg-0-3.mp4', '/{f}/part-0-1-2.mp4', '/{f}', '/{f}/',
];

/** Segment garbage: %-escapes (broken, NUL, encoded dots and slashes), dot segments, very long, unicode, raw bytes. */
const segment = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('..', '.', '%2e%2e', '%2F', '%00', '%zz', '%', '%c0%ae', '%ff%fe', '~', '', 'index.m3u8', 'stream.mp4') },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => encodeURIComponent(s)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.integer({ min: 300, max: 9000 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 8 }) },
);

const hostileNumber = fc.oneof(
  fc.integer({ min: -5, max: 20 }).map(String),
  fc.constantFrom('', '-0', '1e309', '99999999999999999999', 'NaN', '0x10', '1.5', ' 3', 'Infinity', '١', '9007199254740993'),
  fc.string({ maxLength: 6 }),
);

const query = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom('_HLS_msn', '_HLS_part', 'start', 'audio', 'token', '_HLS_skip'), hostileNumber),
    fc.tuple(fc.constantFrom('token', 'audio'), fc.string({ unit: 'grapheme', maxLength: 40 })),
    fc.tuple(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 })),
  ).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`),
  { maxLength: 4 },
).map((parts) => (parts.length ? `?${parts.join('&')}` : ''));

const headerLines = fc.array(
  fc.oneof(
    fc.oneof(fc.constantFrom('bytes=0-', 'bytes=-5', 'bytes=5-1', 'bytes=0-0,2-3,1-9', 'bytes=99999999999999999999-', 'bytes=', 'lines=1-2', 'bytes=-', 'bytes=a-b'), fc.string({ maxLength: 20 })).map((v) => `Range: ${v}`),
    fc.oneof(fc.constantFrom('Basic', 'Basic !!!', 'Basic YWxpY2U6c2VjcmV0', 'Basic YWxpY2U6', 'Digest username="alice", nonce=', 'Bearer x', 'Digest ,,,=,'), fc.string({ maxLength: 40 })).map((v) => `Authorization: ${v}`),
    fc.integer({ min: 1, max: 15_000 }).map((n) => `Cookie: tidecast=${'c'.repeat(n)}`),
    fc.constantFrom('Origin: http://elsewhere.example', 'Accept: */*', 'Content-Length: 5', 'Transfer-Encoding: chunked', 'Expect: 100-continue', 'Connection: upgrade', 'Upgrade: websocket', 'If-None-Match: *', 'Host:'),
    // Raw garbage lines are mostly refused by Node's parser (400) before any route: now and then only.
    fc.tuple(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 10 }), fc.string({ unit: 'binary-ascii', maxLength: 30 }), fc.nat(4)).map(([k, v, n]) => (n === 0 ? `${k}: ${v}` : 'Accept-Language: *')),
  ),
  { maxLength: 3 },
);

const request = fc
  .record({
    method: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('GET', 'HEAD') }, { weight: 2, arbitrary: fc.constantFrom('POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'M-SEARCH', 'get') }),
    route: fc.constantFrom(...ROUTES),
    file: fc.constantFrom(...FILES),
    extra: fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), segment), { maxLength: 1 }),
    query,
    headers: headerLines,
    body: fc.option(fc.string({ maxLength: 20 })),
    locked: fc.nat(3).map((n) => n === 0),
  })
  .map(({ method, route, file, extra, query: q, headers, body, locked: l }) => {
    const parts = route.replace('{f}', file).split('/');
    for (const [at, seg] of extra) parts.splice(Math.min(parts.length, at + 1), 0, seg);
    const lines = [`${method} ${parts.join('/')}${q} HTTP/1.1`, 'Host: 127.0.0.1', ...headers];
    if (body !== null) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    lines.push('Connection: close', '', body ?? '');
    return { bytes: Buffer.from(lines.join('\r\n'), 'utf8'), locked: l };
  });

/** Answers the fuzz saw, by status (printed: the mix should not be all 404s). */
const statuses = new Map<number, number>();

function checkAnswer(a: Answer, req: Buffer): void {
  const what = JSON.stringify(req.toString('latin1', 0, 300));
  statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
  expect(a.status, `${what} -> ${a.head}`).toBeGreaterThanOrEqual(100);
  const json = /\r\ncontent-type: application\/json/i.test(a.head);
  if (a.status >= 500) {
    expect(a.status, `${what} -> ${a.head}\n${a.body}`).toBe(503);
    expect(json, `${what}: a 503 says why in JSON`).toBe(true);
  }
  if (json && a.body !== '') {
    const e = JSON.parse(a.body) as { error?: unknown; status?: unknown };
    expect(typeof e.error, `${what} -> ${a.body}`).toBe('string');
    expect(e.status, `${what} -> ${a.body}`).toBe(a.status);
  }
}

describe('the HTTP routes under generated requests', () => {
  it('answer every request well-formed, below 500 (or a JSON 503), with JSON errors', async () => {
    await fuzzAsync('HTTP routes <- raw generated requests', 301, 2500, fc.asyncProperty(request, async ({ bytes, locked: l }) => {
      const a = await ask((l ? locked : open).httpPort, bytes);
      checkAnswer(a, bytes);
    }));
    console.log(`HTTP statuses: ${[...statuses].sort((x, y) => x[0] - y[0]).map(([s, n]) => `${s} x${n}`).join(', ')}`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(50);
    expect(statuses.get(404) ?? 0).toBeGreaterThan(50);
  });

  it('keeps serving: a playlist and a segment over fetch, and ffmpeg plays the file over RTSP and HTTP', async () => {
    const r = await fetch(open.httpUrl('sample.mp4/index.m3u8'));
    expect(r.status).toBe(200);
    const text = await r.text();
    expect(text).toMatch(/^#EXTM3U/);
    const seg = /^(seg-[^\s]+)$/m.exec(text)?.[1];
    expect(seg, text).toBeDefined();
    const s = await fetch(open.httpUrl(`sample.mp4/${seg}`));
    expect(s.status).toBe(200);
    expect((await s.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    const ffmpeg = resolveFfmpeg();
    for (const url of [open.url('sample.mp4'), open.httpUrl('sample.mp4/stream.ts')]) {
      const args = ['-v', 'error', ...(url.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : []), '-i', url, '-t', '2', '-f', 'framecrc', '-'];
      const p = await run(ffmpeg, args, { timeoutMs: 40_000 });
      expect(p.code, describeRun(ffmpeg, args, p)).toBe(0);
      expect(p.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun(ffmpeg, args, p)).toBeGreaterThan(20);
    }
  });
});
