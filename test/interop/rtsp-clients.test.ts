// Every RTSP session is in the client registry (paths.clients) with its protocol, owner, bytes and
// state while it exists; kick sends the reader BYE and closes its connection.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ClientRecord } from '../../server/core/clients.js';
import { resolveFfmpeg } from '../../server/sources/process/ffmpeg-path.js';
import { isBye, playLive, sawBye } from '../helpers/live-play.js';
import { waitFor, waitLive } from '../helpers/read.js';
import { RawRtspClient, udpReceiver } from '../helpers/rtsp-client.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { H264_AAC_SDP } from '../helpers/raw-publisher.js';
import { makeTestCert } from '../helpers/tls-cert.js';

const PATH = 'live/registry';
let srv: TestServer;
let publisher: ChildProcess;

beforeAll(async () => {
  srv = await startTestServer();
  publisher = spawn(resolveFfmpeg(), ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)], { stdio: 'ignore' });
  await waitLive(srv.url(PATH), 'the publisher');
}, 90_000);
afterAll(async () => {
  publisher?.kill('SIGKILL');
  await srv?.close();
});

const byId = (id: string): ClientRecord | undefined => srv.paths.clients.get(id);

describe('RTSP sessions in the client registry', () => {
  it('lists the publisher, a UDP and a TCP reader with protocol, bytes and state; a kick sends BYE and closes', async () => {
    const pub = srv.paths.clients.list().find((r) => r.role === 'publisher' && r.path === PATH);
    expect(pub).toMatchObject({ protocol: 'rtsp-tcp', state: 'recording', address: '127.0.0.1' });
    expect(pub!.bytes).toBeGreaterThan(0);

    const rx = [await udpReceiver(), await udpReceiver()];
    onTestFinished(() => rx.forEach((r) => r.close()));
    const u = await RawRtspClient.open(srv.rtspPort);
    onTestFinished(() => u.close());
    const t = await RawRtspClient.open(srv.rtspPort);
    onTestFinished(() => t.close());
    const udpId = await playLive(u, srv.url(PATH), rx);
    const tcpId = await playLive(t, srv.url(PATH));

    await waitFor(() => (byId(udpId)?.bytes ?? 0) > 10_000 && (byId(tcpId)?.bytes ?? 0) > 10_000, 30_000, 'both readers to be sent bytes');
    expect(byId(udpId)).toMatchObject({ role: 'reader', protocol: 'rtsp-udp', path: PATH, state: 'playing', address: '127.0.0.1', port: u.socket.localPort });
    expect(byId(tcpId)).toMatchObject({ role: 'reader', protocol: 'rtsp-tcp', path: PATH, state: 'playing', dropped: 0 });
    const before = byId(tcpId)!.bytes;
    await waitFor(() => byId(tcpId)!.bytes > before, 10_000, 'the TCP reader bytes to grow');

    const removed: ClientRecord[] = [];
    onTestFinished(srv.paths.clients.on({ removed: (r) => removed.push(r) }));
    expect(srv.paths.clients.kick(tcpId, 'test')).toBe(true);
    await waitFor(() => t.closed, 10_000, 'the kicked connection to close');
    expect(sawBye(t.frames)).toBe(true);
    expect(byId(tcpId)).toBeUndefined();
    expect(removed.map((r) => r.id)).toEqual([tcpId]);

    // The UDP reader keeps reading.
    const n = rx[0]!.rtp.length;
    await waitFor(() => rx[0]!.rtp.length > n + 10, 10_000, 'the UDP reader to keep receiving');
    expect(byId(udpId)?.state).toBe('playing');

    // A UDP reader outlives its RTSP connection; kicked then, it gets BYE over UDP and its session ends.
    const uPort = u.socket.localPort;
    u.close();
    await waitFor(() => ![...srv.rtsp.connections].some((c) => c.remotePort === uPort), 10_000, 'the UDP reader connection to close');
    expect(byId(udpId)?.protocol).toBe('rtsp-udp');
    expect(srv.paths.clients.kick(udpId, 'test')).toBe(true);
    await waitFor(() => rx.some((r) => r.rtcp.some((p) => isBye(p.data))), 10_000, 'BYE over UDP');
    expect(byId(udpId)).toBeUndefined();
  }, 60_000);

  it("kicking the publisher ends its session and its readers get BYE", async () => {
    const t = await RawRtspClient.open(srv.rtspPort);
    onTestFinished(() => t.close());
    const id = await playLive(t, srv.url(PATH));
    await waitFor(() => (byId(id)?.bytes ?? 0) > 0, 30_000, 'the reader to be sent bytes');
    const pub = srv.paths.clients.list().find((r) => r.role === 'publisher' && r.path === PATH)!;
    expect(srv.paths.clients.kick(pub.id, 'test')).toBe(true);
    await waitFor(() => sawBye(t.frames), 10_000, 'BYE to the reader');
    await waitFor(() => byId(pub.id) === undefined && byId(id) === undefined, 10_000, 'both records to go');
  }, 60_000);

  it("an announced publisher is 'rtsp' until its SETUP; over RTSPS a TCP reader is rtsps-tcp", async () => {
    const cert = await makeTestCert();
    onTestFinished(() => cert.remove());
    const tls = await startTestServer({ serverCert: cert.cert, serverKey: cert.key, rtspsPort: 0, authUsers: [{ user: 'alice', pass: 'secret', permissions: [{ action: 'read' }, { action: 'publish' }] }] });
    onTestFinished(() => tls.close());
    const p = await RawRtspClient.open(tls.rtspPort);
    onTestFinished(() => p.close());
    const auth = { Authorization: `Basic ${Buffer.from('alice:secret').toString('base64')}` };
    const a = await p.request('ANNOUNCE', tls.url('live/tls'), { ...auth, 'Content-Type': 'application/sdp' }, H264_AAC_SDP);
    expect(a.status).toBe(200);
    const announced = tls.paths.clients.list().find((r) => r.role === 'publisher')!;
    expect(announced).toMatchObject({ protocol: 'rtsp', state: 'init', user: 'alice', path: 'live/tls' });
    const s = await p.request('SETUP', `${tls.url('live/tls')}/trackID=0`, { ...auth, Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record' });
    expect(s.status).toBe(200);
    expect(tls.paths.clients.get(announced.id)).toMatchObject({ protocol: 'rtsp-tcp', state: 'ready' });

    const r = await RawRtspClient.openTls(tls.rtspsPort!);
    onTestFinished(() => r.close());
    const rs = await r.request('SETUP', `rtsps://127.0.0.1:${tls.rtspsPort}/sample.mp4/trackID=0`, { ...auth, Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
    expect(rs.status).toBe(200);
    const reader = tls.paths.clients.list().find((c) => c.role === 'reader')!;
    expect(reader).toMatchObject({ protocol: 'rtsps-tcp', path: 'sample.mp4', user: 'alice', media: 'file' });
  }, 60_000);
});

