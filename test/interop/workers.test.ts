// `tidecast serve --workers 2` (the built CLI): the origin places readers of a live path on itself or its edge process
// (302 to the edge's port), the edge pulls the path once, ffprobe follows the 302, and a killed edge is restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ClusterNode } from '../../server/core/cluster-view.js';
import { chooseEdge } from '../../server/core/node-chooser.js';
import { parseSession } from '../../server/rtsp/headers/session.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { CliServer, configDir, type LogLine } from '../helpers/cli-server.js';
import { waitFor, waitLive } from '../helpers/read.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { Redis } from 'ioredis';
import { startRedis } from '../helpers/redis-server.js';
import { MEDIA_DIR } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const PATH = 'live/workers';
const cfg = configDir();
let origin: CliServer;
let publisher: ChildProcess | undefined;
const opened: RawRtspClient[] = [];

/** Whether process `pid` still exists (signal 0 only checks). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const readyLine = (from = 0): Promise<LogLine> => origin.waitLog((l) => l.worker === 1 && typeof l.edgeRtspPort === 'number', 60_000, 'edge worker 1 ready', from);

/** Reader records of `path` in a process's API (GET /api/v1/sessions). */
async function readersAt(httpPort: number, path: string): Promise<{ protocol: string }[]> {
  const body = (await (await fetch(`http://127.0.0.1:${httpPort}/api/v1/sessions`)).json()) as { sessions: { role: string; path: string; protocol: string }[] };
  return body.sessions.filter((s) => s.role === 'reader' && s.path === path);
}

/** A raw reader as ffmpeg does it: DESCRIBE at the origin, following a 302, then SETUP/PLAY video over TCP where it landed. */
async function reader(): Promise<{ port: number; client: RawRtspClient }> {
  let port = origin.rtspPort;
  let url = origin.url(PATH);
  let c = await RawRtspClient.open(port);
  opened.push(c);
  const d = await c.request('DESCRIBE', url);
  if (d.status === 302) {
    url = d.headers.get('Location')!;
    port = Number(new URL(url).port);
    c = await RawRtspClient.open(port);
    opened.push(c);
    expect((await c.request('DESCRIBE', url)).status).toBe(200);
  } else expect(d.status, bodyText(d)).toBe(200);
  const s = await c.request('SETUP', `${url}/trackID=0`, { Transport: 'RTP/AVP/TCP;unicast;interleaved=0-1' });
  expect(s.status, bodyText(s)).toBe(200);
  expect((await c.request('PLAY', url, { Session: parseSession(s.headers.get('Session')!).id })).status).toBe(200);
  await waitFor(() => c.rtpOn(0).length > 5, 30_000, `RTP at port ${port}`);
  return { port, client: c };
}

beforeAll(async () => {
  cfg.write(['rtspPort: 0', 'httpPort: 0', 'host: 127.0.0.1', 'logFormat: json', ''].join('\n'));
  origin = await CliServer.start(cfg.file, ['--workers', '2']);
  await readyLine();
  const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', origin.url(PATH)];
  publisher = spawn(resolveFfmpeg(), args, { stdio: 'ignore' });
  await waitLive(origin.url(PATH), `/${PATH} published at the origin`);
}, 120_000);
afterAll(async () => {
  for (const c of opened) c.close();
  publisher?.kill('SIGKILL');
  await origin?.stop();
  cfg.cleanup();
});

describe('tidecast serve --workers 2', () => {
  it('GET /api/v1/cluster lists both processes, and readers go where the chooser puts those records', async () => {
    const edge = await readyLine();
    type View = { id: string; role: string; nodes: ClusterNode[] };
    const view = async (): Promise<View> => (await (await fetch(origin.httpUrl('api/v1/cluster'))).json()) as View;
    const v = await view();
    expect([v.id, v.role]).toEqual(['worker-0', 'origin']);
    expect(v.nodes.map((n) => [n.id, n.role, Number(new URL(n.rtsp).port), Number(new URL(n.http).port), n.capacity])).toEqual([
      ['worker-0', 'origin', origin.rtspPort, origin.httpPort, 1],
      ['worker-1', 'edge', edge.edgeRtspPort, edge.edgeHttpPort, 1],
    ]);
    const a = await reader();
    const at = a.port === origin.rtspPort ? 'worker-0' : 'worker-1';
    // Its process's record shows it (an edge's with the pull): the other one is then the least loaded, for the chooser as for the origin.
    await waitFor(async () => (await view()).nodes.some((n) => n.id === at && n.readers === 1 && (at === 'worker-0' || n.pulls.includes(PATH))), 20_000, `${at}'s record to show its reader`);
    const next = chooseEdge((await view()).nodes, PATH, undefined, 'worker-0')!.id;
    expect(next).not.toBe(at);
    const b = await reader();
    expect(b.port).toBe(next === 'worker-0' ? origin.rtspPort : edge.edgeRtspPort);
    a.client.close();
    b.client.close();
  });

  it('ffprobe through the origin URL follows the 302 to the edge and reads the stream', async () => {
    const edge = await readyLine();
    const args = ['-v', 'info', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', origin.url(PATH)];
    const redirect = `Redirecting to rtsp://127.0.0.1:${edge.edgeRtspPort as number}/${PATH}`;
    // The origin is a candidate too (a probe it serves itself leaves at once): probe until one is placed on the edge.
    let redirected: Awaited<ReturnType<typeof run>> | undefined;
    await waitFor(async () => {
      const r = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
      expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
      expect(r.stdout.trim().split('\n').sort(), describeRun('ffprobe', args, r)).toEqual(['aac', 'h264']);
      if (r.stderr.includes(redirect)) redirected = r;
      return redirected !== undefined;
    }, 60_000, `an ffprobe redirected to the edge (${redirect})`, 300);
  });

  it('readers spread over both processes; the origin serves one pull to the edge', async () => {
    const edge = await readyLine();
    const readers = [];
    for (let i = 0; i < 4; i++) readers.push(await reader());
    const onEdge = readers.filter((r) => r.port === edge.edgeRtspPort).length;
    const onOrigin = readers.filter((r) => r.port === origin.rtspPort).length;
    console.log(`4 readers through the origin: ${onOrigin} served there, ${onEdge} redirected to the edge`);
    expect(onEdge).toBeGreaterThanOrEqual(1);
    expect(onOrigin).toBeGreaterThanOrEqual(1);
    expect(onEdge + onOrigin).toBe(4);
    // The edge serves its readers from one relay pull; the origin's readers of the path are its own plus that pull.
    await waitFor(async () => (await readersAt(edge.edgeHttpPort as number, PATH)).length === onEdge, 20_000, `${onEdge} readers at the edge`);
    const edgeClients = (await (await fetch(`http://127.0.0.1:${edge.edgeHttpPort as number}/api/v1/sessions`)).json()) as { sessions: { protocol: string; path: string }[] };
    expect(edgeClients.sessions.filter((s) => s.protocol === 'relay' && s.path === PATH)).toHaveLength(1);
    expect(await readersAt(origin.httpPort, PATH)).toHaveLength(onOrigin + 1);
    for (const r of readers) r.client.close();
  });

  it('an HLS player starting at the origin is sent to the edge by a 302 and gets the playlist there', async () => {
    const edge = await readyLine();
    const want = `http://127.0.0.1:${edge.edgeHttpPort as number}/${PATH}/index.m3u8`;
    // The origin serves some viewers itself: ask until one is sent away (each placed viewer counts until the edge reports).
    let location: string | null = null;
    await waitFor(async () => {
      const r = await fetch(origin.httpUrl(`${PATH}/index.m3u8`), { redirect: 'manual' });
      await r.arrayBuffer();
      if (r.status === 302) location = r.headers.get('location');
      return location !== null;
    }, 30_000, 'a 302 from the origin');
    expect(location).toBe(want);
    const r = await fetch(want);
    expect(r.status).toBe(200);
    expect(await r.text()).toMatch(/^#EXTM3U/);
  });

  it('a killed edge process is restarted and serves again', async () => {
    const started = origin.lines.findLast((l) => l.worker === 1 && typeof l.pid === 'number')!;
    const from = origin.lines.length;
    const t0 = performance.now();
    process.kill(started.pid as number, 'SIGKILL');
    await origin.waitLog((l) => l.worker === 1 && l.signal === 'SIGKILL', 30_000, 'the crash logged', from);
    const again = await readyLine(from);
    console.log(`edge restarted and ready ${((performance.now() - t0) / 1000).toFixed(1)} s after SIGKILL`);
    const c = await RawRtspClient.open(again.edgeRtspPort as number);
    opened.push(c);
    expect((await c.request('DESCRIBE', `rtsp://127.0.0.1:${again.edgeRtspPort as number}/${PATH}`)).status).toBe(200);
  });

  it('SIGTERM to the origin stops the edge too (reaped before the origin exits)', async () => {
    const edgePid = origin.lines.findLast((l) => l.worker === 1 && typeof l.pid === 'number')!.pid as number;
    expect(alive(edgePid)).toBe(true);
    await origin.stop();
    expect(origin.p.exitCode, origin.tail()).toBe(0);
    expect(alive(edgePid)).toBe(false);
  });
});

describe('an origin killed outright', () => {
  it('its edge process notices the closed IPC channel and exits', async () => {
    const c = configDir();
    c.write(['rtspPort: 0', 'httpPort: 0', 'host: 127.0.0.1', 'logFormat: json', ''].join('\n'));
    const o = await CliServer.start(c.file, ['--workers', '2']);
    let edgePid = 0;
    onTestFinished(async () => {
      if (edgePid && alive(edgePid)) process.kill(edgePid, 'SIGKILL');
      await o.stop();
      c.cleanup();
    });
    await o.waitLog((l) => l.worker === 1 && typeof l.edgeRtspPort === 'number', 60_000, 'edge worker 1 ready');
    edgePid = o.lines.find((l) => l.worker === 1 && typeof l.pid === 'number')!.pid as number;
    o.p.kill('SIGKILL');
    const t0 = performance.now();
    await waitFor(() => !alive(edgePid), 30_000, `edge pid ${edgePid} gone after its origin's SIGKILL`);
    console.log(`edge exited ${((performance.now() - t0) / 1000).toFixed(1)} s after its origin was killed`);
  });
});

describe('--workers 2 with cluster.redis', () => {
  it('the origin and its edge process both register in Redis, the edge as an edge of its own', async () => {
    const redis = await startRedis();
    const c = configDir();
    c.write(['rtspPort: 0', 'httpPort: 0', 'host: 127.0.0.1', 'logFormat: json', `cluster: {redis: "${redis.url}", id: wk}`, ''].join('\n'));
    const o = await CliServer.start(c.file, ['--workers', '2']);
    const db = new Redis(redis.url);
    onTestFinished(async () => {
      db.disconnect();
      await o.stop();
      await redis.stop();
      c.cleanup();
    });
    const edge = await o.waitLog((l) => l.worker === 1 && typeof l.edgeRtspPort === 'number', 60_000, 'edge worker 1 ready');
    const roles = async (): Promise<string[]> => (await db.mget('tidecast:node:wk', 'tidecast:node:wk-worker-1')).map((v) => (v ? `${JSON.parse(v).role as string} ${JSON.parse(v).rtsp as string}` : ''));
    await waitFor(async () => (await roles()).every(Boolean), 20_000, 'both records in Redis');
    expect(await roles()).toEqual([`origin rtsp://127.0.0.1:${o.rtspPort}`, `edge rtsp://127.0.0.1:${edge.edgeRtspPort as number}`]);
  });
});
