// Recording with real clients: ffmpeg publishes a 7 s clip to a path with record: true and 2 s segments; the API
// lists the segments and one span; ffprobe decodes every segment and counts its frames (they add up to what was
// published); the segment hook runs; an old file is removed by retention; an unwritable recordPath leaves the
// live path serving ffprobe while the error is logged and counted.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let dir: string;
let srv: TestServer;
let log: LogCapture;
const children: ChildProcess[] = [];
const f = (name: string): string => join(dir, name);
let clip: string;
let clipFrames: number;

/** Video frames ffprobe decodes in `file` (it fails the test on any decode error). */
async function countFrames(file: string): Promise<number> {
  const args = ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file];
  const r = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
  expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
  expect(r.stderr.trim(), `ffprobe errors on ${file}`).toBe('');
  // MPEG-TS lists its streams twice (in its program too): the first line is the stream's.
  return Number(r.stdout.trim().split('\n')[0]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-rec-'));
  clip = f('clip.mp4');
  const cut = await run(resolveFfmpeg(), ['-v', 'error', '-i', `${MEDIA_DIR}/sample.mp4`, '-t', '7', '-c', 'copy', clip], { timeoutMs: 30_000 });
  expect(cut.code).toBe(0);
  clipFrames = await countFrames(clip);
  // An old segment of a recorded path (written two days ago): retention deletes it at start.
  // An old file of a path that does not record: kept.
  for (const old of ['rec/cam/2020-01-01_00-00-00-000000.mp4', 'rec/idle/2020-01-01_00-00-00-000000.mp4']) {
    mkdirSync(join(dir, old, '..'), { recursive: true });
    writeFileSync(f(old), 'old');
    utimesSync(f(old), new Date(Date.now() - 2 * 86400_000), new Date(Date.now() - 2 * 86400_000));
  }
  // A file where the recordPath wants a directory: unwritable even for root.
  writeFileSync(f('locked'), 'not a directory');
  log = captureLog();
  srv = await startTestServer(
    {
      recordPath: `${dir}/rec/%path/%Y-%m-%d_%H-%M-%S-%f`,
      recordSegmentDuration: '2s',
      recordPartDuration: '500ms',
      recordDeleteAfter: '1h',
      paths: {
        cam: { record: true, runOnRecordSegmentComplete: `echo "$TIDECAST_SEGMENT_PATH $TIDECAST_SEGMENT_START $TIDECAST_SEGMENT_DURATION" >> '${dir}/hooks.txt'` },
        later: {},
        tscam: { record: true, recordFormat: 'mpegts' },
        locked: { record: true, recordPath: `${dir}/locked/sub/%path/%Y%m%d%H%M%S%f` },
      },
    },
    { log: log.logger },
  );
});
afterAll(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function publish(path: string, input: string, loop: boolean): ChildProcess {
  const args = ['-v', 'error', '-re', ...(loop ? ['-stream_loop', '-1'] : []), '-i', input, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', srv.url(path)];
  const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

async function api<T>(p: string): Promise<T> {
  const r = await fetch(srv.httpUrl(p));
  expect(r.status, p).toBe(200);
  return (await r.json()) as T;
}

interface Listing {
  segments: { file: string; start: string; duration: number; size: number }[];
  spans: { start: string; end: string; duration: number }[];
}

describe('recording', () => {
  it('retention deleted the old segment of a recording path at start, and kept that of a path that does not record', async () => {
    await waitFor(() => !existsSync(f('rec/cam/2020-01-01_00-00-00-000000.mp4')), 10_000, 'retention');
    expect(log.lines.some((l) => String(l.msg).includes('older than recordDeleteAfter'))).toBe(true);
    expect(existsSync(f('rec/idle/2020-01-01_00-00-00-000000.mp4'))).toBe(true);
  });

  it('records a published clip into 2 s segments that decode and add up to every published frame, listed as one span; the hook runs per segment', async () => {
    const pub = publish('cam', clip, false);
    const exited = new Promise<number | null>((res) => pub.on('exit', res));
    await waitFor(() => srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'cam'), 20_000, 'the recorder in the client registry');
    expect(await exited).toBe(0);
    await waitFor(() => !srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'cam'), 20_000, 'the recorder to stop');
    const hookLines = (): string[] => (existsSync(f('hooks.txt')) ? readFileSync(f('hooks.txt'), 'utf8').trim().split('\n') : []);
    await waitFor(() => hookLines().length >= 4, 20_000, 'four segment hooks');
    const paths = await api<{ paths: { name: string; segments: number }[] }>('api/v1/recordings');
    expect(paths.paths).toContainEqual({ name: 'cam', segments: 4 });
    const list = await api<Listing>('api/v1/recordings/cam');
    expect(list.segments).toHaveLength(4);
    expect(list.spans).toHaveLength(1);
    let frames = 0;
    for (const s of list.segments) {
      expect(Number.isNaN(Date.parse(s.start))).toBe(false);
      expect(s.duration).toBeGreaterThan(0);
      frames += await countFrames(s.file);
    }
    expect(frames).toBe(clipFrames);
    const total = list.segments.reduce((n, s) => n + s.duration, 0);
    expect(Math.abs(list.spans[0]!.duration - total)).toBeLessThan(0.5);
    // The hook's env names each segment with the listing's start and duration.
    const hooked = hookLines().map((l) => l.split(' ')).sort((a, b) => a[1]!.localeCompare(b[1]!));
    expect(hooked.map((h) => h[0])).toEqual(list.segments.map((s) => s.file));
    hooked.forEach((h, i) => {
      expect(h[1]).toBe(list.segments[i]!.start);
      expect(Math.abs(Number(h[2]) - list.segments[i]!.duration)).toBeLessThan(0.002);
    });
    expect(srv.paths.counters.samples('recorder_bytes').find((s) => s.labels.path === 'cam')!.value).toBeGreaterThan(0);
  }, 40_000);

  it('recordFormat mpegts: .ts segments that decode and add up to every published frame, listed by the time in their names as one span', async () => {
    const pub = publish('tscam', clip, false);
    const exited = new Promise<number | null>((res) => pub.on('exit', res));
    await waitFor(() => srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'tscam'), 20_000, 'the recorder');
    expect(await exited).toBe(0);
    await waitFor(() => !srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'tscam'), 20_000, 'the recorder to stop');
    const list = await api<Listing>('api/v1/recordings/tscam');
    expect(list.segments).toHaveLength(4);
    expect(list.segments.every((s) => s.file.endsWith('.ts'))).toBe(true);
    expect(list.spans, JSON.stringify(list)).toHaveLength(1);
    let frames = 0;
    for (const s of list.segments) {
      expect(s.duration).toBeGreaterThan(1);
      frames += await countFrames(s.file);
    }
    expect(frames).toBe(clipFrames);
    expect(Math.abs(list.spans[0]!.duration - 7)).toBeLessThan(0.5);
  }, 40_000);

  it('an unwritable recordPath: the live path still serves ffprobe; the error is logged and counted', async () => {
    publish('locked', `${MEDIA_DIR}/sample.mp4`, true);
    await waitFor(() => srv.paths.counters.samples('recorder_errors').some((s) => s.labels.path === 'locked'), 20_000, 'a recorder error');
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', srv.url('locked')];
    const r = await run(resolveFfprobe(), args, { timeoutMs: 20_000 });
    expect(r.code, describeRun('ffprobe', args, r)).toBe(0);
    expect(r.stdout).toContain('h264');
    expect(log.lines.some((l) => l.level >= 50 && String(l.msg).includes('recording failed (enotdir)'))).toBe(true);
  }, 30_000);

  it('a reload that turns record on starts the recorder on the live path; turning it off stops it and closes the segment', async () => {
    publish('later', `${MEDIA_DIR}/sample.mp4`, true);
    await waitFor(() => srv.paths.livePath('later').stream !== undefined, 20_000, 'the publisher');
    const recording = (): boolean => srv.paths.clients.list().some((c) => c.protocol === 'recording' && c.path === 'later');
    expect(recording()).toBe(false);
    expect(await srv.reloader.editPath({ op: 'patch', name: 'later', fields: { record: true } })).toMatchObject({ ok: true });
    await waitFor(recording, 20_000, 'the recorder');
    await waitFor(async () => ((await fetch(srv.httpUrl('api/v1/recordings/later'))).status === 200), 20_000, 'a listed segment');
    // The API lists the recorder as a reader of the path.
    await waitFor(async () => {
      const { sessions } = await api<{ sessions: { protocol: string; path: string; role: string; bytes: number }[] }>('api/v1/sessions');
      return sessions.some((c) => c.protocol === 'recording' && c.path === 'later' && c.role === 'reader' && c.bytes > 0);
    }, 20_000, 'the recorder in /api/v1/sessions');
    expect(await srv.reloader.editPath({ op: 'patch', name: 'later', fields: { record: false } })).toMatchObject({ ok: true });
    await waitFor(() => !recording(), 20_000, 'the recorder to stop');
    expect(srv.paths.livePath('later').stream).toBeDefined();
  }, 30_000);
});
