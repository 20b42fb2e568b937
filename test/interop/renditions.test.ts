// Renditions: `cams/door~480p` is made by ffmpeg from cams/door while read (RTSP, HLS), stopped after the last reader;
// cams/door/index.m3u8 becomes a multivariant playlist; a reload adds and removes renditions.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OnDemandSource } from '../../server/core/on-demand.js';
import type { FfmpegSource } from '../../server/sources/process/ffmpeg-source.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

const MAIN = 'cams/door';
const R480 = 'cams/door~480p';
const RENDITIONS = [
  { name: '480p', height: 480, videoBitrate: '1M' },
  { name: '240p', height: 240, videoBitrate: '300k' },
];

let srv: TestServer;
const children: ChildProcess[] = [];
const ffmpegOf = (s: OnDemandSource): FfmpegSource => s.driver as FfmpegSource;

beforeAll(async () => {
  srv = await startTestServer({
    paths: {
      // The bundled sample (640x360, H.264 + AAC) in a loop, itself on demand: the rendition's reader starts it.
      [MAIN]: { ffmpeg: `-re -stream_loop -1 -i ${MEDIA_DIR}/sample.mp4 -c copy`, sourceOnDemandCloseAfter: 1, renditions: RENDITIONS },
    },
  });
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  await srv?.close();
});

async function probe(url: string, extra: string[] = []): Promise<string[]> {
  const args = ['-v', 'error', ...extra, '-show_entries', 'stream=codec_name,width,height', '-of', 'json', url];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 45_000 });
  expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
  // The top-level streams (HLS input also lists them again under each program).
  const streams = (JSON.parse(r.stdout) as { streams: { codec_name: string; width?: number; height?: number }[] }).streams;
  return streams.map((s) => [s.codec_name, s.width, s.height].filter((x) => x !== undefined).join(','));
}

describe('renditions', () => {
  it('/<path>/renditions.json lists them for players, best first, without starting any; other paths list none', async () => {
    const list = (await (await fetch(srv.httpUrl(`${MAIN}/renditions.json`))).json()) as unknown;
    expect(list).toEqual({
      path: MAIN,
      renditions: [
        { name: '480p', path: R480, height: 480, videoBitrate: 1_000_000 },
        { name: '240p', path: `${MAIN}~240p`, height: 240, videoBitrate: 300_000 },
      ],
    });
    expect(srv.paths.sourceOf(`${MAIN}~240p`)!.isRunning).toBe(false);
    expect(srv.paths.sourceOf(MAIN)!.isRunning).toBe(false);
    expect(await (await fetch(srv.httpUrl('sample.mp4/renditions.json'))).json()).toEqual({ path: 'sample.mp4', renditions: [] });
  });

  it('ffprobe reads cams/door~480p over RTSP at 480 lines (audio copied); its ffmpeg starts with the first reader and stops after the last', async () => {
    const src = srv.paths.sourceOf(R480)!;
    expect(src.isRunning).toBe(false);
    expect(ffmpegOf(src).pid).toBeUndefined();
    // A first reader that stays until it is killed.
    const hold = spawn(resolveFfmpeg(), ['-v', 'error', '-rtsp_transport', 'tcp', '-i', srv.url(R480), '-f', 'null', '-'], { stdio: 'ignore' });
    children.push(hold);
    await waitFor(() => (srv.paths.livePath(R480).stream?.readerCount ?? 0) >= 1, 45_000, 'the first reader to play the rendition');
    const pid = ffmpegOf(src).pid;
    expect(pid).toBeDefined();
    expect(ffmpegOf(src).starts).toBe(1);
    // A second reader comes and goes: same ffmpeg, still running after it left.
    expect(await probe(srv.url(R480), ['-rtsp_transport', 'tcp'])).toEqual(['h264,854,480', 'aac']);
    expect(ffmpegOf(src).pid).toBe(pid);
    expect(src.isRunning).toBe(true);
    // The last reader leaves: the rendition's ffmpeg is stopped and reaped.
    hold.kill('SIGKILL');
    await waitFor(() => !src.isRunning && ffmpegOf(src).pid === undefined, 30_000, 'the rendition ffmpeg to stop after the last reader');
    expect(ffmpegOf(src).starts).toBe(1);
  }, 120_000);

  it('ffprobe reads cams/door~480p over HLS and progressive MP4 / MPEG-TS at 480 lines', async () => {
    expect(await probe(srv.httpUrl(`${R480}/index.m3u8`))).toEqual(['h264,854,480', 'aac']);
    expect(await probe(srv.httpUrl(`${R480}/stream.mp4`))).toEqual(['h264,854,480', 'aac']);
    expect(await probe(srv.httpUrl(`${R480}/stream.ts`))).toEqual(['h264,854,480', 'aac']);
  }, 120_000);

  it('cams/door/index.m3u8 is a multivariant playlist (BANDWIDTH, RESOLUTION, CODECS per variant) that ffprobe follows; media.m3u8 is the main variant', async () => {
    const res = await fetch(srv.httpUrl(`${MAIN}/index.m3u8`));
    expect(res.status).toBe(200);
    const text = await res.text();
    const inf = text.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'));
    expect(inf).toHaveLength(3);
    expect(inf[0]).toMatch(/BANDWIDTH=\d+,RESOLUTION=640x360,CODECS="avc1\.64[0-9a-f]{4},mp4a\.40\.2"/);
    expect(inf[1]).toMatch(/BANDWIDTH=1\d{6},RESOLUTION=854x480,CODECS="avc1\.64001f,mp4a\.40\.2"/);
    expect(inf[2]).toMatch(/BANDWIDTH=\d{6},RESOLUTION=426x240,CODECS="avc1\.64001f,mp4a\.40\.2"/);
    expect(text).toContain('\nmedia.m3u8\n');
    expect(text).toContain('\n../door~480p/index.m3u8\n');
    const media = await (await fetch(srv.httpUrl(`${MAIN}/media.m3u8`))).text();
    expect(media).toContain('#EXT-X-PART-INF');
    // Each program is one variant; ffprobe opens all three.
    expect(await probe(srv.httpUrl(`${MAIN}/index.m3u8`))).toEqual(['h264,640,360', 'aac', 'h264,854,480', 'aac', 'h264,426,240', 'aac']);
  }, 120_000);

  it('a path without renditions keeps index.m3u8 as its media playlist', async () => {
    const text = await (await fetch(srv.httpUrl('sample.mp4/index.m3u8'))).text();
    expect(text).toContain('#EXT-X-TARGETDURATION');
    expect(text).not.toContain('#EXT-X-STREAM-INF');
  });

  it('a reload adds and removes renditions', async () => {
    const r = await srv.reloader!.editPath({ op: 'patch', name: MAIN, fields: { renditions: [{ name: '180p', height: 180, videoBitrate: '150k' }] } });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(srv.paths.sourceOf(R480)).toBeUndefined();
    expect(await probe(srv.url(`${MAIN}~180p`), ['-rtsp_transport', 'tcp'])).toEqual(['h264,320,180', 'aac']);
    const text = await (await fetch(srv.httpUrl(`${MAIN}/index.m3u8`))).text();
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-STREAM-INF:'))).toHaveLength(2);
    const gone = await srv.reloader!.editPath({ op: 'patch', name: MAIN, fields: { renditions: [] } });
    expect(gone.ok, JSON.stringify(gone)).toBe(true);
    expect(srv.paths.sourceOf(`${MAIN}~180p`)).toBeUndefined();
    expect(await (await fetch(srv.httpUrl(`${MAIN}/index.m3u8`))).text()).toContain('#EXT-X-PART-INF');
  }, 120_000);
});
