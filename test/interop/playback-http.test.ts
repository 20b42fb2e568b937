// Playback of a recording over HTTP with real clients: ffmpeg publishes 9 s to a recording path (3 s segments, cut at
// the 2 s key frames); a 5 s clip from a time that straddles a cut comes back as one progressive MP4 that ffprobe
// measures (5 s, key frame first, frame count) and ffmpeg decodes without an error; byte ranges are slices of the whole;
// .ts decodes; Chromium plays it in a <video> and seeks to the middle; bad queries, unrecorded times and users without `playback` are refused.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { ANONYMOUS_USER } from '../../server/config-auth.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { launchBrowser } from '../helpers/browser.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';
import { testPage } from '../helpers/test-page.js';

let dir: string;
let srv: TestServer;
let publisher: ChildProcess | undefined;
let segments: { file: string; start: string; duration: number }[];
let clipUrl: string;
let full: Buffer;
let fullHeaders: Headers;

const VIEWER = { Authorization: `Basic ${Buffer.from('viewer:pw').toString('base64')}` };
const READER = { Authorization: `Basic ${Buffer.from('reader:pw').toString('base64')}` };

async function ffprobeJson(file: string, args: string[]): Promise<Record<string, unknown[]>> {
  const all = ['-v', 'error', '-of', 'json', ...args, file];
  const r = await run(resolveFfprobe(), all, { timeoutMs: 30_000 });
  expect(r.code, describeRun('ffprobe', all, r)).toBe(0);
  expect(r.stderr.trim(), `ffprobe errors on ${file}`).toBe('');
  return JSON.parse(r.stdout) as Record<string, unknown[]>;
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const r = await fetch(url, { method, headers: { ...VIEWER, ...headers } });
  return { status: r.status, headers: r.headers, body: Buffer.from(await r.arrayBuffer()) };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-playback-http-'));
  srv = await startTestServer({
    recordPath: `${dir}/rec/%path/%Y-%m-%d_%H-%M-%S-%f`,
    recordSegmentDuration: '3s',
    recordPartDuration: '500ms',
    authUsers: [
      { user: ANONYMOUS_USER, permissions: [{ action: 'publish' }, { action: 'read' }, { action: 'api' }] },
      { user: 'viewer', pass: 'pw', permissions: [{ action: 'playback' }] },
      { user: 'reader', pass: 'pw', permissions: [{ action: 'read' }] },
    ],
    paths: { cam: { record: true } },
  });
  const args = ['-v', 'error', '-re', '-t', '9', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url('cam')];
  publisher = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<number | null>((res) => publisher!.on('exit', res));
  const recording = (): boolean => srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'cam');
  await waitFor(recording, 20_000, 'the recorder');
  expect(await exited).toBe(0);
  await waitFor(() => !recording(), 20_000, 'the recorder to stop');
  const list = (await (await fetch(srv.httpUrl('api/v1/recordings/cam'))).json()) as { segments: typeof segments };
  segments = list.segments;
  expect(segments.length).toBeGreaterThanOrEqual(2);
  // 2.5 s into the first segment: the clip starts at the 2 s key frame and runs across the cut at 4 s.
  const start = new Date(Date.parse(segments[0]!.start) + 2500).toISOString();
  clipUrl = srv.httpUrl(`cam/playback.mp4?start=${start}&duration=5`);
  const r = await get(clipUrl);
  expect(r.status, r.body.toString().slice(0, 300)).toBe(200);
  full = r.body;
  fullHeaders = r.headers;
  writeFileSync(join(dir, 'clip.mp4'), full);
}, 60_000);

afterAll(async () => {
  publisher?.kill('SIGKILL');
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('GET /<path>/playback.mp4', () => {
  it('is one progressive MP4 (moov before mdat) of exactly Content-Length bytes, straddling a segment cut', () => {
    expect(fullHeaders.get('content-type')).toBe('video/mp4');
    expect(Number(fullHeaders.get('content-length'))).toBe(full.length);
    expect(fullHeaders.get('accept-ranges')).toBe('bytes');
    expect(fullHeaders.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(full.subarray(4, 8).toString()).toBe('ftyp');
    const types: string[] = [];
    for (let at = 0; at + 8 <= full.length; ) {
      types.push(full.subarray(at + 4, at + 8).toString());
      at += full.readUInt32BE(at);
    }
    expect(types).toEqual(['ftyp', 'moov', 'mdat']);
    const wallStart = Date.parse(fullHeaders.get('x-playback-start')!);
    const cut = Date.parse(segments[1]!.start);
    expect(wallStart).toBeLessThan(cut);
    expect(wallStart + 5000).toBeGreaterThan(cut);
  });

  it('lasts 5 s within one frame, starts at a key frame presented at 0, and decodes every frame without an error', async () => {
    const file = join(dir, 'clip.mp4');
    const fmt = (await ffprobeJson(file, ['-show_entries', 'format=duration'])) as unknown as { format: { duration: string } };
    expect(Math.abs(Number(fmt.format.duration) - 5)).toBeLessThanOrEqual(1 / 30 + 1e-3);
    const first = (await ffprobeJson(file, ['-select_streams', 'v:0', '-read_intervals', '%+#1', '-show_entries', 'frame=key_frame,pict_type,pts_time'])) as unknown as {
      frames: { key_frame: number; pict_type: string; pts_time: string }[];
    };
    expect(first.frames[0]).toMatchObject({ key_frame: 1, pict_type: 'I' });
    expect(Number(first.frames[0]!.pts_time)).toBeCloseTo(0, 3);
    const counted = (await ffprobeJson(file, ['-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_frames,nb_read_frames,codec_name'])) as unknown as {
      streams: { nb_frames: string; nb_read_frames: string; codec_name: string }[];
    };
    const v = counted.streams[0]!;
    expect(v.codec_name).toBe('h264');
    expect(Number(v.nb_read_frames)).toBe(Number(v.nb_frames));
    expect(Math.abs(Number(v.nb_read_frames) - 150)).toBeLessThanOrEqual(1);
    const dec = ['-v', 'error', '-i', file, '-f', 'null', '-'];
    const r = await run(resolveFfmpeg(), dec, { timeoutMs: 30_000 });
    expect(r.code, describeRun('ffmpeg', dec, r)).toBe(0);
    expect(r.stderr.trim()).toBe('');
  });

  it('answers byte ranges (first bytes, a middle range, a suffix) with 206 and exactly those bytes of the whole', async () => {
    const n = full.length;
    const cases: [string, number, number][] = [
      ['bytes=0-99', 0, 100],
      [`bytes=${Math.floor(n / 3)}-${Math.floor(n / 3) + 70_000}`, Math.floor(n / 3), Math.floor(n / 3) + 70_001],
      ['bytes=-5000', n - 5000, n],
      [`bytes=${n - 10}-`, n - 10, n],
    ];
    for (const [range, from, to] of cases) {
      const r = await get(clipUrl, { Range: range });
      expect(r.status, range).toBe(206);
      expect(r.headers.get('content-range'), range).toBe(`bytes ${from}-${to - 1}/${n}`);
      expect(Number(r.headers.get('content-length'))).toBe(to - from);
      expect(r.body.equals(full.subarray(from, to)), range).toBe(true);
    }
    const past = await get(clipUrl, { Range: `bytes=${n}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${n}`);
  });

  it('HEAD gives the length; If-None-Match gives 304; a stale If-Range gives the whole file', async () => {
    const head = await get(clipUrl, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(full.length);
    expect(head.body.length).toBe(0);
    const etag = fullHeaders.get('etag')!;
    expect((await get(clipUrl, { 'If-None-Match': etag })).status).toBe(304);
    const fresh = await get(clipUrl, { Range: 'bytes=0-9', 'If-Range': etag });
    expect(fresh.status).toBe(206);
    const stale = await get(clipUrl, { Range: 'bytes=0-9', 'If-Range': '"something-else"' });
    expect(stale.status).toBe(200);
    expect(stale.body.equals(full)).toBe(true);
  });
});

describe('GET /<path>/playback.ts', () => {
  it('streams the same span as MPEG-TS that ffprobe reads, without ranges', async () => {
    const r = await get(clipUrl.replace('playback.mp4', 'playback.ts'));
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('video/mp2t');
    expect(r.headers.get('accept-ranges')).toBe('none');
    expect(r.body.length % 188).toBe(0);
    const file = join(dir, 'clip.ts');
    writeFileSync(file, r.body);
    const info = (await ffprobeJson(file, ['-show_streams', '-show_entries', 'format=duration'])) as unknown as { streams: { codec_name: string }[]; format: { duration: string } };
    expect(info.streams.map((s) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(Math.abs(Number(info.format.duration) - 5)).toBeLessThan(0.2);
  });
});

describe('refusals', () => {
  it('400 with the reason for a bad or missing start or duration', async () => {
    const t = segments[0]!.start;
    const cases: [string, RegExp][] = [
      [`duration=5`, /start is missing/],
      [`start=yesterday&duration=5`, /start=yesterday is not a time/],
      [`start=${t}`, /duration is missing/],
      [`start=${t}&duration=-3`, /duration=-3 is not a length/],
      [`start=${t}&duration=21601`, /longer than 21600 s/],
    ];
    for (const [q, reason] of cases) {
      const r = await get(srv.httpUrl(`cam/playback.mp4?${q}`));
      expect(r.status, q).toBe(400);
      expect(r.headers.get('content-type')).toMatch(/^application\/json/);
      expect(JSON.parse(r.body.toString()).error, q).toMatch(reason);
    }
  });

  it('404 for a time or a path with nothing recorded; Unix seconds are a start time too', async () => {
    const before = await get(srv.httpUrl('cam/playback.mp4?start=2001-01-01T00:00:00Z&duration=60'));
    expect(before.status).toBe(404);
    expect(JSON.parse(before.body.toString()).error).toMatch(/nothing of \/cam is recorded/);
    expect((await get(srv.httpUrl(`other/playback.mp4?start=${segments[0]!.start}&duration=5`))).status).toBe(404);
    const unix = (Date.parse(segments[0]!.start) / 1000 + 0.5).toFixed(3);
    const r = await get(srv.httpUrl(`cam/playback.mp4?start=${unix}&duration=1`), {}, 'HEAD');
    expect(r.status).toBe(200);
  });

  it('401 without a login and 403 for a user who may read but not play back', async () => {
    const anon = await fetch(clipUrl, { method: 'HEAD' });
    expect(anon.status).toBe(401);
    const reader = await fetch(clipUrl, { headers: READER });
    expect(reader.status).toBe(403);
    expect((await fetch(clipUrl.replace('playback.mp4', 'playback.ts'), { headers: READER })).status).toBe(403);
  });
});

describe('in Chromium', () => {
  it('a <video> plays playback.mp4 and seeking to the middle lands there and plays on', async () => {
    const browser = await launchBrowser();
    onTestFinished(() => browser.close());
    const log: string[] = [];
    const page = await testPage(browser, log);
    await page.setExtraHTTPHeaders(VIEWER);
    await page.setContent(`<video src="${clipUrl}" muted playsinline preload="auto"></video>`);
    type V = { t: number; d: number; ready: number; error: string | null };
    const video = (): Promise<V> =>
      page.evaluate(() => {
        const v = document.querySelector('video')!;
        return { t: v.currentTime, d: v.duration, ready: v.readyState, error: v.error ? `${v.error.code} ${v.error.message}` : null };
      });
    const why = async (): Promise<string> => `${JSON.stringify(await video())}\n${log.join('\n')}`;
    await waitFor(async () => (await video()).ready >= 1, 30_000, 'metadata');
    expect(Math.abs((await video()).d - 5), await why()).toBeLessThanOrEqual(0.05);
    await page.evaluate(() => void document.querySelector('video')!.play());
    await waitFor(async () => (await video()).t > 0.3, 30_000, 'playback to start');
    const landed = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const v = document.querySelector('video')!;
          v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
          v.currentTime = 2.5;
        }),
    );
    expect(Math.abs(landed - 2.5), await why()).toBeLessThan(0.1);
    await waitFor(async () => (await video()).t > landed + 0.3, 30_000, 'playback after the seek');
    expect((await video()).error, await why()).toBeNull();
  });
});
