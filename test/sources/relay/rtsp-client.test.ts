// The relay RTSP client against our own server, tiny fake responders (auth, redirect, silence, keepalive) and gst-rtsp-server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseRtpPacket } from '../../../server/rtp/packet.js';
import { RtspClient } from '../../../server/sources/relay/rtsp-client.js';
import type { CloseReason, PlaySession, RtspClientOptions } from '../../../server/sources/relay/rtsp-client-types.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { waitFor } from '../../helpers/read.js';
import { FakeRtsp, params } from './fake-rtsp.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});
/** Fake servers a case started: closed after it, passed or failed (their clients close with them). */
const fakes: FakeRtsp[] = [];
const startFake = async (opts?: Parameters<typeof FakeRtsp.start>[0]): Promise<FakeRtsp> => {
  const f = await FakeRtsp.start(opts);
  fakes.push(f);
  return f;
};
// Cases on a simulated clock fake the timers; whatever happens, the next case runs on real ones.
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
/** The relay client's timers (request timeouts, keepalives, read timeout) on a simulated clock. */
const fakeTimers = (): void => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
};

interface Received {
  client: RtspClient;
  session: PlaySession;
  /** Per media: RTP packets in arrival order. */
  rtp: Uint8Array[][];
  rtcp: number[];
}

/** Connects and plays, recording packets from the first one (callbacks are set before PLAY). */
async function playFrom(url: string, opts: RtspClientOptions = {}): Promise<Received> {
  // A request's deadline, not its expected time: gst-rtsp-server builds its pipeline on DESCRIBE.
  const client = await RtspClient.connect(url, { timeoutMs: 30_000, ...opts });
  const rtp: Uint8Array[][] = [];
  const rtcp: number[] = [];
  client.onRtp = (i, p) => (rtp[i] ??= []).push(p.slice());
  client.onRtcp = (i) => (rtcp[i] = (rtcp[i] ?? 0) + 1);
  try {
    const session = await client.play();
    return { client, session, rtp, rtcp };
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Sequence numbers must step by one (mod 2^16) with no gap or repeat. */
function gaps(packets: Uint8Array[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < packets.length; i++) {
    const a = parseRtpPacket(packets[i - 1]!).sequenceNumber;
    const b = parseRtpPacket(packets[i]!).sequenceNumber;
    if (((a + 1) & 0xffff) !== b) out.push(`${a} -> ${b} at ${i}`);
  }
  return out;
}

/**
 * Over UDP a datagram may be lost on a busy loopback (a full socket buffer), so only this always
 * holds: sequence numbers go forward (mod 2^16), never back or repeated; gaps are allowed.
 */
function backwards(packets: Uint8Array[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < packets.length; i++) {
    const a = parseRtpPacket(packets[i - 1]!).sequenceNumber;
    const b = parseRtpPacket(packets[i]!).sequenceNumber;
    const step = (b - a) & 0xffff;
    if (step === 0 || step >= 0x8000) out.push(`${a} -> ${b} at ${i}`);
  }
  return out;
}

/** Checks the packets of one medium from PLAY on: all of them in order over TCP, in order from the RTP-Info seq on over UDP. */
function expectFromRtpInfo(packets: Uint8Array[], transport: 'tcp' | 'udp', seq: number | undefined, what: string): void {
  expect(seq, `${what} RTP-Info`).toBeDefined();
  const first = parseRtpPacket(packets[0]!).sequenceNumber;
  if (transport === 'tcp') {
    expect(gaps(packets), what).toEqual([]);
    expect(first, what).toBe(seq);
  } else {
    expect(backwards(packets), what).toEqual([]);
    expect((first - seq!) & 0xffff, `${what}: first seq ${first}, RTP-Info seq ${seq}`).toBeLessThan(0x8000);
  }
}

describe('against Tidecast', () => {
  it.each(['tcp', 'udp'] as const)('plays sample.mp4 over %s: both media, in order from the RTP-Info seq (every packet, contiguous, over tcp)', async (transport) => {
    const r = await playFrom(srv.url('sample.mp4'), { transport });
    try {
      const s = r.session;
      expect(s.transport).toBe(transport);
      expect(s.sdp).toMatch(/^v=0/);
      expect(s.sdp).toContain('m=video');
      expect(s.baseUrl).toBe(`${srv.url('sample.mp4')}/`);
      expect(s.medias.map((m) => m.control)).toEqual([`${srv.url('sample.mp4')}/trackID=0`, `${srv.url('sample.mp4')}/trackID=1`]);
      expect(s.medias.map((m) => m.type)).toEqual(['video', 'audio']);
      expect(s.sessionId).not.toBe('');
      expect(s.timeoutS).toBeGreaterThan(0);
      if (transport === 'tcp') expect(s.medias.map((m) => m.interleaved)).toEqual([[0, 1], [2, 3]]);
      else for (const m of s.medias) expect(m.clientPorts![0] % 2).toBe(0);
      // 2 s of 30 fps video is well over 60 packets; 48 kHz AAC is ~94 frames.
      await waitFor(() => s.medias.every((m) => (r.rtp[m.index]?.length ?? 0) > 50), 30_000, 'packets of both media');
      for (const m of s.medias) {
        const got = r.rtp[m.index]!;
        expectFromRtpInfo(got, transport, m.rtpInfo?.seq, `media ${m.index}`);
        const first = parseRtpPacket(got[0]!);
        if (m.rtpInfo!.rtptime !== undefined && m.type === 'video' && first.sequenceNumber === m.rtpInfo!.seq) expect(first.timestamp).toBe(m.rtpInfo!.rtptime);
      }
    } finally {
      await r.client.close();
    }
    const reason = await r.client.closed;
    expect(reason.kind).toBe('local');
  });

  it('rejects a missing path with the status and the server\'s words', async () => {
    const client = await RtspClient.connect(srv.url('no-such-file.mp4'));
    try {
      await expect(client.play()).rejects.toThrow(new RegExp(`upstream rtsp://127\\.0\\.0\\.1:${srv.rtspPort}/no-such-file\\.mp4 answered DESCRIBE with 404`));
      await expect(client.play()).rejects.toMatchObject({ status: 404 });
    } finally {
      await client.close();
    }
  });

  it('fails clearly when nothing listens', async () => {
    const s = createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as { port: number }).port;
    await new Promise<void>((r) => s.close(() => r()));
    await expect(RtspClient.connect(`rtsp://127.0.0.1:${port}/x`)).rejects.toThrow(/could not connect to upstream rtsp:\/\/127\.0\.0\.1:\d+\/x: .*ECONNREFUSED/);
  });

  it('times out a request when the server accepts and never answers', async () => {
    const received: Buffer[] = [];
    let arrived!: () => void;
    const requestIn = new Promise<void>((r) => (arrived = r));
    const silent = createServer((sock) =>
      sock.on('data', (d) => {
        received.push(d);
        arrived();
      }),
    );
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      fakeTimers();
      const client = await RtspClient.connect(`rtsp://127.0.0.1:${port}/x`, { timeoutMs: 300 });
      let settled = false;
      const outcome = client.play().then(
        () => new Error('play() succeeded against a server that never answers'),
        (e: Error) => e,
      );
      void outcome.then(() => (settled = true));
      await requestIn;
      // Exactly the request timeout: still waiting 1 ms before it, failed at it.
      await vi.advanceTimersByTimeAsync(299);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect((await outcome).message).toBe(`upstream rtsp://127.0.0.1:${port}/x did not answer OPTIONS within 0.3 s`);
      expect(Buffer.concat(received).toString()).toMatch(/^OPTIONS rtsp:\/\/127\.0\.0\.1:\d+\/x RTSP\/1\.0\r\nCSeq: 1\r\nUser-Agent: Tidecast\/0\.1\r\n/);
      await client.close();
    } finally {
      silent.close();
    }
  });

  it('follows a 302 from another server to Tidecast, and keeps credentials out of URLs', async () => {
    const fake = await startFake({
      handle: (req) => (req.method === 'DESCRIBE' ? { status: 302, headers: { Location: srv.url('sample.mp4') } } : undefined),
    });
    const r = await playFrom(`rtsp://someone:pw@127.0.0.1:${fake.port}/moved`);
    try {
      expect(fake.requests.map((q) => `${q.method} ${q.uri}`)).toEqual([
        `OPTIONS rtsp://127.0.0.1:${fake.port}/moved`,
        `DESCRIBE rtsp://127.0.0.1:${fake.port}/moved`,
      ]);
      expect(r.session.url).toBe(srv.url('sample.mp4'));
      expect(r.client.url).toBe(srv.url('sample.mp4'));
      await waitFor(() => (r.rtp[0]?.length ?? 0) > 5, 30_000, 'RTP from the redirect target');
    } finally {
      await r.client.close();
      await fake.close();
    }
  });

  it('gives up after 3 redirects', async () => {
    const fake = await startFake({
      handle: (req) => (req.method === 'DESCRIBE' ? { status: 301, headers: { Location: `${req.uri}x` } } : undefined),
    });
    const client = await RtspClient.connect(fake.url('loop'));
    try {
      await expect(client.play()).rejects.toThrow(/redirected DESCRIBE more than 3 times/);
      expect(fake.requests.filter((q) => q.method === 'DESCRIBE').map((q) => q.uri)).toEqual(['', 'x', 'xx', 'xxx'].map((s) => fake.url(`loop${s}`)));
    } finally {
      await client.close();
      await fake.close();
    }
  });
});

describe('authentication', () => {
  const md5 = (s: string) => createHash('md5').update(s).digest('hex');

  it.each([
    { scheme: 'Digest' as const, qop: true },
    { scheme: 'Digest' as const, qop: false },
    { scheme: 'Basic' as const, qop: false },
  ])('answers $scheme (qop: $qop) on every request, password from the URL userinfo', async ({ scheme, qop }) => {
    const fake = await startFake({ auth: { scheme, qop, user: 'ad min', pass: 'p@ss:word' } });
    const r = await playFrom(`rtsp://ad%20min:p%40ss%3Aword@127.0.0.1:${fake.port}/cam`);
    try {
      // The fake sends 5 packets after PLAY, and no more.
      await waitFor(() => (r.rtp[0]?.length ?? 0) >= 5, 20_000, 'the 5 packets after PLAY');
      expect(r.rtp[0]?.length).toBe(5);
      expect(fake.authFailures).toEqual([]);
      // OPTIONS is challenged once, then every request carries credentials: the first try of OPTIONS only is unauthenticated.
      const methods = fake.requests.map((q) => `${q.method}${q.headers.has('Authorization') ? '+auth' : ''}`);
      expect(methods).toEqual(['OPTIONS', 'OPTIONS+auth', 'DESCRIBE+auth', 'SETUP+auth', 'PLAY+auth']);
      for (const q of fake.requests) expect(q.uri).not.toContain('@');
      if (scheme === 'Digest') {
        // Checked in the fake with node:crypto; here also the nonce count climbs.
        const ncs = fake.requests.slice(1).map((q) => /nc=([0-9a-f]{8})/.exec(q.headers.get('Authorization')!)?.[1]);
        expect(ncs).toEqual(qop ? ['00000001', '00000002', '00000003', '00000004'] : [undefined, undefined, undefined, undefined]);
        const a = params(fake.requests[2]!.headers.get('Authorization')!);
        const ha1 = md5(`ad min:${fake.realm}:p@ss:word`);
        const ha2 = md5(`DESCRIBE:${fake.url('cam')}`);
        expect(a['response']).toBe(qop ? md5(`${ha1}:${a['nonce']}:${a['nc']}:${a['cnonce']}:auth:${ha2}`) : md5(`${ha1}:${a['nonce']}:${ha2}`));
      } else {
        expect(fake.requests[2]!.headers.get('Authorization')).toBe(`Basic ${Buffer.from('ad min:p@ss:word').toString('base64')}`);
      }
    } finally {
      await r.client.close();
      await fake.close();
    }
    // TEARDOWN went out authenticated as well.
    expect(fake.requests.at(-1)?.method).toBe('TEARDOWN');
    expect(fake.requests.at(-1)?.headers.has('Authorization')).toBe(true);
    expect(fake.authFailures).toEqual([]);
  });

  it('says the source URL lacks credentials', async () => {
    const fake = await startFake({ auth: { scheme: 'Digest', qop: true, user: 'u', pass: 'p' } });
    const client = await RtspClient.connect(fake.url('cam'));
    try {
      await expect(client.play()).rejects.toThrow(/answered DESCRIBE with 401 Unauthorized; it asks for Digest \(realm "tidecast-test", algorithm MD5\), and the source URL has no user:password@/);
    } finally {
      await client.close();
      await fake.close();
    }
  });

  it('says the credentials were rejected, and retries only once', async () => {
    const fake = await startFake({ auth: { scheme: 'Digest', qop: true, user: 'u', pass: 'p' } });
    const client = await RtspClient.connect(`rtsp://u:wrong@127.0.0.1:${fake.port}/cam`);
    try {
      await expect(client.play()).rejects.toThrow(/401 Unauthorized; it rejected the credentials of user "u"/);
      expect(fake.requests.filter((q) => q.method === 'DESCRIBE').length).toBe(2);
    } finally {
      await client.close();
      await fake.close();
    }
  });
});

describe('session life', () => {
  // On a simulated clock. A SET_PARAMETER sent by the test marks a moment: on one connection, a
  // keepalive the client sent before it reaches the fake before it (the fake logs it first).
  const mark = async (r: Received, fake: FakeRtsp): Promise<void> => {
    expect((await r.client.request('SET_PARAMETER', fake.url('cam/'))).status).toBe(200);
  };
  const keepalives = (fake: FakeRtsp): string[] => fake.requests.map((q) => q.method).filter((m) => m !== 'SET_PARAMETER');

  it('keeps alive with GET_PARAMETER at half the session timeout, carrying the Session', async () => {
    const fake = await startFake({ sessionTimeout: 2, rtpEveryMs: 50 });
    fakeTimers();
    const r = await playFrom(fake.url('cam'));
    try {
      expect(r.session.timeoutS).toBe(2);
      await vi.advanceTimersByTimeAsync(999);
      await mark(r, fake);
      expect(keepalives(fake)).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY']);
      await vi.advanceTimersByTimeAsync(1);
      await mark(r, fake);
      const ka = fake.requests.filter((q) => q.method === 'GET_PARAMETER');
      expect(ka.length).toBe(1);
      expect(ka[0]!.headers.get('Session')).toBe('fakesession');
      expect(ka[0]!.uri).toBe(fake.url('cam/'));
      // And every second after that.
      await vi.advanceTimersByTimeAsync(1000);
      await mark(r, fake);
      expect(keepalives(fake)).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'GET_PARAMETER', 'GET_PARAMETER']);
    } finally {
      await r.client.close();
      await fake.close();
    }
  });

  it('keeps alive with OPTIONS when Public lacks GET_PARAMETER', async () => {
    const fake = await startFake({ sessionTimeout: 2, rtpEveryMs: 50, public: 'OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN' });
    fakeTimers();
    const r = await playFrom(fake.url('cam'));
    try {
      await vi.advanceTimersByTimeAsync(999);
      await mark(r, fake);
      expect(keepalives(fake)).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY']);
      await vi.advanceTimersByTimeAsync(1);
      await mark(r, fake);
      expect(keepalives(fake)).toEqual(['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'OPTIONS']);
      expect(fake.requests.filter((q) => q.method === 'OPTIONS')[1]!.headers.get('Session')).toBe('fakesession');
    } finally {
      await r.client.close();
      await fake.close();
    }
  });

  it('closes with read-timeout when RTP stops', async () => {
    const fake = await startFake();
    const r = await playFrom(fake.url('cam'), { readTimeoutMs: 300 });
    const events: CloseReason[] = [];
    r.client.on('close', (c: CloseReason) => events.push(c));
    const reason = await r.client.closed;
    expect(reason).toEqual({ kind: 'read-timeout', message: `no RTP from upstream ${fake.url('cam')} for 0.3 s` });
    expect(events).toEqual([reason]);
    await fake.close();
  });

  it('reports the upstream closing the connection', async () => {
    const fake = await startFake({ rtpEveryMs: 20 });
    const r = await playFrom(fake.url('cam'));
    await waitFor(() => (r.rtp[0]?.length ?? 0) > 5, 20_000, 'RTP flowing');
    fake.dropClients();
    const reason = await r.client.closed;
    expect(reason.kind).toBe('socket');
    expect(reason.message).toBe(`upstream ${fake.url('cam')} closed the connection`);
    await expect(r.client.request('OPTIONS', fake.url('cam'))).rejects.toThrow(/the connection is closed/);
    await fake.close();
  });

  it('a throwing onRtp ends the client with an error, not the process', async () => {
    const fake = await startFake();
    const client = await RtspClient.connect(fake.url('cam'), {
      onRtp: () => {
        throw new Error('boom');
      },
    });
    // PLAY's answer and the first packets may share a chunk: then play() itself reports the failure.
    await client.play().catch((e: Error) => expect(e.message).toContain('boom'));
    const reason = await client.closed;
    expect(reason.kind).toBe('error');
    expect(reason.message).toContain('boom');
    await fake.close();
  });

  it('sends TEARDOWN with the Session on close()', async () => {
    const fake = await startFake();
    const r = await playFrom(fake.url('cam'));
    await r.client.close();
    const last = fake.requests.at(-1)!;
    expect(last.method).toBe('TEARDOWN');
    expect(last.uri).toBe(fake.url('cam/'));
    expect(last.headers.get('Session')).toBe('fakesession');
    expect((await r.client.closed).kind).toBe('local');
    await fake.close();
  });

  it('falls back to TCP when UDP SETUP gets 461', async () => {
    const fake = await startFake({ refuseUdp: true });
    const r = await playFrom(fake.url('cam'), { transport: 'udp' });
    try {
      expect(r.session.transport).toBe('tcp');
      const setups = fake.requests.filter((q) => q.method === 'SETUP').map((q) => q.headers.get('Transport'));
      expect(setups[0]).toMatch(/^RTP\/AVP;unicast;client_port=\d*[02468]-\d+$/);
      expect(setups[1]).toBe('RTP/AVP/TCP;unicast;interleaved=0-1');
      await waitFor(() => (r.rtp[0]?.length ?? 0) >= 5, 20_000, 'the 5 packets after PLAY');
      expect(r.rtp[0]?.length).toBe(5);
    } finally {
      await r.client.close();
      await fake.close();
    }
  });
});

// ---- GStreamer's server: the relay's most common real upstream besides cameras and MediaMTX ----

const PYTHON = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', "import gi; gi.require_version('GstRtspServer','1.0'); gi.require_version('Gst','1.0'); from gi.repository import Gst; Gst.init(None); assert Gst.ElementFactory.find('x264enc') and Gst.ElementFactory.find('videotestsrc') and Gst.ElementFactory.find('rtph264pay')"], { stdio: 'ignore' }).status === 0);

// scripts/ensure-clients.mjs installs these packages; a machine without them fails here, it does not skip.
describe('against gst-rtsp-server (python3-gi, gir1.2-gst-rtsp-server-1.0)', () => {
  beforeAll(() => {
    if (PYTHON === undefined) throw new Error('gst-rtsp-server is not usable: apt-get install python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-ugly');
  });
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const p of started) p.kill('SIGKILL');
  });

  async function gst(args: string[] = []): Promise<number> {
    const child = spawn(PYTHON!, [resolve(import.meta.dirname, '../../fixtures/gst-rtsp-server.py'), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    started.push(child);
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((res, rej) => {
      const t = setTimeout(() => rej(new Error(`gst-rtsp-server.py did not start in 45 s: ${stderr}`)), 45_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const m = /^READY (\d+)$/.exec(line);
        if (m) {
          clearTimeout(t);
          res(Number(m[1]));
        }
      });
      child.once('exit', (code) => rej(new Error(`gst-rtsp-server.py exited with ${code}: ${stderr}`)));
    });
  }

  it.each(['tcp', 'udp'] as const)('pulls H.264 over %s in order from the RTP-Info seq (every packet, contiguous, over tcp)', async (transport) => {
    const port = await gst();
    const r = await playFrom(`rtsp://127.0.0.1:${port}/test`, { transport });
    try {
      expect(r.session.sdp).toMatch(/a=rtpmap:96 H264\/90000/);
      expect(r.session.medias).toHaveLength(1);
      expect(r.session.medias[0]!.control).toBe(`rtsp://127.0.0.1:${port}/test/stream=0`);
      await waitFor(() => (r.rtp[0]?.length ?? 0) > 20, 30_000, 'H.264 packets from gst-rtsp-server');
      const got = r.rtp[0]!;
      expectFromRtpInfo(got, transport, r.session.medias[0]!.rtpInfo?.seq, 'H.264');
      expect(parseRtpPacket(got[0]!).payloadType).toBe(96);
    } finally {
      await r.client.close();
    }
  }, 120_000);

  it('authenticates with Basic', async () => {
    const port = await gst(['--user', 'relay', '--password', 's3cret']);
    const anonymous = await RtspClient.connect(`rtsp://127.0.0.1:${port}/test`, { timeoutMs: 30_000 });
    try {
      await expect(anonymous.play()).rejects.toThrow(/401 Unauthorized; it asks for Basic/);
    } finally {
      await anonymous.close();
    }
    const r = await playFrom(`rtsp://relay:s3cret@127.0.0.1:${port}/test`);
    try {
      await waitFor(() => (r.rtp[0]?.length ?? 0) > 5, 30_000, 'H.264 packets after Basic authentication');
    } finally {
      await r.client.close();
    }
  }, 120_000);
});
