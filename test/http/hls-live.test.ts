// LL-HLS for a live path over real HTTP: playlist rules across reloads, blocking reloads and preload hints, headers, errors, idle stop.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPlaylist, parsePlaylist, PlaylistHistory, type ParsedPlaylist } from '../helpers/playlist-check.js';
import { waitFor } from '../helpers/read.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { publishSample, waitPlaylist, type Publisher } from './hls-source.js';

let srv: TestServer;
let pub: Publisher;
const PATH = 'live/hls';
const index = (q = ''): string => srv.httpUrl(`${PATH}/index.m3u8${q}`);
const file = (name: string): string => srv.httpUrl(`${PATH}/${name}`);

beforeAll(async () => {
  // Three kept segments so the window slides within the test.
  srv = await startTestServer({ hlsSegmentCount: 3 });
  pub = publishSample(srv, PATH);
  await waitPlaylist(index());
});
afterAll(async () => {
  pub?.stop();
  await srv?.close();
});

async function get(url: string): Promise<{ status: number; headers: Headers; text: string; ms: number }> {
  const t0 = Date.now();
  const r = await fetch(url);
  return { status: r.status, headers: r.headers, text: await r.text(), ms: Date.now() - t0 };
}

/** The part a client asks for next: the preload hint's (msn, part) from its URI. */
function hinted(p: ParsedPlaylist): { msn: number; part: number; uri: string } {
  const m = /-(\d+)-(\d+)\.mp4$/.exec(p.preloadHint ?? '');
  if (!m) throw new Error(`no preload hint in the playlist: ${p.preloadHint}`);
  return { msn: Number(m[1]), part: Number(m[2]), uri: p.preloadHint! };
}

/**
 * Part `uri` of segment `msn` is in the playlist, or segment `msn` ended with fewer parts and the
 * playlist already has what follows it (RFC 8216bis 6.2.5.2: that part "or later").
 */
function reached(p: ParsedPlaylist, msn: number, uri: string): boolean {
  if (listed(p, uri)) return true;
  const complete = p.segments.some((s) => s.msn === msn);
  const later = p.segments.some((s) => s.msn > msn) || p.openParts.length > 0;
  return complete && later;
}

const listed = (p: ParsedPlaylist, uri: string): boolean => [...p.segments.flatMap((s) => s.parts), ...p.openParts].some((x) => x.uri === uri);

describe('live LL-HLS playlist', () => {
  it('follows the rules across blocking reloads until the window slides', async () => {
    const history = new PlaylistHistory();
    const problems: string[] = [];
    let p = parsePlaylist((await get(index())).text);
    const firstSequence = p.mediaSequence;
    const t0 = Date.now();
    // About one reload per 0.2 s part (parts released together share one), until a segment has left
    // the window; the time that takes is the publisher's, so the deadline is only a backstop.
    while (!(history.reloads > 10 && p.mediaSequence > firstSequence)) {
      if (Date.now() - t0 > 60_000) throw new Error(`the window did not slide in 60 s: ${history.reloads} reloads, media sequence ${firstSequence} -> ${p.mediaSequence}`);
      problems.push(...checkPlaylist(p, { kind: 'live' }).map((x) => `reload ${history.reloads}: ${x}`));
      history.add(p);
      const next = hinted(p);
      const r = await get(index(`?_HLS_msn=${next.msn}&_HLS_part=${next.part}`));
      expect(r.status, r.text).toBe(200);
      p = parsePlaylist(r.text);
    }
    problems.push(...checkPlaylist(p, { kind: 'live' }).map((x) => `reload ${history.reloads}: ${x}`));
    history.add(p);
    expect(problems).toEqual([]);
    expect(history.problems).toEqual([]);
    expect(p.segments.length).toBe(3);
    expect(p.partTarget).toBeCloseTo(0.2, 5); // 6 frames at 30 fps
    expect(p.targetDuration).toBe(2); // the sample's 2 s GOP
  });

  it('a blocked reload returns only once the requested part exists', async () => {
    // The test must see the part missing while the request is blocked; if the machine is slow
    // enough that the part is made before the plain reload below, that try shows nothing: again.
    for (let attempt = 1; ; attempt++) {
      const before = parsePlaylist((await get(index())).text);
      const next = hinted(before);
      expect(listed(before, next.uri)).toBe(false);
      // One part further than the hint: the reply must wait for two parts to be made.
      const want = { msn: next.msn, part: next.part + 1 };
      const wantUri = next.uri.replace(/-(\d+)\.mp4$/, `-${want.part}.mp4`);
      const pending = get(index(`?_HLS_msn=${want.msn}&_HLS_part=${want.part}`));
      const meanwhile = parsePlaylist((await get(index())).text);
      const r = await pending;
      expect(r.status, r.text).toBe(200);
      const after = parsePlaylist(r.text);
      // Whenever it returns, the part (or, for a segment that ended with fewer parts, what follows it) is there.
      expect(reached(after, want.msn, wantUri), r.text).toBe(true);
      expect(reached(after, next.msn, next.uri), r.text).toBe(true);
      // While it was blocked, a plain reload did not list the part yet.
      if (!listed(meanwhile, wantUri)) return;
      if (attempt === 10) throw new Error('the part was listed by the plain reload in each of 10 tries');
    }
  });

  it('serves the preload-hinted part once it is made: an fMP4 fragment, immutable', async () => {
    const p = parsePlaylist((await get(index())).text);
    const next = hinted(p);
    expect(listed(p, next.uri)).toBe(false);
    const r = await fetch(file(next.uri));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('video/mp4');
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = new Uint8Array(await r.arrayBuffer());
    expect(new TextDecoder().decode(body.subarray(4, 8))).toBe('moof');
    const later = parsePlaylist((await get(index())).text);
    expect(listed(later, next.uri)).toBe(true);
  });

  it('headers: playlist type and no-cache, init and segments video/mp4 immutable, CORS', async () => {
    const r = await get(index());
    expect(r.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    const p = parsePlaylist(r.text);
    for (const uri of [p.map!, p.segments[p.segments.length - 1]!.uri]) {
      const f = await fetch(file(uri));
      expect(f.status, uri).toBe(200);
      expect(f.headers.get('content-type')).toBe('video/mp4');
      expect(f.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      const b = new Uint8Array(await f.arrayBuffer());
      expect(new TextDecoder().decode(b.subarray(4, 8))).toBe(uri === p.map ? 'ftyp' : 'moof');
    }
  });

  it('errors: 400 for bad or too-far blocking requests, 404 JSON for unknown and evicted segments', async () => {
    // Segment 0 has left the window (it never comes back), so asking for it is a 404.
    let p = parsePlaylist((await get(index())).text);
    await waitFor(async () => (p = parsePlaylist((await get(index())).text)).mediaSequence > 0, 60_000, 'segment 0 to leave the window');
    const last = p.segments[p.segments.length - 1]!.msn;
    // Just past the limit of two segments ahead of the last complete one. A segment completing
    // between the playlist and this request makes it a valid (blocking) one: then try again.
    for (let attempt = 1; ; attempt++) {
      const now = parsePlaylist((await get(index())).text).segments.at(-1)!.msn;
      const r = await get(index(`?_HLS_msn=${now + 3}`));
      if (r.status === 400) {
        expect(JSON.parse(r.text).error).toBe(`_HLS_msn=${now + 3} is too far ahead: the last segment of /${PATH}/index.m3u8 is ${now}`);
        break;
      }
      if (attempt === 5) throw new Error(`_HLS_msn=${now + 3} got ${r.status} ${r.text} in each of 5 tries`);
    }
    const cases: [string, number, RegExp][] = [
      [index('?_HLS_part=1'), 400, /needs _HLS_msn/],
      [index('?_HLS_msn=abc'), 400, /non-negative integer/],
      [index(`?_HLS_msn=${last + 1000}`), 400, /too far ahead/],
      [file(p.map!.replace(/init-[0-9a-f]+/, 'init-00000000')), 404, /no init segment/],
      [file(p.segments[0]!.uri.replace(/-\d+\.mp4$/, '-0.mp4')), 404, /no segment 0/],
      [file(p.segments[0]!.uri.replace(/-\d+\.mp4$/, `-${last + 50}.mp4`)), 404, /no segment/],
      [srv.httpUrl('nobody/here/index.m3u8'), 404, /./],
    ];
    for (const [url, status, reason] of cases) {
      const r = await get(url);
      expect(r.status, url).toBe(status);
      if (status >= 400) {
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        const body = JSON.parse(r.text) as { error: string; status: number };
        expect(body.status).toBe(status);
        expect(body.error).toMatch(reason);
      }
    }
  });
});

describe('live HLS muxer lifetime', () => {
  it('stops after the idle time: old names 404, a new muxer has new names', async () => {
    const s2 = await startTestServer({ hlsIdleTimeout: 1 });
    const p2 = publishSample(s2, 'idle/cam');
    try {
      const url = s2.httpUrl('idle/cam/index.m3u8');
      const first = parsePlaylist(await waitPlaylist(url));
      // The muxer reads the stream as an access-unit reader; it lets go of it when it stops.
      const stream = s2.paths.livePath('idle/cam').stream!;
      await waitFor(() => stream.readerCount === 0, 30_000, 'the idle HLS muxer to stop');
      const old = await fetch(s2.httpUrl(`idle/cam/${first.map}`));
      expect(old.status).toBe(404);
      const second = parsePlaylist(await waitPlaylist(url));
      expect(second.map).not.toBe(first.map);
    } finally {
      p2.stop();
      await s2.close();
    }
  });

  it('ends the playlist when the publisher leaves: a blocked client and a later plain reload get it', async () => {
    const s3 = await startTestServer();
    const p3 = publishSample(s3, 'leaving/cam');
    try {
      const url = s3.httpUrl('leaving/cam/index.m3u8');
      await waitPlaylist(url);
      // Frozen, the publisher sends nothing more; the part asked for below, most of two segments
      // ahead, cannot be made before it leaves, so the request is answered by the end.
      p3.child.kill('SIGSTOP');
      const p = parsePlaylist(await (await fetch(url)).text());
      const last = p.segments.at(-1)!.msn;
      const blocked = fetch(`${url}?_HLS_msn=${last + 2}&_HLS_part=9`);
      // Whether the request is blocked when the source leaves or arrives just after, the answer is the final playlist.
      p3.stop();
      const r = await blocked;
      const text = await r.text();
      expect(r.status, text).toBe(200);
      const final = parsePlaylist(text);
      expect(final.endList).toBe(true);
      expect(final.preloadHint).toBeUndefined();
      // A plain reload after that (classic clients) gets the same final playlist, not a 404.
      const again = await fetch(url);
      expect(again.status).toBe(200);
      expect(parsePlaylist(await again.text()).endList).toBe(true);
    } finally {
      p3.stop();
      await s3.close();
    }
  });
});
