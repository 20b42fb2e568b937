// Hooks with real processes: runOnInit, runOnReady/runOnNotReady around an ffmpeg publisher (the long-running command and its
// grandchild killed and reaped when the publisher leaves), runOnDemand publishing with ffmpeg for ffprobe, and failing hooks.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DemandCommandSource } from '../../server/hooks/on-demand-command.js';
import { resolveFfmpeg, resolveFfprobe } from '../../server/sources/process/ffmpeg-path.js';
import { captureLog, type LogCapture } from '../helpers/log-capture.js';
import { dumpEnv, killPids, parseEnv, pidGone, pidRunning, waitForFile, waitForPid, writeAtomic } from '../helpers/hook-files.js';
import { waitFor } from '../helpers/read.js';
import { MEDIA_DIR, startTestServer, type TestServer } from '../helpers/server.js';
import { describeRun, run } from '../helpers/spawn.js';

let dir: string;
let srv: TestServer;
let log: LogCapture;
const children: ChildProcess[] = [];
/** Pids hook commands started, killed at the end whatever happened. */
const hookPids: number[] = [];
const f = (name: string): string => join(dir, name);

/** A long-running hook: dumps its env, starts a grandchild (sleep) and waits for it. */
const longRunning = (name: string): string =>
  `${dumpEnv(f(`${name}.env`))}; sleep 1000 & ${writeAtomic(f(`${name}.gc`), '$!')}; ${writeAtomic(f(`${name}.pid`), '$$')}; wait`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tidecast-hooks-'));
  log = captureLog();
  const ffmpeg = resolveFfmpeg();
  srv = await startTestServer(
    {
      paths: {
        ready: { runOnReady: longRunning('ready'), runOnNotReady: dumpEnv(f('notready.env')) },
        demand: {
          runOnDemand: `${writeAtomic(f('demand.pid'), '$$')}; exec '${ffmpeg}' -v error -re -stream_loop -1 -i '${MEDIA_DIR}/sample.mp4' -c copy -f rtsp -rtsp_transport tcp "$TIDECAST_PUBLISH_URL"`,
          sourceOnDemandCloseAfter: 1,
          sourceOnDemandStartTimeout: 20,
        },
        watched: { runOnRead: longRunning('read'), runOnUnread: dumpEnv(f('unread.env')) },
        failing: { runOnInit: 'no-such-command-tidecast-test', runOnReady: 'echo about to fail; exit 3' },
      },
    },
    { log: log.logger },
  );
});
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(async () => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  await srv?.close();
  killPids(hookPids);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** ffmpeg publishing the sample to `path` over TCP (a real RECORD). */
function publish(path: string): ChildProcess {
  const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', `${srv.url(path)}?token=abc&cam=1`];
  const child = spawn(resolveFfmpeg(), args, { stdio: ['ignore', 'ignore', 'ignore'] });
  children.push(child);
  return child;
}

describe('hooks', () => {
  it('runOnReady starts on RECORD with the publisher in its env; it and its grandchild are killed and reaped when the publisher leaves; runOnNotReady runs', async () => {
    const pub = publish('ready');
    const pid = await waitForPid(f('ready.pid'));
    const gc = await waitForPid(f('ready.gc'));
    hookPids.push(gc, pid);
    const env = parseEnv(await waitForFile(f('ready.env')));
    expect(env).toMatchObject({
      TIDECAST_PATH: 'ready',
      TIDECAST_QUERY: 'token=abc&cam=1',
      RTSP_PORT: String(srv.rtspPort),
      HTTP_PORT: String(srv.httpPort),
      TIDECAST_SOURCE_TYPE: 'rtspSession',
      TIDECAST_REMOTE_ADDR: '127.0.0.1',
    });
    expect(env.TIDECAST_SOURCE_ID).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(env.TIDECAST_REMOTE_PORT)).toBeGreaterThan(0);
    expect(pidRunning(pid) && pidRunning(gc)).toBe(true);
    expect(srv.paths.counters.value('hook_runs', { hook: 'runOnReady' })).toBe(1);

    pub.kill('SIGKILL');
    await waitFor(() => pidGone(gc) && pidGone(pid), 20_000, `the runOnReady shell ${pid} and its sleep ${gc} to be gone (not zombies)`);
    const notReady = parseEnv(await waitForFile(f('notready.env')));
    expect(notReady).toMatchObject({ TIDECAST_PATH: 'ready', TIDECAST_SOURCE_TYPE: 'rtspSession', TIDECAST_SOURCE_ID: env.TIDECAST_SOURCE_ID });
    expect(srv.paths.counters.value('hook_failures', { hook: 'runOnReady' })).toBe(0);
  }, 60_000);

  it('runOnRead runs for a real RTSP reader with its env and is killed and reaped when it leaves; runOnUnread runs', async () => {
    publish('watched');
    await waitFor(() => srv.paths.events.readyPaths().some((i) => i.path === 'watched'), 30_000, '/watched to be published');
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', `${srv.url('watched')}?viewer=7`];
    const p = await run(resolveFfprobe(), args, { timeoutMs: 30_000 });
    expect(p.code, describeRun('ffprobe', args, p)).toBe(0);
    const pid = await waitForPid(f('read.pid'));
    const gc = await waitForPid(f('read.gc'));
    hookPids.push(gc, pid);
    const env = parseEnv(await waitForFile(f('read.env')));
    expect(env).toMatchObject({
      TIDECAST_PATH: 'watched',
      TIDECAST_QUERY: 'viewer=7',
      TIDECAST_READER_TYPE: 'rtspSession',
      TIDECAST_REMOTE_ADDR: '127.0.0.1',
      TIDECAST_SOURCE_TYPE: 'rtspSession',
    });
    expect(env.TIDECAST_READER_ID).toMatch(/^[0-9a-f]{16}$/);
    expect(Number(env.TIDECAST_REMOTE_PORT)).toBeGreaterThan(0);
    // ffprobe has left (TEARDOWN): its runOnRead command and the command's child are gone.
    await waitFor(() => pidGone(gc) && pidGone(pid), 20_000, `the runOnRead shell ${pid} and its sleep ${gc} to be gone (not zombies)`);
    const unread = parseEnv(await waitForFile(f('unread.env')));
    expect(unread).toMatchObject({ TIDECAST_PATH: 'watched', TIDECAST_READER_ID: env.TIDECAST_READER_ID, TIDECAST_QUERY: 'viewer=7' });
  }, 60_000);

  it('runOnDemand starts its ffmpeg publisher when ffprobe reads the path and stops it after the last reader', async () => {
    const src = srv.paths.sourceOf('demand')!;
    expect(src.isRunning).toBe(false);
    const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', srv.url('demand')];
    const p = await run(resolveFfprobe(), args, { timeoutMs: 40_000 });
    expect(p.code, describeRun('ffprobe', args, p)).toBe(0);
    expect(p.stdout.trim().split('\n')).toEqual(['h264', 'aac']);
    const pid = await waitForPid(f('demand.pid'));
    hookPids.push(pid);
    expect((src.driver as DemandCommandSource).kind).toBe('runOnDemand');
    // closeAfter 1 s: the last reader is gone, so the command is stopped and reaped.
    await waitFor(() => !src.isRunning && pidGone(pid), 20_000, `runOnDemand's ffmpeg ${pid} to be stopped after the last reader`);
    expect(srv.paths.counters.value('hook_runs', { hook: 'runOnDemand' })).toBe(1);
  }, 90_000);

  it('a hook that fails or does not exist is logged and counted, and the server keeps serving', async () => {
    // runOnInit ran at start: sh says "not found" and exits 127.
    await waitFor(() => srv.paths.counters.value('hook_failures', { hook: 'runOnInit' }) === 1, 20_000, 'runOnInit to fail');
    const notFound = log.warnings((l) => l.hook === 'runOnInit' && l.path === 'failing');
    expect(notFound[0]?.msg).toContain('exited with code 127 (command not found)');
    const pub = publish('failing');
    await waitFor(() => srv.paths.counters.value('hook_failures', { hook: 'runOnReady' }) === 1, 30_000, 'runOnReady to fail');
    expect(log.lines.some((l) => l.hook === 'runOnReady' && l.path === 'failing' && String(l.msg).endsWith('about to fail'))).toBe(true);
    expect(log.warnings((l) => l.hook === 'runOnReady')[0]?.msg).toContain('exited with code 3');
    // Still serving: the live path and a file both probe.
    for (const path of ['failing', 'sample.mp4']) {
      const args = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', srv.url(path)];
      const p = await run(resolveFfprobe(), args, { timeoutMs: 20_000 });
      expect(p.code, describeRun('ffprobe', args, p)).toBe(0);
    }
    pub.kill('SIGKILL');
  }, 60_000);
});

describe('runOnInit', () => {
  it('runs at start with the path in its env, and is killed with its grandchild when the server stops', async () => {
    const s = await startTestServer({ paths: { boot: { runOnInit: longRunning('init') } } });
    let closed = false;
    try {
      const pid = await waitForPid(f('init.pid'));
      const gc = await waitForPid(f('init.gc'));
      hookPids.push(gc, pid);
      const env = parseEnv(await waitForFile(f('init.env')));
      expect(env).toMatchObject({ TIDECAST_PATH: 'boot', RTSP_PORT: String(s.rtspPort), HTTP_PORT: String(s.httpPort), TIDECAST_QUERY: '' });
      expect(env.TIDECAST_SOURCE_TYPE).toBeUndefined();
      await s.close();
      closed = true;
      // close() waits for the hooks to be reaped: nothing is left at all.
      expect(pidGone(gc), `sleep ${gc}`).toBe(true);
      expect(pidGone(pid), `sh ${pid}`).toBe(true);
    } finally {
      if (!closed) await s.close();
    }
  }, 60_000);
});

describe('hooks with ~regex paths and reloads', () => {
  it('gives a ~regex path its groups (runOnReady, runOnDemand) and follows config edits (runOnInit started and killed)', async () => {
    const ffmpeg = resolveFfmpeg();
    const s = await startTestServer({
      paths: {
        '~^cams/(\\w+)$': { runOnReady: dumpEnv(f('cam.env')) },
        '~^clips/(\\w+)$': {
          runOnDemand: `${dumpEnv(f('clip.env'))}; exec '${ffmpeg}' -v error -re -stream_loop -1 -i "${MEDIA_DIR}/$G1.mp4" -c copy -f rtsp -rtsp_transport tcp "$TIDECAST_PUBLISH_URL"`,
          sourceOnDemandCloseAfter: 1,
          sourceOnDemandStartTimeout: 20,
        },
      },
    });
    try {
      const args = ['-v', 'error', '-re', '-stream_loop', '-1', '-i', `${MEDIA_DIR}/sample.mp4`, '-c', 'copy', '-f', 'rtsp', '-rtsp_transport', 'tcp', s.url('cams/door')];
      children.push(spawn(resolveFfmpeg(), args, { stdio: 'ignore' }));
      expect(parseEnv(await waitForFile(f('cam.env')))).toMatchObject({ TIDECAST_PATH: 'cams/door', G1: 'door' });

      const probeArgs = ['-v', 'error', '-rtsp_transport', 'tcp', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', s.url('clips/sample')];
      const p = await run(resolveFfprobe(), probeArgs, { timeoutMs: 40_000 });
      expect(p.code, describeRun('ffprobe', probeArgs, p)).toBe(0);
      expect(parseEnv(await waitForFile(f('clip.env')))).toMatchObject({ TIDECAST_PATH: 'clips/sample', G1: 'sample' });

      expect((await s.reloader.editPath({ op: 'add', name: 'late', fields: { runOnInit: longRunning('late') } })).ok).toBe(true);
      const pid = await waitForPid(f('late.pid'));
      const gc = await waitForPid(f('late.gc'));
      hookPids.push(gc, pid);
      expect(parseEnv(await waitForFile(f('late.env')))).toMatchObject({ TIDECAST_PATH: 'late' });
      expect((await s.reloader.editPath({ op: 'remove', name: 'late' })).ok).toBe(true);
      await waitFor(() => pidGone(gc) && pidGone(pid), 20_000, `runOnInit of the removed path (${pid}, ${gc}) to be gone`);
    } finally {
      await s.close();
    }
  }, 90_000);
});
