// HLS playback of a recording with real clients: ffmpeg publishes a 9 s clip to a path recorded in 3 s segments; the
// playback playlist is VOD, its EXTINFs add up to the clip, its fragments tile (tfdt continuous across segments), and
// ffmpeg/ffprobe read the whole playlist without errors with every frame; a clip from the middle with a duration starts
// at the key frame before it; bad queries are 400, unrecorded times 404, and the URLs need the `playback` permission.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { fragmentProblems, initProblems } from '../helpers/mux-check.js';
import { checkPlaylist, parsePlaylist, type ParsedPlaylist } from '../helpers/playlist-check.js';
import { cutSample, recordClip, type RecordedSpan } from '../helpers/record-clip.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const FPS = 30;
let dir: string;
let srv: TestServer;
let clipFrames: number;
/** The recorded span's start (RFC 3339) and length. */
let span: RecordedSpan;
let token: string;
const basic = (user: string): Record<string, string> => ({ Authorization: `Basic ${Buffer.from(`${user}:pw`).toString('base64')}` });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-pbhls-'));
  const clip = await cutSample(dir, 9);
  clipFrames = await videoFrames(clip);
  srv = await startTestServer({
    recordPath: `${dir}/rec/%path/%Y-%m-%d_%H-%M-%S-%f`,
    recordSegmentDuration: '3s',
    recordPartDuration: '500ms',
    paths: { cam: { record: true } },
    authUsers: [
      { user: 'any', permissions: [{ action: 'publish' }, { action: 'read' }, { action: 'api' }] },
      { user: 'keeper', pass: 'pw', permissions: [{ action: 'playback' }, { action: 'api' }] },
      { user: 'viewer', pass: 'pw', permissions: [{ action: 'read' }, { action: 'api' }] },
    ],
  });
  span = await recordClip(srv, 'cam', clip);
  const login = await fetch(srv.httpUrl('api/v1/login'), { method: 'POST', headers: basic('keeper') });
  expect(login.status).toBe(200);
  token = ((await login.json()) as { token: string }).token;
}, 60_000);
afterAll(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Video frames ffprobe decodes from `input` (a decode error fails the test). */
async function videoFrames(input: string): Promise<number> {
  const args = ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', input];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
  expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
  expect(r.stderr.trim(), `ffprobe errors on ${input}`).toBe('');
  // An HLS input lists its stream twice (in its program and on its own): the first count is the one.
  return Number(r.stdout.trim().split(/\s+/)[0]);
}

const playbackUrl = (query: string): string => srv.httpUrl(`cam/playback.m3u8?${query}&token=${encodeURIComponent(token)}`);
const iso = (ms: number): string => new Date(ms).toISOString();

async function playlist(query: string): Promise<ParsedPlaylist> {
  const r = await fetch(playbackUrl(query));
  expect(r.status, await r.clone().text()).toBe(200);
  expect(r.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
  return parsePlaylist(await r.text());
}

describe('HLS playback of a recording', () => {
  it('a VOD playlist over the whole span: EXTINFs add up to the clip, segments tile with continuous decode times, ffmpeg decodes every frame', async () => {
    const p = await playlist(`start=${encodeURIComponent(span.start)}`);
    expect(checkPlaylist(p, { kind: 'vod' })).toEqual([]);
    expect(p.playlistType).toBe('VOD');
    expect(p.endList).toBe(true);
    expect(p.tags).toContain('#EXT-X-INDEPENDENT-SEGMENTS');
    expect(p.segments.length).toBeGreaterThanOrEqual(2);
    for (const s of p.segments) expect(s.duration).toBeLessThanOrEqual(6 + 1e-6);
    const total = p.segments.reduce((n, s) => n + s.duration, 0);
    expect(Math.abs(total - clipFrames / FPS)).toBeLessThanOrEqual(1 / FPS + 1e-6);
    // Every URI carries the token (the player resolved it against the playlist and dropped its query).
    expect([p.map!, ...p.segments.map((s) => s.uri)].every((u) => u.includes('token='))).toBe(true);
    const init = new Uint8Array(await (await fetch(new URL(p.map!, playbackUrl('x')))).arrayBuffer());
    expect(initProblems(init)).toEqual([]);
    let expectDts: number | undefined;
    for (const s of p.segments) {
      const r = await fetch(new URL(s.uri, playbackUrl('x')));
      expect(r.status).toBe(200);
      const frag = new Uint8Array(await r.arrayBuffer());
      expect(fragmentProblems(frag)).toEqual([]);
      // The video run (track 1): it starts at a sync sample, at the decode time where the previous one ended.
      const v = videoRun(frag);
      expect(v.firstFlags).toBe(0x02000000);
      if (expectDts !== undefined) expect(v.tfdt).toBe(expectDts);
      expectDts = v.tfdt + v.durations;
      expect(Math.abs(v.durations / 90000 - s.duration)).toBeLessThan(1 / FPS);
    }
    const url = playbackUrl(`start=${encodeURIComponent(span.start)}`);
    const args = ['-v', 'error', '-i', url, '-f', 'null', '-'];
    const r = await run(resolveFfmpeg(), args, { timeoutMs: 60_000 });
    expect(r.code, describeRun('ffmpeg', args, r)).toBe(0);
    expect(r.stderr.trim(), describeRun('ffmpeg', args, r)).toBe('');
    expect(await videoFrames(url)).toBe(clipFrames);
  }, 90_000);

  it('from the middle with a duration: starts at the key frame before the asked time and lasts that long', async () => {
    const from = Date.parse(span.start) + 4500;
    const p = await playlist(`start=${encodeURIComponent(iso(from))}&duration=3`);
    expect(checkPlaylist(p, { kind: 'vod' })).toEqual([]);
    const total = p.segments.reduce((n, s) => n + s.duration, 0);
    expect(Math.abs(total - 3)).toBeLessThanOrEqual(1 / FPS + 1e-6);
    // The key frames are 2 s apart: the one before 4.5 s presents at 4 s (give or take the recorder's clock).
    expect(Math.abs(p.segments[0]!.programDateTime! - (Date.parse(span.start) + 4000))).toBeLessThan(500);
    // 3 s of frames, and the one past the end that the B-frames before it reference when the cut falls between them.
    const frames = await videoFrames(playbackUrl(`start=${encodeURIComponent(iso(from))}&duration=3`));
    expect(frames).toBeGreaterThanOrEqual(3 * FPS);
    expect(frames).toBeLessThanOrEqual(3 * FPS + 1);
  }, 60_000);

  it('400 JSON for a bad query, 404 JSON when nothing is recorded there or past the last segment', async () => {
    for (const q of ['', 'start=yesterday', 'start=2026-12-03T22:10:00', `start=${encodeURIComponent(span.start)}&duration=0`, `start=${encodeURIComponent(span.start)}&duration=abc`]) {
      const r = await fetch(playbackUrl(q));
      expect(r.status, q).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await r.json()) as { error: string }).error).toMatch(/start=|duration=/);
    }
    for (const q of [`start=${encodeURIComponent(iso(Date.parse(span.start) + 3600_000))}`, `start=${encodeURIComponent(iso(Date.parse(span.start) + 600_000))}&duration=5`]) {
      const r = await fetch(playbackUrl(q));
      expect(r.status, q).toBe(404);
      expect(((await r.json()) as { error: string }).error).toMatch(/recorded/);
    }
    const past = await fetch(srv.httpUrl(`cam/playback/99.m4s?start=${encodeURIComponent(span.start)}&token=${token}`));
    expect(past.status).toBe(404);
    const other = await fetch(srv.httpUrl(`nothing/playback.m3u8?start=${encodeURIComponent(span.start)}&token=${token}`));
    expect(other.status).toBe(404);
  });

  it('the playlist, init and segment URLs need the playback permission: 401 without a login, 403 for a user who may only read', async () => {
    const q = `start=${encodeURIComponent(span.start)}`;
    for (const u of [`cam/playback.m3u8?${q}`, `cam/playback/init.mp4?${q}`, `cam/playback/0.m4s?${q}`]) {
      expect((await fetch(srv.httpUrl(u))).status, u).toBe(401);
      expect((await fetch(srv.httpUrl(u), { headers: basic('viewer') })).status, u).toBe(403);
      expect((await fetch(srv.httpUrl(u), { headers: basic('keeper') })).status, u).toBe(200);
    }
  });
});

/** tfdt, summed sample durations and the first sample's flags of track 1's run in a moof+mdat. */
function videoRun(b: Uint8Array): { tfdt: number; durations: number; firstFlags: number } {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const type = (o: number): string => String.fromCharCode(...b.subarray(o + 4, o + 8));
  for (let traf = 8 + 16; traf < dv.getUint32(0); traf += dv.getUint32(traf)) {
    if (type(traf) !== 'traf') continue;
    let tfdt = -1;
    let trackId = -1;
    for (let o = traf + 8; o < traf + dv.getUint32(traf); o += dv.getUint32(o)) {
      if (type(o) === 'tfhd') trackId = dv.getUint32(o + 12);
      if (type(o) === 'tfdt') tfdt = Number(dv.getBigUint64(o + 12));
      if (type(o) === 'trun' && trackId === 1) {
        const n = dv.getUint32(o + 12);
        let durations = 0;
        for (let i = 0; i < n; i++) durations += dv.getUint32(o + 20 + i * 16);
        return { tfdt, durations, firstFlags: dv.getUint32(o + 20 + 8) };
      }
    }
  }
  throw new Error('no run of track 1');
}
