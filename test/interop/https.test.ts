// HTTPS and WSS on httpsPort with the test's certificate trusted: curl on the API and an HLS playlist, ffmpeg decoding HLS and the RTSP-over-HTTP tunnel over HTTPS, RTSP over wss:// playing, and rtspEncryption strict turning plain ws:// away.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';
import { WsRtspClient } from '../helpers/ws-rtsp-client.js';

let cert: TestCert;
let ca: string;
beforeAll(async () => {
  cert = await makeTestCert();
  ca = readFileSync(cert.cert, 'utf8');
});
afterAll(() => cert?.remove());

const tls = (extra: Record<string, unknown> = {}) => ({ serverCert: cert.cert, serverKey: cert.key, rtspsPort: 0, httpsPort: 0, ...extra });
const https = (s: TestServer, path: string): string => `https://localhost:${s.httpsPort}/${path}`;

/** curl verifying the server against the test's certificate (no -k). */
const curl = (args: string[]) => run('curl', ['-sS', '--cacert', cert.cert, '--max-time', '60', ...args], { timeoutMs: 90_000 });

async function wss(url: string): Promise<WsRtspClient> {
  const c = await WsRtspClient.open(url, ['rtsp'], undefined, ca);
  onTestFinished(() => c.ws.terminate());
  return c;
}

describe('HTTPS', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(tls({ authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'read' }, { action: 'api' }] }] }));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('curl --cacert reads the API (401 without a login, JSON with one); without the certificate it refuses the server', async () => {
    const anon = await curl(['-o', '/dev/null', '-w', '%{http_code}', https(srv, 'api/v1/paths')]);
    expect(anon.stdout, describeRun('curl', [], anon)).toBe('401');
    const r = await curl(['-u', 'alice:secret', https(srv, 'api/v1/paths')]);
    expect(r.code, describeRun('curl', [], r)).toBe(0);
    expect(JSON.stringify(JSON.parse(r.stdout))).toContain('sample.mp4');
    const untrusted = await run('curl', ['-sS', '--max-time', '30', https(srv, 'api/v1/status')], { timeoutMs: 60_000 });
    expect(untrusted.code).not.toBe(0);
    expect(untrusted.stderr).toMatch(/certificate/i);
  }, 120_000);

  it('curl reads an HLS playlist over HTTPS and ffmpeg decodes it', async () => {
    const r = await curl(['-u', 'alice:secret', https(srv, 'sample.mp4/index.m3u8')]);
    expect(r.code, describeRun('curl', [], r)).toBe(0);
    expect(r.stdout).toMatch(/^#EXTM3U/);
    const args = ['-v', 'error', '-i', https(srv, 'sample.mp4/index.m3u8').replace('https://', 'https://alice:secret@'), '-t', '3', '-f', 'framecrc', '-'];
    const f = await run(resolveFfmpeg(), args, { timeoutMs: 90_000 });
    expect(f.code, describeRun('ffmpeg', args, f)).toBe(0);
    expect(f.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun('ffmpeg', args, f)).toBeGreaterThan(30);
  }, 120_000);

  it('ffmpeg reads RTSP tunnelled over HTTPS (-rtsp_transport https)', async () => {
    const args = ['-v', 'error', '-rtsp_transport', 'https', '-i', `rtsp://alice:secret@127.0.0.1:${srv.httpsPort}/sample.mp4`, '-t', '2', '-f', 'framecrc', '-'];
    const f = await run(resolveFfmpeg(), args, { timeoutMs: 90_000 });
    expect(f.code, describeRun('ffmpeg', args, f)).toBe(0);
    expect(f.stdout.split('\n').filter((l) => /^0,/.test(l)).length, describeRun('ffmpeg', args, f)).toBeGreaterThan(30);
  }, 120_000);

  it('the plain HTTP port serves beside it', async () => {
    const r = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '-u', 'alice:secret', srv.httpUrl('api/v1/paths')], { timeoutMs: 60_000 });
    expect(r.stdout).toBe('200');
  }, 60_000);
});

describe('WSS', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(tls({ rtspEncryption: 'strict' }));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('RTSP over wss:// plays a file interleaved; plain ws:// is refused under rtspEncryption strict', async () => {
    const c = await wss(`wss://localhost:${srv.httpsPort}/rtsp`);
    const url = `rtsp://localhost/sample.mp4`;
    const d = await c.request('DESCRIBE', url, { Accept: 'application/sdp' });
    expect(d.status, bodyText(d)).toBe(200);
    // Through a tunnel the media is interleaved inside TLS already: plain RTP/AVP, no keys.
    expect(bodyText(d)).toMatch(/^m=video \d+ RTP\/AVP /m);
    const s0 = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(s0.status, bodyText(s0)).toBe(200);
    const id = parseSession(s0.headers.get('Session')!).id;
    const p = await c.request('PLAY', `${url}/`, { Session: id });
    expect(p.status, bodyText(p)).toBe(200);
    await waitFor(() => c.rtpOn(0).length > 60, 30_000, 'video RTP over wss://');
    expect(c.badMessages).toEqual([]);

    const plain = await WsRtspClient.open(`ws://127.0.0.1:${srv.httpPort}/rtsp`, ['rtsp']);
    onTestFinished(() => plain.ws.terminate());
    const r = await plain.request('OPTIONS', url);
    expect(r.status).toBe(403);
    expect(bodyText(r)).toMatch(/WebSocket without TLS.*use wss:\/\//);
  }, 120_000);
});
