// A cluster on one machine: a real redis-server, an origin publishing a live path, edges pulling it, and a front placing readers (302) on them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import type { ConfigInput } from '../../server/config.js';
import { askFront, readThroughFront, type EdgeReader } from '../helpers/front-reader.js';
import { waitFor } from '../helpers/read.js';
import { resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { describeRun, run } from '../helpers/spawn.js';
import { bodyText, RawRtspClient } from '../helpers/rtsp-client.js';
import { Redis } from 'ioredis';
import { captureLog } from '../helpers/log-capture.js';
import { freePort, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

const PATH = 'live';
/** Readers through the front (the 200): past one edge's capacity twice over. */
const READERS = 200;
const CAPACITY = 50;

let redis: RedisServer;
let origin: TestServer;
let front: TestServer;
const edges = new Map<string, TestServer>();
const readers: EdgeReader[] = [];
const opened: TestServer[] = [];
const stops: (() => Promise<unknown>)[] = [];

async function server(cluster: NonNullable<ConfigInput['cluster']>, paths: ConfigInput['paths'] = {}): Promise<TestServer> {
  // Every reader comes from 127.0.0.1: the per-address limits (200 by default) would cap an edge.
  const s = await startTestServer({ cluster: { redis: redis.url, ...cluster }, paths, maxConnectionsPerAddress: 1000, maxSessionsPerAddress: 1000 });
  opened.push(s);
  return s;
}

async function startEdge(id: string): Promise<TestServer> {
  const e = await server({ role: 'edge', id, origin: `rtsp://127.0.0.1:${origin.rtspPort}`, capacity: CAPACITY });
  edges.set(id, e);
  return e;
}

/** The edges the front sees in Redis now. */
const frontEdges = (): string[] => front.paths.cluster!.nodes().filter((n) => n.role === 'edge').map((n) => n.id).sort();
/** Readers of PATH on a server, every protocol. */
const readersOf = (s: TestServer): number => s.paths.clients.list().filter((c) => c.role === 'reader' && c.path === PATH).length;
/** An edge's pulls of PATH from the origin (its relay clients). */
const pullsOf = (s: TestServer): number => s.paths.clients.list().filter((c) => c.protocol === 'relay' && c.path === PATH).length;
const edgeByPort = (port: number): string => [...edges].find(([, e]) => e.rtspPort === port)?.[0] ?? `port ${port}`;

/** `n` readers through the front, `batch` at a time: where each landed. */
async function readMany(n: number, batch = 10): Promise<EdgeReader[]> {
  const out: EdgeReader[] = [];
  for (let i = 0; i < n; i += batch) {
    const got = await Promise.all(Array.from({ length: Math.min(batch, n - i) }, () => readThroughFront(front.rtspPort, front.url(PATH))));
    out.push(...got);
  }
  readers.push(...out);
  return out;
}

const tally = (rs: EdgeReader[]): Record<string, number> => {
  const t: Record<string, number> = {};
  for (const r of rs) t[edgeByPort(r.edgePort)] = (t[edgeByPort(r.edgePort)] ?? 0) + 1;
  return t;
};

beforeAll(async () => {
  redis = await startRedis();
  // The origin publishes PATH itself (ffmpeg copying the sample in a loop), always on.
  const clip = resolve(MEDIA_DIR, 'sample.mp4');
  origin = await server({ role: 'origin', id: 'origin' }, { [PATH]: { ffmpeg: `-re -stream_loop -1 -i ${clip} -c copy`, sourceOnDemand: false } });
  await waitFor(() => origin.paths.livePaths().some((p) => p.name === PATH && p.running), 60_000, `the origin to publish /${PATH}`);
  await startEdge('edge-a');
  await startEdge('edge-b');
  front = await server({ role: 'front', id: 'front' });
  await waitFor(() => frontEdges().length === 2, 30_000, 'the front to see both edges in Redis');
}, 120_000);

afterAll(async () => {
  for (const r of readers.splice(0)) r.client.close();
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await Promise.all(stops.splice(0).map((f) => f()));
  await redis?.stop();
}, 60_000);

describe('cluster: origin, edges and a front sharing Redis', () => {
  it('readers through the front split over both edges; the origin serves one pull per edge', async () => {
    const got = await readMany(READERS);
    const t = tally(got);
    console.log(`[cluster] ${READERS} readers through the front landed: ${JSON.stringify(t)}`);
    expect(Object.keys(t).sort()).toEqual(['edge-a', 'edge-b']);
    expect(t['edge-a']! + t['edge-b']!).toBe(READERS);
    // Capacity 10 each: neither edge takes everything.
    expect(Math.min(t['edge-a']!, t['edge-b']!)).toBeGreaterThanOrEqual(CAPACITY);
    for (const [id, e] of edges) {
      expect(readersOf(e), id).toBe(t[id]);
      expect(pullsOf(e), `${id} pulls /${PATH} once`).toBe(1);
    }
    // The origin's readers of PATH are the edges' pulls: one each, however many readers they serve.
    expect(readersOf(origin)).toBe(2);
    // The registry carries it: both edges list PATH among their pulls, with their readers.
    await waitFor(() => front.paths.cluster!.nodes().filter((n) => n.role === 'edge' && n.pulls.includes(PATH) && n.readers === t[n.id]).length === 2, 30_000, 'the records to show the pulls and readers');
    const api = (await (await fetch(front.httpUrl('api/v1/cluster'))).json()) as { role: string; nodes: { id: string; role: string }[] };
    expect(api.role).toBe('front');
    expect(api.nodes.map((n) => n.id).sort()).toEqual(['edge-a', 'edge-b', 'front', 'origin']);
  }, 180_000);

  it('ffprobe follows the front to an edge, over RTSP and over HTTP', async () => {
    for (const url of [front.url(PATH), front.httpUrl(`${PATH}/stream.ts`)]) {
      const args = ['-v', 'error', ...(url.startsWith('rtsp') ? ['-rtsp_transport', 'tcp'] : []), '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', url];
      const r = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
      expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
      // MPEG-TS lists each stream under its program too.
      expect([...new Set(r.stdout.split('\n').filter(Boolean))].sort()).toEqual(['aac', 'h264']);
    }
  }, 90_000);

  it('HTTP media requests at the front are sent (302) to an edge, which serves them', async () => {
    const r = await fetch(front.httpUrl(`${PATH}/index.m3u8`), { redirect: 'manual' });
    expect(r.status).toBe(302);
    const loc = r.headers.get('location')!;
    const bases = [...edges.values()].map((e) => `http://127.0.0.1:${e.httpPort}/`);
    expect(bases.some((b) => loc === `${b}${PATH}/index.m3u8`), loc).toBe(true);
    // The same client's reloads land on the same edge (its playlist's segment numbers are that edge's).
    for (let i = 0; i < 5; i++) expect((await fetch(front.httpUrl(`${PATH}/index.m3u8`), { redirect: 'manual' })).headers.get('location')).toBe(loc);
    const player = await fetch(front.httpUrl(`player/?path=${PATH}`), { redirect: 'manual' });
    expect(player.status).toBe(302);
    // Followed, the playlist comes from the edge.
    const followed = await fetch(front.httpUrl(`${PATH}/index.m3u8`));
    expect(followed.status, await followed.clone().text()).toBe(200);
    expect(await followed.text()).toContain('#EXTM3U');
  }, 90_000);

  it('when an edge is killed, its readers reconnect through the front to the other one', async () => {
    const a = edges.get('edge-a')!;
    const onA = readers.filter((r) => edgeByPort(r.edgePort) === 'edge-a');
    expect(onA.length).toBeGreaterThan(0);
    const t0 = performance.now();
    edges.delete('edge-a');
    await a.close();
    // Each reader sees its connection end, then asks the front again until an edge plays it.
    const back = await Promise.all(
      onA.map(async (r) => {
        await waitFor(() => r.client.closed, 30_000, 'the killed edge to drop its reader');
        for (;;) {
          try {
            return await readThroughFront(front.rtspPort, front.url(PATH));
          } catch (e) {
            if (performance.now() - t0 > 60_000) throw e;
            await new Promise((res) => setTimeout(res, 200));
          }
        }
      }),
    );
    const ms = Math.round(performance.now() - t0);
    console.log(`[cluster] ${onA.length} readers of the killed edge playing again through the front after ${ms} ms: ${JSON.stringify(tally(back))}`);
    expect(tally(back)).toEqual({ 'edge-b': onA.length });
    readers.push(...back);
  }, 120_000);

  it('an edge that leaves Redis is no longer chosen; with no edge the front answers 503', async () => {
    const b = edges.get('edge-b')!;
    const c = await startEdge('edge-c');
    await waitFor(() => frontEdges().join() === 'edge-b,edge-c', 30_000, 'the front to see edge-c');
    // edge-b pulls PATH and, with all but one of its readers gone, is under capacity: the front prefers it.
    const onB = readers.filter((r) => r.edgePort === b.rtspPort);
    for (const r of onB.slice(1)) r.client.close();
    // (An HLS muxer an earlier test started there may count as one more reader until it idles out.)
    await waitFor(() => front.paths.cluster!.nodes().some((n) => n.id === 'edge-b' && n.readers < CAPACITY - 1), 30_000, 'edge-b to report room for readers');
    expect(edgeByPort((await readMany(1))[0]!.edgePort)).toBe('edge-b');
    // edge-b leaves Redis (still serving): new readers go to edge-c only.
    await b.cluster!.close();
    await waitFor(() => frontEdges().join() === 'edge-c', 30_000, 'the front to forget edge-b');
    expect(tally(await readMany(5))).toEqual({ 'edge-c': 5 });
    expect(pullsOf(c)).toBe(1);
    // No edge at all: RTSP and HTTP say so with 503. edge-c drains (its sessions get REDIRECT to the front): it leaves Redis at once.
    const drained = c.drain({ location: `rtsp://127.0.0.1:${front.rtspPort}`, httpLocation: `http://127.0.0.1:${front.httpPort}`, graceMs: 2000 });
    await waitFor(() => frontEdges().length === 0, 30_000, 'the front to see no edge');
    const f = await RawRtspClient.open(front.rtspPort);
    try {
      const d = await f.request('DESCRIBE', front.url(PATH), { Accept: 'application/sdp' });
      expect(d.status).toBe(503);
      expect(bodyText(d)).toMatch(/no edge/);
    } finally {
      f.close();
    }
    const h = await fetch(front.httpUrl(`${PATH}/stream.mp4`), { redirect: 'manual' });
    expect(h.status).toBe(503);
    expect(((await h.json()) as { error: string }).error).toMatch(/no edge is alive/);
    await expect(askFront(front.rtspPort, front.url(PATH))).rejects.toThrow(/503/);
    expect((await drained).redirected).toBe(5);
  }, 120_000);

  it('a node whose Redis is down keeps serving, says so once, and registers once Redis is up', async () => {
    const port = await freePort();
    const log = captureLog();
    const late = await startTestServer({ cluster: { redis: `redis://127.0.0.1:${port}`, role: 'origin', id: 'late' } }, { log: log.logger });
    opened.push(late);
    const down = (): number => log.warnings((l) => /cannot be reached/.test(l.msg)).length;
    await waitFor(() => down() === 1, 30_000, 'the warning that Redis cannot be reached');
    // Still a server: it answers while its registry retries.
    expect((await fetch(late.httpUrl('api/v1/status'))).status).toBe(200);
    const r2 = await startRedis(port);
    stops.push(() => r2.stop());
    const client = new Redis(r2.url, { lazyConnect: true });
    stops.push(async () => client.disconnect());
    await client.connect();
    const t0 = performance.now();
    await waitFor(async () => (await client.get('tidecast:node:late')) !== null, 60_000, 'the node to register once Redis runs');
    console.log(`[cluster] registered ${Math.round(performance.now() - t0)} ms after Redis came up`);
    expect(down()).toBe(1);
    expect(log.lines.some((l) => /is back/.test(l.msg))).toBe(true);
    expect(await client.pttl('tidecast:node:late')).toBeGreaterThan(0);
    // Redis dies under a registered node: one more warning, and the server goes on.
    client.disconnect();
    await r2.stop();
    await waitFor(() => down() === 2, 30_000, 'the warning that Redis went away');
    expect((await fetch(late.httpUrl('api/v1/status'))).status).toBe(200);
  }, 120_000);
});
