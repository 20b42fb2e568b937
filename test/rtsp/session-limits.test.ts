// Sessions a client may hold: per connection and per address (503 with the reason), sessions never played closed after setupTimeout, and announced paths that never record released and capped.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { Bystander } from '../helpers/bystander.js';
import { waitFor } from '../helpers/read.js';
import { RawRtspClient, bodyText } from '../helpers/rtsp-client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
let bystander: Bystander;
beforeAll(async () => {
  srv = await startTestServer({ maxSessions: 12, maxSessionsPerConnection: 4, maxSessionsPerAddress: 6, maxAnnouncedPaths: 3, setupTimeout: 5 });
  bystander = await Bystander.start(srv.rtspPort);
});
afterAll(async () => {
  bystander?.close();
  await srv.close();
});

const opened: RawRtspClient[] = [];
afterEach(async () => {
  for (const c of opened.splice(0)) c.close();
  // Only the bystander's session is left before the next case.
  await waitFor(() => srv.rtsp.sessions.size === 1, 20_000, 'the attacker sessions to be gone');
});

async function open(): Promise<RawRtspClient> {
  const c = await RawRtspClient.open(srv.rtspPort);
  opened.push(c);
  return c;
}

const SDP = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=x\r\nt=0 0\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=0\r\n';
const announce = (c: RawRtspClient, path: string) => c.request('ANNOUNCE', srv.url(path), { 'Content-Type': 'application/sdp' }, SDP);
const setupUdp = (c: RawRtspClient, n: number) =>
  c.request('SETUP', `${srv.url('sample.mp4')}/trackID=1`, { Transport: `RTP/AVP;unicast;client_port=${40000 + 2 * n}-${40001 + 2 * n}` });

async function livePathNames(): Promise<string[]> {
  const r = (await (await fetch(srv.httpUrl('api/v1/paths'))).json()) as { live: { name: string }[] };
  return r.live.map((p) => p.name);
}

describe('sessions never played', () => {
  it('one connection gets at most maxSessionsPerConnection, one address maxSessionsPerAddress; another address still gets one', async () => {
    const a = await open();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await setupUdp(a, i);
      expect(r.status, bodyText(r)).toBe(200);
      ids.push(parseSession(r.headers.get('Session')!).id);
    }
    const fifth = await setupUdp(a, 4);
    expect(fifth.status).toBe(503);
    expect(bodyText(fifth)).toMatch(/this connection already has 4 sessions.*maxSessionsPerConnection/);
    // A second connection from the same address: two more, then the address is full.
    const b = await open();
    for (let i = 5; i < 7; i++) expect((await setupUdp(b, i)).status).toBe(200);
    const over = await setupUdp(b, 7);
    expect(over.status).toBe(503);
    expect(bodyText(over)).toMatch(/127\.0\.0\.1 already has 6 sessions.*maxSessionsPerAddress/);
    // The server (maxSessions 12) still has room for someone else.
    await bystander.stillServed();
    const other = await Bystander.start(srv.rtspPort);
    other.close();
    // None was played: each is closed after setupTimeout, and says why when named.
    await waitFor(() => ids.every((id) => !srv.rtsp.sessions.has(id)), 20_000, 'the sessions never played to be closed');
    const gone = await a.request('PLAY', srv.url('sample.mp4'), { Session: ids[0]! });
    expect(gone.status).toBe(454);
  }, 60_000);

  it('a played session is not closed by the setup timeout', async () => {
    const c = await open();
    const r = await setupUdp(c, 10);
    const id = parseSession(r.headers.get('Session')!).id;
    expect((await c.request('PLAY', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
    const session = srv.rtsp.sessions.get(id)!;
    // What the sweep would do long after the setup timeout (the session timeout is far off still).
    srv.rtsp.sweep(session.openedAt + 10_000);
    expect(srv.rtsp.sessions.has(id)).toBe(true);
    expect((await c.request('PAUSE', srv.url('sample.mp4'), { Session: id })).status).toBe(200);
    srv.rtsp.sweep(session.openedAt + 10_000);
    expect(srv.rtsp.sessions.has(id)).toBe(true);
    await c.request('TEARDOWN', srv.url('sample.mp4'), { Session: id });
  });
});

describe('ANNOUNCE without RECORD', () => {
  it('a path announced and never recorded is released after setupTimeout, and leaves the path list', async () => {
    const c = await open();
    const r = await announce(c, 'live/never-records');
    expect(r.status, bodyText(r)).toBe(200);
    expect(await livePathNames()).toContain('live/never-records');
    await waitFor(async () => !(await livePathNames()).includes('live/never-records'), 20_000, 'the announced path to be released');
    expect(srv.paths.hasLivePath('live/never-records')).toBe(false);
  });

  it('names announced by clients that leave are forgotten, not kept for ever', async () => {
    // The report: 5000 ANNOUNCEs left 5000 live paths (5.5 MB of /api/v1/paths). Here 200 in a row.
    for (let i = 0; i < 200; i++) {
      const c = await RawRtspClient.open(srv.rtspPort);
      expect((await announce(c, `live/drive-by-${i}`)).status).toBe(200);
      c.close();
      await waitFor(() => !srv.paths.hasLivePath(`live/drive-by-${i}`), 20_000, 'the announcer to be released', 5);
    }
    expect((await livePathNames()).filter((n) => n.startsWith('live/drive-by-'))).toEqual([]);
    expect(srv.paths.announcedPaths).toBe(0);
  }, 60_000);

  it(`at most maxAnnouncedPaths names at once: the next new name gets 503 with the reason`, async () => {
    const c = await open();
    for (let i = 0; i < 3; i++) expect((await announce(c, `live/cap-${i}`)).status).toBe(200);
    const over = await announce(c, 'live/cap-3');
    expect(over.status).toBe(503);
    expect(bodyText(over)).toMatch(/already holds 3 announced paths \(maxAnnouncedPaths\)/);
    await bystander.stillServed();
  });
});
