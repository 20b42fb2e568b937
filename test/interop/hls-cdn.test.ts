// HLS through a CDN tier: real nginx running docs/nginx-hls-cache.conf in front of Tidecast; 100 LL-HLS viewers
// following blocking reloads (_HLS_msn/_HLS_part, then the part) make about one request per part at Tidecast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNginx, type Nginx } from '../helpers/nginx.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { publishSample, waitPlaylist, type Publisher } from '../http/hls-source.js';

const PATH = 'live/cdn';
const VIEWERS = 100;
const PARTS_EACH = 8;
let srv: TestServer;
let pub: Publisher;
let nginx: Nginx;

beforeAll(async () => {
  srv = await startTestServer();
  // Video only: index.m3u8 is then the media playlist itself (no multivariant level).
  pub = publishSample(srv, PATH, 'sample.mp4', ['-an']);
  await waitPlaylist(srv.httpUrl(`${PATH}/index.m3u8`));
  nginx = await startNginx(srv.httpPort);
}, 90_000);
afterAll(async () => {
  pub?.stop();
  await nginx?.stop();
  await srv?.close();
});

/** The EXT-X-PRELOAD-HINT part of a playlist: its URI and the (msn, part) a blocking reload asks for it. */
function hintOf(playlist: string): { uri: string; msn: number; part: number } {
  const uri = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="([^"]+)"/.exec(playlist)?.[1];
  const m = uri ? /part-[0-9a-f]+-(\d+)-(\d+)\.mp4/.exec(uri) : null;
  if (!uri || !m) throw new Error(`no preload hint in the playlist:\n${playlist}`);
  return { uri, msn: Number(m[1]), part: Number(m[2]) };
}

interface Tally {
  requests: number;
  parts: Set<string>;
  cacheHits: number;
}

async function get(url: string, tally: Tally): Promise<Response> {
  const r = await fetch(url);
  tally.requests++;
  if (r.headers.get('x-cache-status') === 'HIT') tally.cacheHits++;
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status} ${await r.text()}`);
  return r;
}

/** One viewer, as hls.js does in low-latency mode: a blocking reload for the hinted part, then that part; `PARTS_EACH` times. */
async function viewer(tally: Tally): Promise<void> {
  const base = nginx.url(PATH);
  let playlist = await (await get(`${base}/index.m3u8`, tally)).text();
  for (let i = 0; i < PARTS_EACH; i++) {
    const hint = hintOf(playlist);
    playlist = await (await get(`${base}/index.m3u8?_HLS_msn=${hint.msn}&_HLS_part=${hint.part}`, tally)).text();
    await (await get(`${base}/${hint.uri}`, tally)).arrayBuffer();
    tally.parts.add(hint.uri);
  }
}

describe('LL-HLS through nginx (docs/nginx-hls-cache.conf)', () => {
  it('100 viewers following blocking reloads: about one request per part reaches Tidecast', async () => {
    const atTidecast = (): number => ['blocking_reload', 'part'].reduce((n, kind) => n + srv.paths.counters.value('hls_requests', { kind }), 0);
    const before = { upstream: atTidecast(), parts: srv.paths.counters.value('hls_requests', { kind: 'part' }) };
    const tally: Tally = { requests: 0, parts: new Set(), cacheHits: 0 };
    const started = performance.now();
    const results = await Promise.allSettled(Array.from({ length: VIEWERS }, () => viewer(tally)));
    const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
    expect(failed, `${failed.length} viewers failed; nginx log: ${nginx.errorLog()}`).toEqual([]);
    const upstream = atTidecast() - before.upstream;
    const upstreamParts = srv.paths.counters.value('hls_requests', { kind: 'part' }) - before.parts;
    const distinct = tally.parts.size;
    console.log(
      `${VIEWERS} viewers, ${distinct} distinct parts in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
        `${tally.requests} viewer requests (${(tally.requests / distinct).toFixed(1)} per part, ${tally.cacheHits} cache hits), ` +
        `${upstream} blocking reloads + parts at Tidecast (${(upstream / distinct).toFixed(2)} per part; ${upstreamParts} part fetches)`,
    );
    expect(tally.requests / distinct).toBeGreaterThanOrEqual(50);
    // One blocking reload and one part fetch per part; a viewer reaching a key after the cached answer expired may add one.
    expect(upstream / distinct).toBeLessThanOrEqual(2 * 1.25);
    expect(upstreamParts).toBeLessThanOrEqual(distinct);
  }, 120_000);
});
