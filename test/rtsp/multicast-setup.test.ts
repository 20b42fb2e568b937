// Multicast SETUP on a raw socket: the reply's group/port/ttl, one group per track shared by every
// session, the 461 refusals (file paths, destinations outside the range, mixed sessions), and the
// one sender per stream starting with the first PLAY and stopping after the last reader.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildRtpPacket } from '../../server/rtp/packet.js';
import { parseRtpInfo } from '../../server/rtsp/headers/rtp-info.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { parseTransport } from '../../server/rtsp/headers/transport.js';
import { encodeInterleaved } from '../../server/rtsp/message.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, bodyText } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

const PATH = 'live/mc-setup';
let srv: TestServer;
let publisher: ChildProcess | undefined;
const clients: RawRtspClient[] = [];
/** Sessions set up by the test running now: torn down after it, passed or failed, so a failed try leaves no groups held for the next. */
const opened: { c: RawRtspClient; id: string; path: string }[] = [];

beforeAll(async () => {
  // TTL 0: whatever PLAY sends here never leaves this host (no namespace in this suite).
  srv = await startTestServer({ multicastIPRange: '239.255.77.0/28', multicastRTPPort: 18002, multicastRTCPPort: 18003, multicastTTL: 0 });
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)], { stdio: 'ignore' });
  // DESCRIBE answers 200 from RECORD on, before the publisher's first RTP packet; a track's SSRC
  // (which a SETUP reply names) is known only from that packet on. Wait for the packet on every
  // track, so the tests below see the stream as a reader joining a running publisher does.
  await waitFor(() => {
    const s = srv.rtsp.paths.livePath(PATH).stream;
    return s !== undefined && s.tracks.length === 2 && s.tracks.every((t) => s.ssrcOf(t.id) !== undefined);
  }, 50_000, `/${PATH} to go live with a packet on each track`);
}, 60_000);

afterEach(async () => {
  for (const { c, id, path } of opened.splice(0)) await c.request('TEARDOWN', srv.url(path), { Session: id }).catch(() => undefined);
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

const track = (n: number, path = PATH): string => `${srv.url(path)}/trackID=${n}`;

async function setupMulticast(c: RawRtspClient, trackId: number, session?: string, transport = 'RTP/AVP;multicast', path = PATH) {
  const r = await c.request('SETUP', track(trackId, path), { Transport: transport, ...(session ? { Session: session } : {}) });
  expect(r.status, bodyText(r)).toBe(200);
  const id = parseSession(r.headers.get('Session')!).id;
  if (!opened.some((o) => o.c === c && o.id === id)) opened.push({ c, id, path });
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

describe('the SSRC in the SETUP reply', () => {
  // A live path forwards its publisher's packets as they are, SSRC included, so the server knows a
  // track's SSRC only from the first packet on. RFC 2326 §12.39 makes ssrc optional in the reply:
  // before that packet the reply leaves it out rather than name an SSRC the packets will not carry.
  it('is left out before the publisher\'s first packet on the track, and is the publisher\'s after it', async () => {
    const path = 'live/mc-first-packet';
    const pub = await open();
    let pubSession: string | undefined;
    try {
      const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n';
      expect((await pub.request('ANNOUNCE', srv.url(path), { 'Content-Type': 'application/sdp' }, sdp)).status).toBe(200);
      const rs = await pub.request('SETUP', `${srv.url(path)}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record' });
      expect(rs.status, bodyText(rs)).toBe(200);
      pubSession = parseSession(rs.headers.get('Session')!).id;
      expect((await pub.request('RECORD', srv.url(path), { Session: pubSession })).status).toBe(200);

      const before = await setupMulticast(await open(), 0, undefined, 'RTP/AVP;multicast', path);
      expect(before.raw).toMatch(/^RTP\/AVP;multicast;destination=239\.255\.77\.\d+;port=18002-18003;ttl=0$/);

      const ssrc = 0x7ee1d00d;
      pub.socket.write(encodeInterleaved(0, buildRtpPacket({ payloadType: 0, marker: false, sequenceNumber: 1, timestamp: 160, ssrc }, new Uint8Array(160).fill(0xff))));
      await waitFor(() => srv.rtsp.paths.livePath(path).stream?.ssrcOf(0) === ssrc, 20_000, 'the first packet to reach the stream');
      const after = await setupMulticast(await open(), 0, undefined, 'RTP/AVP;multicast', path);
      expect(after.t.ssrc).toBe(ssrc);
      expect(after.t.destination).toBe(before.t.destination);
    } finally {
      if (pubSession) await pub.request('TEARDOWN', srv.url(path), { Session: pubSession }).catch(() => undefined);
    }
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
    // The sender starts once the PLAY answer is out, with the cached GOP.
    await waitFor(() => sender.sending && sender.packets > 0, 20_000, 'the multicast sender to send its first packets');

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
