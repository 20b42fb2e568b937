// SRTP over RTSPS with real clients: GStreamer rtspsrc over UDP (RTP/SAVP, MIKEY) and TCP decoding a file and a live path, rtspclientsink publishing over RTSPS, and a raw socket showing what crosses the wire is SRTP (werift-rtp opens it with the key of SETUP's KeyMgmt, nothing else does).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ProtectionProfileAes128CmHmacSha1_80, SrtpSession } from 'werift-rtp';
import { decodeMikey, formatKeyMgmt, parseKeyMgmt } from '../../server/rtsp/headers/key-mgmt.js';
import { srtpKeyingOf, srtpMikey } from '../../server/rtsp/mikey/srtp-policy.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import type { RtspSession } from '../../server/rtsp/session.js';
import { H264Depacketizer, isH264KeyFrame } from '../../server/rtp/codecs/h264.js';
import { parseRtpPacket } from '../../server/rtp/packet.js';
import { gstRead } from '../helpers/gst-read.js';
import { readFor, waitFor } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun } from '../helpers/spawn.js';
import { makeTestCert, type TestCert } from '../helpers/tls-cert.js';

let cert: TestCert;
let srv: TestServer;
const children: ChildProcess[] = [];
beforeAll(async () => {
  cert = await makeTestCert();
  srv = await startTestServer({ serverCert: cert.cert, serverKey: cert.key, rtspsPort: 0, httpsPort: 0 });
});
afterAll(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await srv?.close();
  cert?.remove();
});

const rtsps = (path: string): string => `rtsps://127.0.0.1:${srv.rtspsPort}/${path}`;
/** rtspsrc trusting the test's self-signed certificate as the users would: no validation. */
const TLS_PROPS = ['tls-validation-flags=0'];

/** The sessions the server makes from now until the test ends (their tracks stay readable after they close). */
function watchSessions(): RtspSession[] {
  const seen: RtspSession[] = [];
  const map = srv.rtsp.sessions;
  const set = map.set.bind(map);
  map.set = (k, v) => {
    seen.push(v);
    return set(k, v);
  };
  onTestFinished(() => {
    map.set = set;
  });
  return seen;
}

describe('GStreamer rtspsrc over RTSPS', () => {
  for (const [protocols, path] of [['udp', 'sample.mp4'], ['udp', 'testsrc'], ['tcp', 'sample.mp4'], ['tcp', 'testsrc']] as const) {
    it(`${protocols === 'udp' ? 'UDP (SRTP, keys by MIKEY)' : 'TCP interleaved inside TLS (rtspsrc asks RTP/SAVP/TCP: SRTP inside TLS)'}: decodes ${path}`, async () => {
      const sessions = watchSessions();
      const r = await gstRead(rtsps(path), { protocols, props: TLS_PROPS, videoFrames: 30, deadlineS: 90 });
      expect(r.errors, r.info).toEqual([]);
      expect(r.videoFrames, r.info).toBeGreaterThanOrEqual(30);
      // What the server set up for it: SRTP, as the SDP offered RTP/SAVP (rtspsrc asks RTP/SAVP/TCP too,
      // and gets SRTP interleaved inside TLS; ffmpeg asks RTP/AVP/TCP and gets plain RTP there).
      const tracks = sessions.filter((s) => s.media.kind !== 'publish').flatMap((s) => [...s.tracks.values()]);
      expect(tracks.length).toBeGreaterThan(0);
      for (const t of tracks) expect({ kind: t.transport.kind, srtp: t.srtp !== undefined }).toEqual({ kind: protocols, srtp: true });
    }, 150_000);
  }

  it('two rtspsrc at once on a live path over SRTP both decode, with the same key: the stream seals each packet once for both', async () => {
    const sessions = watchSessions();
    const [a, b] = await Promise.all([
      gstRead(rtsps('testsrc'), { protocols: 'udp', props: TLS_PROPS, videoFrames: 30, deadlineS: 90 }),
      gstRead(rtsps('testsrc'), { protocols: 'udp', props: TLS_PROPS, videoFrames: 30, deadlineS: 90 }),
    ]);
    expect(a.videoFrames, a.info).toBeGreaterThanOrEqual(30);
    expect(b.videoFrames, b.info).toBeGreaterThanOrEqual(30);
    const video = sessions.filter((s) => s.media.kind === 'live').map((s) => s.tracks.get(0)!.srtp!.reply()!);
    expect(video.length).toBe(2);
    expect(Buffer.from(srtpKeyingOf(video[0]!).key)).toEqual(Buffer.from(srtpKeyingOf(video[1]!).key));
  }, 150_000);
});

describe('rtspclientsink over RTSPS', () => {
  for (const protocols of ['udp', 'tcp'] as const) {
    it(`publishes over ${protocols === 'udp' ? 'UDP (SRTP)' : 'TCP inside TLS'}; ffmpeg reads it back over rtsps://`, async () => {
      const path = `live/gst-${protocols}`;
      const child = spawn('gst-launch-1.0', [
        '-q',
        'videotestsrc', 'is-live=true', '!', 'video/x-raw,width=320,height=240,framerate=30/1', '!', 'x264enc', 'tune=zerolatency', 'key-int-max=30', '!', 'h264parse', '!', 's.sink_0',
        // profiles=savp: rtspclientsink offers RTP/SAVP (and sends its MIKEY key) only when asked.
        'rtspclientsink', 'name=s', `location=${rtsps(path)}`, `protocols=${protocols}`, 'tls-validation-flags=0', ...(protocols === 'udp' ? ['profiles=savp'] : []),
      ], { stdio: ['ignore', 'ignore', 'pipe'] });
      children.push(child);
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      const exited = new Promise((r) => child.once('exit', r));
      onTestFinished(async () => {
        child.kill('SIGINT');
        await exited;
      });
      const sessions = watchSessions();
      await waitFor(() => srv.paths.livePath(path).stream !== undefined || child.exitCode !== null, 60_000, `${path} to go live`);
      expect(child.exitCode, err).toBe(null);
      const x = await readFor(rtsps(path), 'tcp', 2);
      expect(x.r.code, describeRun('ffmpeg', x.args, x.r)).toBe(0);
      expect(x.video, describeRun('ffmpeg', x.args, x.r)).toBeGreaterThan(20);
      const published = sessions.filter((s) => s.media.kind === 'publish').flatMap((s) => [...s.tracks.values()]);
      expect(published.map((t) => ({ kind: t.transport.kind, srtp: t.srtp !== undefined }))).toEqual([{ kind: protocols, srtp: protocols === 'udp' }]);
      if (protocols === 'udp') expect(published[0]!.srtp!.opener.rejected).toBe(0);
    }, 120_000);
  }
});

/** An even/odd UDP pair on loopback keeping every datagram as it arrived. */
async function rawPair(): Promise<{ port: number; rtp: Buffer[]; close(): void }> {
  for (let i = 0; i < 50; i++) {
    const port = 30000 + 2 * Math.floor(Math.random() * 15000);
    const socks: Socket[] = [createSocket('udp4'), createSocket('udp4')];
    try {
      for (const [k, s] of socks.entries()) await new Promise<void>((res, rej) => { s.once('error', rej); s.bind(port + k, '127.0.0.1', () => res()); });
    } catch {
      for (const s of socks) s.close();
      continue;
    }
    socks[0]!.setRecvBufferSize(4 * 1024 * 1024);
    const rtp: Buffer[] = [];
    socks[0]!.on('message', (m) => rtp.push(m));
    return { port, rtp, close: () => socks.forEach((s) => s.close()) };
  }
  throw new Error('no free UDP port pair');
}

describe('on the wire', () => {
  it('RTP/SAVP packets are SRTP: their payload is not the H.264 a plain reader gets; werift-rtp opens them with the key of KeyMgmt, and fails with another', async () => {
    const rx = await rawPair();
    onTestFinished(() => rx.close());
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    onTestFinished(() => c.close());
    const url = rtsps('sample.mp4');
    const d = await c.request('DESCRIBE', url);
    expect(bodyText(d)).toMatch(/^m=video \d+ RTP\/SAVP /m);
    // Our key for the SRTCP we would send (RFC 4567 §3.2: the client's KeyMgmt in SETUP).
    const ours = srtpMikey({ key: new Uint8Array(randomBytes(30)), ssrcs: [] }, 0n, new Uint8Array(16), 1);
    const s = await c.request('SETUP', `${url}/trackID=0`, {
      Transport: `RTP/SAVP;unicast;client_port=${rx.port}-${rx.port + 1}`,
      KeyMgmt: formatKeyMgmt({ uri: `${url}/trackID=0`, message: ours }),
    });
    expect(s.status, bodyText(s)).toBe(200);
    expect(s.headers.get('Transport')).toMatch(/^RTP\/SAVP/);
    const keyMgmt = s.headers.get('KeyMgmt');
    expect(keyMgmt, 'SETUP answers with the key it sends with').toBeDefined();
    const key = srtpKeyingOf(parseKeyMgmt(keyMgmt!).message).key;
    // The same key as the DESCRIBE's a=key-mgmt said.
    const sdpKey = /^a=key-mgmt:mikey (\S+)$/m.exec(bodyText(d))![1]!;
    expect(Buffer.from(srtpKeyingOf(decodeMikey(sdpKey)).key)).toEqual(Buffer.from(key));
    const p = await c.request('PLAY', `${url}/`, { Session: parseSession(s.headers.get('Session')!).id });
    expect(p.status, bodyText(p)).toBe(200);
    await waitFor(() => rx.rtp.length >= 100, 30_000, '100 packets on the wire');

    const session = (k: Uint8Array) =>
      new SrtpSession({
        keys: { localMasterKey: Buffer.alloc(16), localMasterSalt: Buffer.alloc(14), remoteMasterKey: Buffer.from(k.subarray(0, 16)), remoteMasterSalt: Buffer.from(k.subarray(16)) },
        profile: ProtectionProfileAes128CmHmacSha1_80,
      });
    const opener = session(key);
    const packets = rx.rtp.slice(0, 100);
    const plain = packets.map((b) => opener.decrypt(Buffer.from(b)));
    for (const [i, b] of packets.entries()) {
      // SRTP keeps the header, encrypts the payload and appends the 80-bit tag (RFC 3711 §3.1).
      expect(b.length).toBe(plain[i]!.length + 10);
      expect(Buffer.compare(b.subarray(12, plain[i]!.length), plain[i]!.subarray(12))).not.toBe(0);
    }
    const opened = new H264Depacketizer();
    const frames = plain.flatMap((b) => opened.push(parseRtpPacket(new Uint8Array(b))));
    expect(frames.length).toBeGreaterThan(3);
    expect(isH264KeyFrame(frames[0]!.data)).toBe(true);
    // The key frame's first bytes, which plain RTP carries as they are, appear nowhere on the wire.
    const idr = Buffer.from(frames[0]!.data.find((n) => (n[0]! & 0x1f) === 5)!.subarray(1, 33));
    expect(plain.some((b) => b.includes(idr))).toBe(true);
    expect(packets.some((b) => b.includes(idr))).toBe(false);
    // Another key does not authenticate them.
    const wrong = session(new Uint8Array(randomBytes(30)));
    expect(() => wrong.decrypt(Buffer.from(packets[0]!))).toThrow();
  }, 90_000);

  it('RTP/SAVP without a KeyMgmt is refused with 400 saying what to send; RTP/SAVP on plain RTSP is refused', async () => {
    const c = await RawRtspClient.openTls(srv.rtspsPort!);
    onTestFinished(() => c.close());
    const url = rtsps('sample.mp4');
    await c.request('DESCRIBE', url);
    const r = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/SAVP;unicast;client_port=40000-40001' });
    expect(r.status).toBe(400);
    expect(bodyText(r)).toMatch(/needs a KeyMgmt header/);
    const plain = await RawRtspClient.open(srv.rtspPort);
    onTestFinished(() => plain.close());
    const q = await plain.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/SAVP;unicast;client_port=40000-40001' });
    expect(q.status).toBe(461);
    expect(bodyText(q)).toMatch(/RTP\/SAVP is set up only over RTSPS/);
  }, 60_000);
});
