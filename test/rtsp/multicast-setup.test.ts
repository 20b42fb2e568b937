// Multicast SETUP on a raw socket: the reply's group/port/ttl, one group per track shared by every
// session, the 461 refusals (file paths, destinations outside the range, mixed sessions), and the
// one sender per stream starting with the first PLAY and stopping after the last reader.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { RawRtspClient, bodyText, sleep } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

const PATH = 'live/mc-setup';
let srv: TestServer;
let publisher: ChildProcess | undefined;
const clients: RawRtspClient[] = [];
/** Sessions set up by the test running now: torn down after it, passed or failed, so a failed try leaves no groups held for the next. */
const opened: { c: RawRtspClient; id: string }[] = [];

beforeAll(async () => {
  // TTL 0: whatever PLAY sends here never leaves this host (no namespace in this suite).
  srv = await startTestServer({ multicastIPRange: '239.255.77.0/28', multicastRTPPort: 18002, multicastRTCPPort: 18003, multicastTTL: 0 });
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)], { stdio: 'ignore' });
  const c = await open();
  for (let i = 0; i < 60; i++) {
    if ((await c.request('DESCRIBE', srv.url(PATH))).status === 200) return;
    await sleep(250);
  }
  throw new Error(`/${PATH} did not go live`);
}, 30_000);

afterEach(async () => {
  for (const { c, id } of opened.splice(0)) await c.request('TEARDOWN', srv.url(PATH), { Session: id }).catch(() => undefined);
});

afterAll(async () => {
  for (const c of clients) c.close();
  publisher?.kill('SIGKILL');
  await srv?.close();
});

async function open(): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(srv.rtspPort);
  clients.push(c);
  return c;
}

const track = (n: number): string => `${srv.url(PATH)}/trackID=${n}`;

async function setupMulticast(c: RawRtspClient, trackId: number, session?: string, transport = 'RTP/AVP;multicast') {
  const r = await c.request('SETUP', track(trackId), { Transport: transport, ...(session ? { Session: session } : {}) });
  expect(r.status, bodyText(r)).toBe(200);
  const id = parseSession(r.headers.get('Session')!).id;
  if (!opened.some((o) => o.c === c && o.id === id)) opened.push({ c, id });
  return { t: parseTransport(r.headers.get('Transport')!)[0]!, id: parseSession(r.headers.get('Session')!).id, raw: r.headers.get('Transport')! };
}

describe('multicast SETUP on a live path', () => {
  it('answers with a group of the range, the configured ports and TTL, and the source SSRC; one group per track', async () => {
    const c = await open();
    const v = await setupMulticast(c, 0);
    expect(v.raw).toMatch(/^RTP\/AVP;multicast;destination=239\.255\.77\.\d+;port=18002-18003;ttl=0;ssrc=[0-9A-F]{8}$/);
    // ffmpeg offers RTP/AVP/UDP;multicast; the answer must stay UDP multicast (INTEROP: matching lower transport).
    const a = await setupMulticast(c, 1, v.id, 'RTP/AVP/UDP;multicast');
    expect(a.t.delivery).toBe('multicast');
    expect(a.t.lowerTransport).toBe('UDP');
    expect(a.t.destination).not.toBe(v.t.destination);
    expect(a.t.port).toEqual([18002, 18003]);
    await c.request('TEARDOWN', srv.url(PATH), { Session: v.id });
  });

  it('gives every session of the stream the same group per track', async () => {
    const [c1, c2] = [await open(), await open()];
    const s1 = await setupMulticast(c1, 0);
    const s2 = await setupMulticast(c2, 0);
    expect(s1.id).not.toBe(s2.id);
    expect(s2.t.destination).toBe(s1.t.destination);
    for (const [c, s] of [[c1, s1], [c2, s2]] as const) await c.request('TEARDOWN', srv.url(PATH), { Session: s.id });
  });

  it('accepts a destination inside the range (answering with the group it uses) and refuses one outside with 461', async () => {
    const c = await open();
    const inside = await setupMulticast(c, 0, undefined, 'RTP/AVP;multicast;destination=239.255.77.9;port=4000-4001;ttl=5');
    expect(inside.t.destination).toMatch(/^239\.255\.77\.\d+$/);
    expect(inside.t.port).toEqual([18002, 18003]);
    expect(inside.t.ttl).toBe(0);
    await c.request('TEARDOWN', srv.url(PATH), { Session: inside.id });
    for (const dest of ['239.1.2.3', '10.0.0.7']) {
      const r = await c.request('SETUP', track(0), { Transport: `RTP/AVP;multicast;destination=${dest};port=5000-5001` });
      expect(r.status).toBe(461);
      expect(bodyText(r)).toContain(`destination=${dest} is outside 239.255.77.0/28`);
    }
  });

  it('refuses multicast over TCP, and a session whose other tracks are unicast (461)', async () => {
    const c = await open();
    const tcp = await c.request('SETUP', track(0), { Transport: 'RTP/AVP/TCP;multicast' });
    expect(tcp.status).toBe(461);
    expect(bodyText(tcp)).toContain('multicast is carried over UDP');
    const u = await c.request('SETUP', track(0), { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(u.status).toBe(200);
    const id = parseSession(u.headers.get('Session')!).id;
    const mixed = await c.request('SETUP', track(1), { Transport: 'RTP/AVP;multicast', Session: id });
    expect(mixed.status).toBe(461);
    expect(bodyText(mixed)).toContain('set up every track of a session the same way');
    await c.request('TEARDOWN', srv.url(PATH), { Session: id });
  });
});

describe('multicast on a media file', () => {
  it('is refused with 461 and the reason', async () => {
    const c = await open();
    const r = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;multicast' });
    expect(r.status).toBe(461);
    expect(bodyText(r)).toContain('multicast is offered on live paths; files play per reader over UDP or TCP unicast');
  });

  it('falls through to the next offer the client listed', async () => {
    const c = await open();
    const r = await c.request('SETUP', `${srv.url('sample.mp4')}/trackID=0`, { Transport: 'RTP/AVP;multicast,RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(r.status, bodyText(r)).toBe(200);
    expect(r.headers.get('Transport')).toMatch(/^RTP\/AVP\/TCP;unicast;interleaved=0-1/);
    await c.request('TEARDOWN', srv.url('sample.mp4'), { Session: parseSession(r.headers.get('Session')!).id });
  });
});

describe('one sender per stream', () => {
  it('starts with the first PLAY, is shared by the next reader, stops after the last, and frees its groups', async () => {
    const hub = srv.rtsp.multicast;
    const [c1, c2] = [await open(), await open()];
    const s1 = await setupMulticast(c1, 0);
    await setupMulticast(c1, 1, s1.id);
    const s2 = await setupMulticast(c2, 0);
    await setupMulticast(c2, 1, s2.id);
    expect(hub.active).toHaveLength(1);
    const sender = hub.active[0]!;
    expect(sender.sending).toBe(false); // SETUP holds groups; only PLAY sends

    const p1 = await c1.request('PLAY', srv.url(PATH), { Session: s1.id });
    expect(p1.status).toBe(200);
    // The first reader starts the sender at the cached GOP: RTP-Info names its first packets.
    expect(parseRtpInfo(p1.headers.get('RTP-Info')!)[0]!.seq, p1.headers.get('RTP-Info')).toBeTypeOf('number');
    await sleep(300);
    expect(sender.sending).toBe(true);
    const sentBefore = sender.packets;
    expect(sentBefore).toBeGreaterThan(0);

    const p2 = await c2.request('PLAY', srv.url(PATH), { Session: s2.id });
    expect(p2.status).toBe(200);
    // A joiner's socket has been in the group since SETUP: RTP-Info names only the URLs.
    expect(parseRtpInfo(p2.headers.get('RTP-Info')!).map((e) => e.seq)).toEqual([undefined, undefined]);
    expect(sender.readers).toBe(2);
    expect(srv.rtsp.paths.livePath(PATH).stream?.readers.has(sender)).toBe(true);

    await c1.request('TEARDOWN', srv.url(PATH), { Session: s1.id });
    expect(sender.sending).toBe(true);
    await c2.request('PAUSE', srv.url(PATH), { Session: s2.id });
    expect(sender.sending).toBe(false); // nobody plays: nothing goes to the groups
    expect(hub.pool.inUse).toBe(2); // but the paused session still holds them
    await c2.request('TEARDOWN', srv.url(PATH), { Session: s2.id });
    expect(hub.active).toHaveLength(0);
    expect(hub.pool.inUse).toBe(0);
  });
});
