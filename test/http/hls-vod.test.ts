// VOD HLS for media files over real HTTP: playlist rules, segments at key frames, stable immutable names, headers, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMediaFile } from '../../server/sources/file/demux.js';
import { checkPlaylist, parsePlaylist } from '../helpers/playlist-check.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(async () => {
  await srv?.close();
});

describe('VOD HLS for media files', () => {
  for (const name of ['sample.mp4', 'sample.mkv', 'sample.ts']) {
    it(`${name}: a VOD playlist whose segments are the 2 s GOPs and add up to the file`, async () => {
      const r = await fetch(srv.httpUrl(`${name}/index.m3u8`));
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
      expect(r.headers.get('cache-control')).toBe('public, max-age=60');
      const p = parsePlaylist(await r.text());
      expect(checkPlaylist(p, { kind: 'vod' })).toEqual([]);
      expect(p.targetDuration).toBe(2);
      // The last one runs to the file's end (the audio outlasts the last frame by a few ms).
      expect(p.segments.slice(0, 9).map((s) => s.duration)).toEqual(Array(9).fill(2));
      expect(p.segments[9]!.duration).toBeCloseTo(2, 1);
      const file = await loadMediaFile(`${MEDIA_DIR}/${name}`);
      const total = p.segments.reduce((n, s) => n + s.duration, 0);
      expect(Math.abs(total - file.duration)).toBeLessThan(0.1);
      expect(p.tags).not.toContain('#EXT-X-PART-INF');
      // Every segment is a fragment whose first video sample is a sync sample.
      for (const s of [p.segments[0]!, p.segments[5]!, p.segments[9]!]) {
        const f = await fetch(srv.httpUrl(`${name}/${s.uri}`));
        expect(f.status).toBe(200);
        expect(f.headers.get('content-type')).toBe('video/mp4');
        expect(f.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(firstSampleFlags(new Uint8Array(await f.arrayBuffer()))).toBe(0x02000000);
      }
    });
  }

  it('names are stable across servers for the same file (CDN-cacheable), HEAD answers headers only', async () => {
    const a = parsePlaylist(await (await fetch(srv.httpUrl('sample.mp4/index.m3u8'))).text());
    const other = await startTestServer();
    try {
      const b = parsePlaylist(await (await fetch(other.httpUrl('sample.mp4/index.m3u8'))).text());
      expect(b.map).toBe(a.map);
      expect(b.segments.map((s) => s.uri)).toEqual(a.segments.map((s) => s.uri));
    } finally {
      await other.close();
    }
    const head = await fetch(srv.httpUrl(`sample.mp4/${a.map}`), { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(500);
  });

  it('404 JSON for a segment past the end, a wrong name, parts (VOD has none) and an unknown file', async () => {
    const p = parsePlaylist(await (await fetch(srv.httpUrl('sample.mp4/index.m3u8'))).text());
    const id = /init-([0-9a-f]+)\.mp4/.exec(p.map!)![1]!;
    for (const path of [`sample.mp4/seg-${id}-10.mp4`, 'sample.mp4/seg-0123456789-0.mp4', `sample.mp4/part-${id}-0-0.mp4`, 'nosuch.mp4/index.m3u8', 'nosuch.mp4/seg-0123456789-0.mp4']) {
      const r = await fetch(srv.httpUrl(path));
      expect(r.status, path).toBe(404);
      const body = (await r.json()) as { error: string; status: number };
      expect(body.status).toBe(404);
      expect(body.error.length).toBeGreaterThan(10);
    }
  });
});

/** trun sample flags of the first sample in the first traf (moof > traf > trun, version 1 with all per-sample fields). */
function firstSampleFlags(b: Uint8Array): number {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const find = (start: number, end: number, type: string): number => {
    for (let o = start; o + 8 <= end; o += v.getUint32(o)) {
      if (new TextDecoder().decode(b.subarray(o + 4, o + 8)) === type) return o;
    }
    throw new Error(`no ${type} box`);
  };
  const moof = find(0, b.length, 'moof');
  const traf = find(moof + 8, moof + v.getUint32(moof), 'traf');
  const trun = find(traf + 8, traf + v.getUint32(traf), 'trun');
  // header 8, version/flags 4, sample_count 4, data_offset 4; then duration, size, flags
  return v.getUint32(trun + 20 + 8);
}
