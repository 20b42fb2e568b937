// The RTSPS port beside the plain one: each has its own maxConnections, plain bytes on the TLS port fail the handshake and harm nothing, rtspEncryption no binds no RTSPS port, bad KeyMgmt headers get 400 in words.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { formatKeyMgmt, parseKeyMgmt } from '../../server/rtsp/headers/key-mgmt.js';
import { srtpMikey } from '../../server/rtsp/mikey/srtp-policy.js';
import { makeSelfSigned } from '../../server/tls/self-signed.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let dir: string;
let cert: string;
let key: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-rtsps-'));
  const s = makeSelfSigned({ hosts: ['localhost', '127.0.0.1'], days: 1 });
  cert = join(dir, 'server.crt');
  key = join(dir, 'server.key');
  writeFileSync(cert, s.certPem);
  writeFileSync(key, s.keyPem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What a plain connection sending OPTIONS is answered, until the server closes it. */
function plainAnswer(port: number): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const s = connect(port, '127.0.0.1', () => s.write(`OPTIONS rtsp://127.0.0.1:${port}/ RTSP/1.0\r\nCSeq: 1\r\n\r\n`));
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('close', () => resolve(text));
    s.on('error', () => undefined);
  });
}

describe('RTSPS beside RTSP', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ serverCert: cert, serverKey: key, rtspsPort: 0, httpsPort: 0, maxConnections: 2 });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('the plain port full (maxConnections 2) refuses a third plain connection with 503, and TLS clients still get in, up to their own 2', async () => {
    const open: RawRtspClient[] = [];
    onTestFinished(() => open.forEach((c) => c.close()));
    for (let i = 0; i < 2; i++) {
      const c = await RawRtspClient.open(srv.rtspPort);
      open.push(c);
      expect((await c.request('OPTIONS', srv.url('sample.mp4'))).status).toBe(200);
    }
    expect(await plainAnswer(srv.rtspPort)).toMatch(/^RTSP\/1\.0 503/);
    for (let i = 0; i < 2; i++) {
      const c = await RawRtspClient.openTls(srv.rtspsPort!);
      open.push(c);
      expect((await c.request('OPTIONS', `rtsps://127.0.0.1:${srv.rtspsPort}/sample.mp4`)).status).toBe(200);
    }
    const third = await RawRtspClient.openTls(srv.rtspsPort!);
    open.push(third);
    await waitFor(() => third.text.join('').startsWith('RTSP/1.0 503') && third.closed, 20_000, 'the third TLS connection refused with 503');
    // A closed TLS connection frees its place.
    open[2]!.close();
    await waitFor(() => srv.rtsp.connections.size === 3, 20_000, 'the server to see the connection go');
    const again = await RawRtspClient.openTls(srv.rtspsPort!);
    open.push(again);
    expect((await again.request('OPTIONS', `rtsps://127.0.0.1:${srv.rtspsPort}/sample.mp4`)).status).toBe(200);
  });

  it('plain RTSP sent to the TLS port fails the handshake and the port serves the next client', async () => {
    const s = connect(srv.rtspsPort!, '127.0.0.1', () => s.write('OPTIONS rtsp://127.0.0.1/ RTSP/1.0\r\nCSeq: 1\r\n\r\n'));
    s.on('error', () => undefined);
    await new Promise((r) => s.on('close', r));
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    onTestFinished(() => c.close());
    expect((await c.request('OPTIONS', `rtsps://127.0.0.1:${srv.rtspsPort}/sample.mp4`)).status).toBe(200);
  });
});

describe('rtspEncryption no', () => {
  it('binds HTTPS but no RTSPS port', async () => {
    const srv = await startTestServer({ serverCert: cert, serverKey: key, rtspsPort: 0, httpsPort: 0, rtspEncryption: 'no' });
    onTestFinished(() => srv.close());
    expect(srv.rtspsPort).toBeUndefined();
    expect(srv.httpsPort).toBeGreaterThan(0);
  });
});

describe('bad keys over RTSPS', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer({ serverCert: cert, serverKey: key, rtspsPort: 0, httpsPort: 0 });
  });
  afterAll(async () => {
    await srv?.close();
  });

  it.each([
    ['', /KeyMgmt: empty/],
    ['prot=mikey', /without data=/],
    ['prot=sdes; data="abc"', /only MIKEY/],
    ['prot=mikey; uri="x"; data="!!!!"', /not base64/],
    ['prot=mikey; uri="x"; data="AAAA"', /KeyMgmt: /],
    ['prot=mikey; uri="x"; data="' + Buffer.alloc(200, 0x41).toString('base64') + '"', /KeyMgmt: /],
  ])('SETUP RTP/SAVP with KeyMgmt %j is answered 400 in words and the connection goes on', async (value, why) => {
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    onTestFinished(() => c.close());
    const url = `rtsps://127.0.0.1:${srv.rtspsPort}/sample.mp4`;
    await c.request('DESCRIBE', url);
    const r = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/SAVP;unicast;client_port=40000-40001', KeyMgmt: value });
    expect(r.status).toBe(400);
    expect(new TextDecoder().decode(r.body)).toMatch(why);
    expect((await c.request('OPTIONS', url)).status).toBe(200);
  });

  it('a SETUP URI with a quote in it still gets a well-formed KeyMgmt', async () => {
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    onTestFinished(() => c.close());
    const url = `rtsps://127.0.0.1:${srv.rtspsPort}/sample.mp4`;
    await c.request('DESCRIBE', url);
    const mikey = srtpMikey({ key: new Uint8Array(30).fill(7), ssrcs: [] }, 0n, new Uint8Array(16), 1);
    const r = await c.request('SETUP', `${url}/trackID=0?x="y"`, { Transport: 'RTP/SAVP;unicast;client_port=40000-40001', KeyMgmt: formatKeyMgmt({ uri: url, message: mikey }) });
    expect(r.status).toBe(200);
    expect(parseKeyMgmt(r.headers.get('KeyMgmt')!).uri).toContain('%22y%22');
  });
});
