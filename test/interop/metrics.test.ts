// /metrics with real clients: an ffmpeg publisher (RECORD), ffmpeg readers over UDP and TCP, an HLS client (ffprobe)
// and a few HLS fetches, failed logins over RTSP and HTTP; every scrape is parsed whole by the official Prometheus
// Python parser (test/helpers/prometheus.ts says why), then families, types and moving values are checked.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS_USER } from '../../server/config-auth.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { parsePlaylist } from '../helpers/playlist-check.js';
import { scrape, type Metrics } from '../helpers/prometheus.js';
import { UDP_BUFFER, waitFor, waitLive } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const PATH = 'live/metrics';
let srv: TestServer;
const children: ChildProcess[] = [];

function ffmpeg(args: string[]): ChildProcess {
  const c = spawn(resolveFfmpeg(), ['-v', 'error', ...args], { stdio: 'ignore' });
  children.push(c);
  return c;
}

beforeAll(async () => {
  // Anyone may read live/*, publish, download files, and use /metrics from here; reading other paths over RTSP needs alice,
  // so a wrong password is a failed login.
  srv = await startTestServer({
    authUsers: [
      { user: ANONYMOUS_USER, permissions: [{ action: 'read', path: 'live/*' }, { action: 'publish' }, { action: 'playback' }] },
      { user: ANONYMOUS_USER, ips: ['127.0.0.0/8'], permissions: [{ action: 'metrics' }] },
      { user: 'alice', pass: 'secret', permissions: [{ action: 'read' }] },
    ],
  });
  ffmpeg(['-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(PATH)]);
  await waitLive(srv.url(PATH), 'the publisher');
}, 90_000);
afterAll(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await srv?.close();
});

const metrics = (): Promise<Metrics> => scrape(srv.httpUrl('metrics'));

/** Polls /metrics (each scrape parsed whole) until `cond` holds on one; returns that scrape. */
async function scrapeUntil(cond: (m: Metrics) => boolean, what: string, ms = 30_000): Promise<Metrics> {
  let last: Metrics | undefined;
  await waitFor(async () => cond((last = await metrics())), ms, what, 250);
  return last!;
}

/** tidecast_readers of PATH by protocol, as the scrape has them. */
function readersByProtocol(m: Metrics): Record<string, number> {
  return Object.fromEntries(m.samples('tidecast_readers', { path: PATH }).filter((s) => s.value > 0).map((s) => [s.labels.protocol!, s.value]));
}

describe('/metrics', () => {
  it('counts readers by protocol (RTSP UDP and TCP, progressive), bytes and packets both ways, and RTCP receiver reports', async () => {
    const before = await metrics();
    expect(readersByProtocol(before)).toEqual({});
    expect(before.value('tidecast_publishers', { protocol: 'rtsp-tcp', path: PATH })).toBe(1);
    ffmpeg(['-rtsp_transport', 'udp', ...UDP_BUFFER, '-i', srv.url(PATH), '-f', 'null', '-']);
    ffmpeg(['-rtsp_transport', 'tcp', '-i', srv.url(PATH), '-f', 'null', '-']);
    ffmpeg(['-i', srv.httpUrl(`${PATH}/stream.mp4`), '-f', 'null', '-']);

    const all = { 'rtsp-udp': 1, 'rtsp-tcp': 1, 'progressive-mp4': 1 };
    const m = await scrapeUntil((x) => Object.entries(all).every(([p, n]) => readersByProtocol(x)[p] === n), 'a UDP, a TCP and a progressive reader in tidecast_readers');
    expect(readersByProtocol(m)).toEqual(all);
    // Every family is typed (the parser calls a family without # TYPE "unknown") and every name is ours or prom-client's.
    expect(m.families.filter((f) => f.type === 'unknown').map((f) => f.name)).toEqual([]);
    expect(m.families.filter((f) => !f.name.startsWith('tidecast_')).map((f) => f.name)).toEqual([]);
    for (const [name, type] of [['tidecast_readers', 'gauge'], ['tidecast_publishers', 'gauge'], ['tidecast_reader_bytes', 'counter'], ['tidecast_reader_packets', 'counter'],
      ['tidecast_publisher_bytes', 'counter'], ['tidecast_stream_bytes', 'counter'], ['tidecast_stream_packets', 'counter'], ['tidecast_reader_rtcp_fraction_lost', 'histogram'],
      ['tidecast_reader_rtcp_jitter_seconds', 'histogram'], ['tidecast_event_loop_delay_seconds', 'gauge'], ['tidecast_hook_runs', 'counter'], ['tidecast_hook_failures', 'counter']] as const) {
      expect(m.family(name)?.type, name).toBe(type);
    }

    // Values move: what went out to each reader, what came in from the publisher.
    const out = (x: Metrics, protocol: string): number => x.value('tidecast_reader_bytes_total', { protocol, path: PATH });
    const inBytes = (x: Metrics): number => x.value('tidecast_stream_bytes_total', { path: PATH });
    const later = await scrapeUntil((x) => Object.keys(all).every((p) => out(x, p) > out(m, p)) && inBytes(x) > inBytes(m), 'bytes out to every reader and in from the publisher to grow');
    expect(later.value('tidecast_reader_packets_total', { protocol: 'rtsp-udp', path: PATH })).toBeGreaterThan(0);
    expect(later.value('tidecast_stream_packets_total', { path: PATH })).toBeGreaterThan(0);
    expect(later.value('tidecast_publisher_bytes_total', { protocol: 'rtsp-tcp', path: PATH })).toBeGreaterThan(0);

    // ffmpeg sends receiver reports over UDP (over TCP it sends none): each one is observed.
    const rr = await scrapeUntil((x) => x.value('tidecast_reader_rtcp_jitter_seconds_count', { transport: 'udp' }) > 0, 'a receiver report from the UDP reader');
    expect(rr.value('tidecast_reader_rtcp_fraction_lost_count', { transport: 'udp' })).toBe(rr.value('tidecast_reader_rtcp_jitter_seconds_count', { transport: 'udp' }));
    expect(rr.value('tidecast_reader_rtcp_fraction_lost_bucket', { transport: 'udp', le: '+Inf' })).toBe(rr.value('tidecast_reader_rtcp_fraction_lost_count', { transport: 'udp' }));
    expect(rr.value('tidecast_event_loop_delay_seconds', { stat: 'max' })).toBeGreaterThanOrEqual(rr.value('tidecast_event_loop_delay_seconds', { stat: 'min' }));
  }, 90_000);

  it('counts HLS requests by kind and blocked reloads with how long they waited', async () => {
    const base = srv.httpUrl(`${PATH}/index.m3u8`);
    const probe = await run(resolveFfprobe(), ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', base], { timeoutMs: 30_000 });
    expect(probe.stdout, describeRun('ffprobe', [base], probe)).toMatch(/h264/);
    const pl = parsePlaylist(await (await fetch(base)).text());
    const last = pl.segments.at(-1)!.msn;
    const part = pl.openParts[0] ?? pl.segments.at(-1)!.parts[0]!;
    expect((await fetch(new URL(part.uri, base))).status).toBe(200);
    const blocked = await fetch(`${base}?_HLS_msn=${last + 1}`);
    expect(blocked.status).toBe(200);
    expect((await fetch(srv.httpUrl(`${PATH}/playlist.m3u8`))).status).toBe(404);

    const m = await metrics();
    // The HLS muxer of the path is one reader (whatever the number of players), beside the readers of the first test.
    expect(readersByProtocol(m)).toEqual({ 'rtsp-udp': 1, 'rtsp-tcp': 1, 'progressive-mp4': 1, hls: 1 });
    expect(m.value('tidecast_reader_bytes_total', { protocol: 'hls', path: PATH })).toBeGreaterThan(0);
    expect(m.family('tidecast_hls_requests')?.type).toBe('counter');
    const kind = (k: string): number => m.value('tidecast_hls_requests_total', { kind: k });
    expect(kind('playlist')).toBeGreaterThanOrEqual(2);
    expect(kind('init')).toBeGreaterThanOrEqual(1);
    expect(kind('segment')).toBeGreaterThanOrEqual(1);
    expect(kind('part')).toBeGreaterThanOrEqual(1);
    expect(kind('blocking_reload')).toBe(1);
    expect(kind('other')).toBe(1);
    expect(m.family('tidecast_hls_blocked_reload_wait_seconds')?.type).toBe('histogram');
    expect(m.value('tidecast_hls_blocked_reload_wait_seconds_count', { outcome: 'ready' })).toBe(1);
    expect(m.value('tidecast_hls_blocked_reload_wait_seconds_sum', { outcome: 'ready' })).toBeGreaterThan(0);
  }, 60_000);

  it('counts failed logins by protocol and reason', async () => {
    const before = await metrics();
    const failures = (x: Metrics, protocol: string): number => x.value('tidecast_auth_failures_total', { protocol, reason: 'wrong_credentials' });
    // sample.mp4 is alice's only: ffprobe is challenged, answers with the wrong password and is refused.
    const url = srv.url('sample.mp4').replace('rtsp://', 'rtsp://alice:wrong@');
    const r = await run(resolveFfprobe(), ['-v', 'error', '-rtsp_transport', 'tcp', url], { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', [url], r)).not.toBe(0);
    expect(r.stderr).toMatch(/401/);
    const res = await fetch(srv.httpUrl(`${PATH}/index.m3u8`), { headers: { Authorization: `Basic ${Buffer.from('alice:wrong').toString('base64')}` } });
    expect(res.status).toBe(401);

    const m = await metrics();
    expect(m.family('tidecast_auth_failures')?.type).toBe('counter');
    expect(failures(m, 'rtsp')).toBeGreaterThan(failures(before, 'rtsp'));
    expect(failures(m, 'hls') - failures(before, 'hls')).toBe(1);
  }, 60_000);
});
