// Cluster: time from a reader's DESCRIBE at the front to its first RTP packet from the edge, against a direct DESCRIBE at the edge;
// and edge egress against origin egress with N readers through the front.
//
//   npm run bench:cluster
//   npm run bench:cluster -- --rounds 30 --readers 10,40,100 --capacity 20
//
// Everything on loopback in this process (through tsx): a real redis-server, an origin fed by ffmpeg (sample.mp4 copied
// in a loop), two edges (cluster.role edge, capacity as given) and a front. Readers are raw RTSP clients over TCP
// (test/helpers/front-reader.ts): DESCRIBE, SETUP of the video track, PLAY, first RTP packet. Time figures are
// with the edge already pulling the path (one reader kept on each), as for every reader after an edge's first.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import type { Tidecast } from '../server/app.js';
import type { ConfigInput } from '../server/config.js';
import { playAt, readThroughFront, type EdgeReader } from '../test/helpers/front-reader.js';
import { waitFor } from '../test/helpers/read.js';
import { startRedis } from '../test/helpers/redis-server.js';
import { hostLine } from './lib/cases.js';
import { startInProcess } from './lib/in-process.js';
import { ROOT } from './lib/servers.js';
import { quantile } from './lib/stats.js';
import { f, table } from './lib/table.js';

const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '20' }, readers: { type: 'string', default: '10,40' }, capacity: { type: 'string', default: '20' }, settle: { type: 'string', default: '6' } } });
const ROUNDS = Number(args.rounds);
const COUNTS = args.readers!.split(',').map(Number);
const CAPACITY = Number(args.capacity);
const PATH = 'live';

const readersOf = (s: Tidecast) => s.paths.clients.list().filter((c) => c.role === 'reader' && c.path === PATH);
const egressMbps = (s: Tidecast): number => readersOf(s).reduce((a, c) => a + c.bitrate, 0) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const redis = await startRedis();
  const servers: Tidecast[] = [];
  const readers: { client: { close(): void } }[] = [];
  const node = async (cluster: NonNullable<ConfigInput['cluster']>, paths: ConfigInput['paths'] = {}): Promise<Tidecast> => {
    const s = await startInProcess({ cluster: { redis: redis.url, ...cluster }, paths });
    servers.push(s);
    return s;
  };
  try {
    const clip = resolve(ROOT, 'media/sample.mp4');
    const origin = await node({ role: 'origin', id: 'origin' }, { [PATH]: { ffmpeg: `-re -stream_loop -1 -i ${clip} -c copy`, sourceOnDemand: false } });
    await waitFor(() => origin.paths.livePaths().some((p) => p.name === PATH && p.running), 60_000, 'the origin to publish');
    const originUrl = `rtsp://127.0.0.1:${origin.rtspPort}`;
    const edges = [await node({ role: 'edge', id: 'edge-a', origin: originUrl, capacity: CAPACITY }), await node({ role: 'edge', id: 'edge-b', origin: originUrl, capacity: CAPACITY })];
    const front = await node({ role: 'front', id: 'front' });
    await waitFor(() => front.paths.cluster!.nodes().filter((n) => n.role === 'edge').length === 2, 30_000, 'the front to see both edges');
    const edgeUrl = (e: Tidecast): string => `rtsp://127.0.0.1:${e.rtspPort}/${PATH}`;
    const frontUrl = `rtsp://127.0.0.1:${front.rtspPort}/${PATH}`;

    // Cold: the first reader of each edge waits for its pull of the origin to start.
    const cold: number[] = [];
    for (const e of edges) {
      const r = await playAt(edgeUrl(e));
      cold.push(r.firstRtpAt - r.edgeAt);
      readers.push(r);
    }
    // Warm, alternating so that drift in the machine's load falls on both alike.
    const viaFront: number[] = [];
    const direct: number[] = [];
    const atFront: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const r: EdgeReader = await readThroughFront(front.rtspPort, frontUrl);
      viaFront.push(r.firstRtpAt - r.askedAt);
      atFront.push(r.edgeAt - r.askedAt);
      r.client.close();
      const d = await playAt(edgeUrl(edges[i % 2]!));
      direct.push(d.firstRtpAt - d.edgeAt);
      d.client.close();
    }
    const row = (name: string, v: number[]): string[] => [name, String(v.length), f(quantile(v, 0.5)), f(quantile(v, 0.9)), f(Math.max(...v))];
    console.log(`\n${hostLine()}, ${ROUNDS} rounds\n`);
    console.log(
      table([
        ['DESCRIBE to first RTP (ms)', 'n', 'median', 'p90', 'max'],
        row('through the front (302, then the edge)', viaFront),
        row('  of which the front\'s 302', atFront),
        row('directly at the edge', direct),
        row('first reader of an edge (pull starts)', cold),
      ]),
    );

    // Egress: N readers through the front, then the bit rates over the last few seconds.
    const rows: string[][] = [['readers', 'edge-a / edge-b', 'edges egress Mbit/s', 'origin egress Mbit/s', 'origin readers of the path', 'edges / origin']];
    for (const n of COUNTS) {
      const want = n - readers.length;
      for (let i = 0; i < want; i += 10) {
        const got = await Promise.all(Array.from({ length: Math.min(10, want - i) }, () => readThroughFront(front.rtspPort, frontUrl)));
        readers.push(...got);
      }
      await sleep(Number(args.settle) * 1000);
      const eg = edges.reduce((a, e) => a + egressMbps(e), 0);
      const og = egressMbps(origin);
      rows.push([String(n), edges.map((e) => readersOf(e).length).join(' / '), f(eg, 2), f(og, 2), String(readersOf(origin).length), f(eg / og, 1)]);
    }
    console.log('\n' + table(rows));
  } finally {
    for (const r of readers) r.client.close();
    await Promise.all(servers.map((s) => s.close()));
    await redis.stop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
