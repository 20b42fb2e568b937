// RTSPS with real ffmpeg: interleaved RTP inside TLS (a file and a live path), authentication over TLS, both ports side by side, and rtspEncryption strict refusing plain RTSP with a reason.
import { copyFileSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { RtspSession } from '../../server/rtsp/session.js';
import { readFor, waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun } from '../helpers/spawn.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';

let cert: TestCert;
beforeAll(async () => {
  cert = await makeTestCert();
});
afterAll(() => cert?.remove());

const tls = (extra: Record<string, unknown> = {}) => ({ serverCert: cert.cert, serverKey: cert.key, rtspsPort: 0, httpsPort: 0, ...extra });
const rtsps = (s: TestServer, path: string, login = ''): string => `rtsps://${login}127.0.0.1:${s.rtspsPort}/${path}`;

function expectPlays(x: Awaited<ReturnType<typeof readFor>>, audio = true): void {
  expect(x.r.code, describeRun('ffmpeg', x.args, x.r)).toBe(0);
  expect(x.video, describeRun('ffmpeg', x.args, x.r)).toBeGreaterThan(30);
  if (audio) expect(x.audio, describeRun('ffmpeg', x.args, x.r)).toBeGreaterThan(30);
}

describe('rtspEncryption optional', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(tls());
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('ffmpeg reads a file over rtsps:// (TCP inside TLS), and the same file over plain RTSP beside it', async () => {
    expect(srv.rtspsPort).toBeGreaterThan(0);
    const sessions: RtspSession[] = [];
    const set = srv.rtsp.sessions.set.bind(srv.rtsp.sessions);
    srv.rtsp.sessions.set = (k, v) => (sessions.push(v), set(k, v));
    onTestFinished(() => void (srv.rtsp.sessions.set = set));
    expectPlays(await readFor(rtsps(srv, 'sample.mp4'), 'tcp', 3));
    // ffmpeg asks RTP/AVP/TCP: plain RTP interleaved, inside TLS.
    expect([...sessions[0]!.tracks.values()].map((t) => ({ kind: t.transport.kind, srtp: t.srtp !== undefined }))).toEqual([{ kind: 'tcp', srtp: false }, { kind: 'tcp', srtp: false }]);
    expectPlays(await readFor(srv.url('sample.mp4'), 'tcp', 2));
  }, 120_000);

  it('ffmpeg reads a live path (testsrc, published by our own ffmpeg over plain RTSP) over rtsps://', async () => {
    expectPlays(await readFor(rtsps(srv, 'testsrc'), 'tcp', 3), false);
  }, 120_000);

  it('a raw TLS client gets the SDP with RTP/SAVP and a MIKEY key per medium; plain RTSP gets RTP/AVP', async () => {
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    const p = await RawRtspClient.open(srv.rtspPort);
    try {
      const secure = bodyText(await c.request('DESCRIBE', rtsps(srv, 'sample.mp4')));
      expect(secure).toMatch(/^m=video \d+ RTP\/SAVP /m);
      expect(secure).toMatch(/^a=key-mgmt:mikey [A-Za-z0-9+/=]+$/m);
      const plain = bodyText(await p.request('DESCRIBE', srv.url('sample.mp4')));
      expect(plain).toMatch(/^m=video \d+ RTP\/AVP /m);
      expect(plain).not.toMatch(/key-mgmt/);
    } finally {
      c.close();
      p.close();
    }
  }, 60_000);

  it('over RTSPS, plain RTP/AVP over UDP is refused (461) saying to use SRTP or TCP', async () => {
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    try {
      await c.request('DESCRIBE', rtsps(srv, 'sample.mp4'));
      const r = await c.request('SETUP', `${rtsps(srv, 'sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;unicast;client_port=40000-40001' });
      expect(r.status).toBe(461);
      expect(bodyText(r)).toMatch(/UDP media must be SRTP/);
    } finally {
      c.close();
    }
  }, 60_000);
});

describe('authentication over TLS', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(tls({ authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'read' }] }] }));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('ffmpeg gets 401 without credentials and plays with user:pass over rtsps://', async () => {
    const anon = await readFor(rtsps(srv, 'sample.mp4'), 'tcp', 2);
    expect(anon.r.code).not.toBe(0);
    expect(anon.r.stderr, describeRun('ffmpeg', anon.args, anon.r)).toMatch(/401 Unauthorized/);
    expectPlays(await readFor(rtsps(srv, 'sample.mp4', 'alice:secret@'), 'tcp', 3));
  }, 120_000);
});

describe('rtspEncryption strict', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer(tls({ rtspEncryption: 'strict' }));
  });
  afterAll(async () => {
    await srv?.close();
  });

  it('plain RTSP is refused with 403 naming the rtsps:// URL; ffmpeg fails on it and plays over rtsps://', async () => {
    const c = await RawRtspClient.open(srv.rtspPort);
    try {
      const r = await c.request('OPTIONS', srv.url('sample.mp4'));
      expect(r.status).toBe(403);
      expect(bodyText(r)).toMatch(/only over TLS \(rtspEncryption: strict\).*rtsps:\/\/127\.0\.0\.1:\d+\/sample\.mp4/);
    } finally {
      c.close();
    }
    const plain = await readFor(srv.url('sample.mp4'), 'tcp', 2);
    expect(plain.r.code).not.toBe(0);
    expect(plain.r.stderr, describeRun('ffmpeg', plain.args, plain.r)).toMatch(/403 Forbidden/);
    expectPlays(await readFor(rtsps(srv, 'sample.mp4'), 'tcp', 3));
  }, 120_000);

  it('our own testsrc ffmpeg publishes over RTSPS, and it is read over RTSPS', async () => {
    expectPlays(await readFor(rtsps(srv, 'testsrc'), 'tcp', 3), false);
  }, 120_000);
});

describe('a renewed certificate', () => {
  let srv: TestServer;
  /** A pair of this block's own: the test writes over its files. */
  let own: TestCert;
  let renewed: TestCert;
  beforeAll(async () => {
    own = await makeTestCert();
    renewed = await makeTestCert('renewed.localhost');
    srv = await startTestServer({ serverCert: own.cert, serverKey: own.key, rtspsPort: 0, httpsPort: 0 });
  });
  afterAll(async () => {
    await srv?.close();
    own?.remove();
    renewed?.remove();
  });

  /** The certificate a new TLS handshake on `port` is shown. */
  const presented = (port: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const s = connectTls({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.end();
      });
      s.once('error', reject);
    });

  it('written over the files, is what new RTSPS and HTTPS handshakes get, without a restart; ffmpeg still plays', async () => {
    const before = new X509Certificate(readFileSync(own.cert)).fingerprint256;
    const after = new X509Certificate(readFileSync(renewed.cert)).fingerprint256;
    expect(await presented(srv.rtspsPort!)).toBe(before);
    // As certbot's deploy hook or `tidecast cert --force` would: both files rewritten in place.
    copyFileSync(renewed.cert, own.cert);
    copyFileSync(renewed.key, own.key);
    await waitFor(async () => (await presented(srv.rtspsPort!)) === after, 30_000, 'RTSPS to present the renewed certificate');
    expect(await presented(srv.httpsPort!)).toBe(after);
    expect(srv.certs!.reloads).toBeGreaterThanOrEqual(1);
    expectPlays(await readFor(rtsps(srv, 'sample.mp4'), 'tcp', 2));
  }, 120_000);
});
